"""The one pacing primitive: at most ``burst`` calls back to back, then one every ``interval``.

A generic cell rate algorithm (GCRA, the token bucket written as "theoretical arrival time"):
each ``reserve`` takes the next free slot under a lock and returns how long the caller must wait
for it, so waiting threads queue in order and never block each other's bookkeeping. Used for
Zoom's rate categories (``zoom.ratelimit``: a burst of one second's worth, or steady spacing for
long syncs) and for the mail provider's limit (``mail.sender``). Time comes from the injected
clock, so tests and the rehearsal never sleep for real.
"""

from __future__ import annotations

import threading
from datetime import datetime

from orchestrator.clock import Clock

# Waits shorter than this are float rounding of ``burst × interval``, not a real wait.
ROUNDING = 1e-9


class Pacer:
    """Thread-safe GCRA pacer on an injected clock."""

    def __init__(self, interval: float, clock: Clock, *, burst: float = 1.0) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.interval = interval
        self.burst = burst
        self._clock = clock
        self._lock = threading.Lock()
        # Seconds are counted from the first call: small floats keep the slots exact to the
        # microsecond (POSIX timestamps would lose ~0.2 µs per step and drift over many calls).
        self._origin: datetime | None = None
        self._tat = 0.0  # theoretical arrival time of the next call, seconds after ``_origin``

    @classmethod
    def per_second(cls, rate: float, clock: Clock, *, burst: float = 1.0) -> Pacer:
        """A pacer allowing ``rate`` calls per second on average."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        return cls(1.0 / rate, clock, burst=burst)

    @property
    def rate(self) -> float:
        """Calls per second on average."""
        return 1.0 / self.interval

    def reserve(self) -> float:
        """Take the next slot; return the seconds the caller must wait before using it."""
        with self._lock:
            current = self._clock.now()
            if self._origin is None:
                self._origin = current
            now = (current - self._origin).total_seconds()
            tat = max(self._tat, now)
            self._tat = tat + self.interval
        wait = tat - (self.burst - 1) * self.interval - now
        return wait if wait > ROUNDING else 0.0

    def acquire(self) -> float:
        """Take the next slot, sleeping on the clock until it starts; return the wait."""
        wait = self.reserve()
        if wait > 0:
            self._clock.sleep(wait)
        return wait
