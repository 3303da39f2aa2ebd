"""Even spacing of Zoom calls per rate category, so a long sync never runs into a 429.

The HTTP layer's token bucket allows a burst of one second's worth of calls and then the plan's
rate; a server counting calls per calendar second (Zoom, the emulator) sees the burst plus the
refill in the same second and answers 429 ("retry after 1 s"), which costs a whole second of
throughput. Spacing calls ``1 / rate`` apart (plus a small margin) never exceeds the limit in any
one-second window, yet reaches ~99 % of it.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from orchestrator.clock import Clock
from orchestrator.zoom.ratelimit import PLAN_RATES, AccountPlan, RateCategory

# Stay this fraction below the plan's rate: timer jitter must not push two calls into one slot.
DEFAULT_MARGIN = 0.01


class SteadyPacer:
    """Waits (on the injected clock) so calls of one category are at least ``1 / rate`` apart."""

    def __init__(self, plan: AccountPlan | str, clock: Clock, *, margin: float = DEFAULT_MARGIN) -> None:
        self.plan = AccountPlan(plan)
        self._clock = clock
        self._intervals = {
            category: (1.0 / rate) * (1.0 + margin) for category, rate in PLAN_RATES[self.plan].items()
        }
        self._next: dict[RateCategory, datetime] = {}
        self._lock = threading.Lock()

    def interval(self, category: RateCategory) -> float:
        """Seconds between two calls of ``category``."""
        return self._intervals[category]

    def wait(self, category: RateCategory) -> float:
        """Sleep until a call of ``category`` may go out; return the seconds waited."""
        with self._lock:
            now = self._clock.now()
            due = self._next.get(category, now)
            start = max(now, due)
            wait = (start - now).total_seconds()
            self._next[category] = start + timedelta(seconds=self._intervals[category])
        if wait > 0:
            self._clock.sleep(wait)
        return wait
