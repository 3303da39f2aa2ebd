"""Injectable clocks. All times are timezone-aware UTC datetimes.

Services take a ``Clock`` instead of calling ``datetime.now()`` so tests can freeze time and the
demo can run an event day on a sped-up clock.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol


class Clock(Protocol):
    """Source of the current time (aware, UTC)."""

    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class FrozenClock:
    """A clock that only moves when told to; ``sleep`` advances it instantly (tests never wait)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when.astimezone(UTC)

    def advance(self, delta: timedelta | float) -> datetime:
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        with self._lock:
            self._now += step
            return self._now

    def sleep(self, seconds: float) -> None:
        self.advance(max(seconds, 0.0))


class SharedClock(FrozenClock):
    """A :class:`FrozenClock` whose time another process reads (:class:`SharedClockReader`).

    The demo moves its virtual day with it; the rehearsal's webhook endpoint, a process of its own,
    checks each signature's timestamp against the same time.
    """

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self.shared: Any = multiprocessing.get_context("spawn").RawValue("d", self._now.timestamp())

    def set(self, when: datetime) -> None:
        super().set(when)
        self.shared.value = self.now().timestamp()

    def advance(self, delta: timedelta | float) -> datetime:
        moved = super().advance(delta)
        self.shared.value = moved.timestamp()
        return moved


class SharedClockReader:
    """The time of a :class:`SharedClock` in another process (it cannot move it)."""

    def __init__(self, shared: Any) -> None:
        self._shared = shared

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._shared.value, UTC)

    def sleep(self, seconds: float) -> None:
        raise RuntimeError("only the process that owns a shared clock moves it")


class ScaledClock:
    """Virtual time running ``speed`` times faster than real time from ``virtual_origin``.

    Used by the demo to play a whole event day in minutes. ``sleep`` takes virtual seconds.
    """

    def __init__(self, virtual_origin: datetime, speed: float, real: Clock | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._real = real or SystemClock()
        self._real_origin = self._real.now()
        self._virtual_origin = virtual_origin.astimezone(UTC)
        self.speed = speed

    def now(self) -> datetime:
        elapsed = (self._real.now() - self._real_origin) * self.speed
        return self._virtual_origin + elapsed

    def real_seconds(self, virtual_seconds: float) -> float:
        return virtual_seconds / self.speed

    def sleep(self, seconds: float) -> None:
        self._real.sleep(self.real_seconds(seconds))
