"""Slowing down password guessing: after a few failed logins for one address, wait a while."""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta


class LoginThrottle:
    """At most ``limit`` failed logins per e-mail address within ``window`` (in memory, per process)."""

    def __init__(self, limit: int = 5, window: timedelta = timedelta(minutes=15)) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str, now: datetime) -> bool:
        """Whether ``key`` has used up its attempts."""
        with self._lock:
            return len(self._recent(key, now)) >= self.limit

    def failed(self, key: str, now: datetime) -> None:
        with self._lock:
            self._recent(key, now).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times
