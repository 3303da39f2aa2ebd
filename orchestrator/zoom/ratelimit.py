"""Client-side pacing for Zoom's rate limits, so we rarely see a 429 in the first place.

Zoom counts requests per account and per *rate limit category* ("Rate Limit Label" on every
endpoint). Per-second limits by account plan, from Zoom's rate-limit page
(https://developers.zoom.us/docs/api/rate-limits/, also served as
https://developers.zoom.us/docs/commerce/rate-limits/, checked 2025):

    category            Free                 Pro          Business+ (Business, Education, Enterprise)
    Light               4/s, 6,000/day       30/s         80/s
    Medium              2/s, 2,000/day       20/s         60/s
    Heavy               1/s, 1,000/day       10/s         40/s   (Pro 30,000/day, Business+ 60,000/day
    Resource-intensive  10/min, 30,000/day   10/min       20/min  shared by heavy + resource-intensive)

Special per-user / per-resource daily limits that matter to us (same page, and the endpoint
descriptions in Zoom's Meetings OpenAPI document):
- Create a meeting / Update a meeting: 100 requests per day per user (meeting host), reset 00:00 UTC.
- Add a meeting registrant (and batch registration): 3 requests per day for the same registrant.
- Update a registrant's status: 10 requests per day for the same registrant of one meeting.

The endpoint categories below are the "Rate Limit Label" values of Zoom's Meetings OpenAPI
document (../shared/zoom-spec/meetings-api.json) and Users API (Get a user: LIGHT).
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

from orchestrator.clock import Clock
from orchestrator.pacing import Pacer

logger = logging.getLogger(__name__)


class RateCategory(enum.Enum):
    """Zoom's rate limit labels."""

    LIGHT = "light"
    MEDIUM = "medium"
    HEAVY = "heavy"
    RESOURCE_INTENSIVE = "resource_intensive"


class AccountPlan(enum.Enum):
    """Zoom account plans; Business, Education and Enterprise share the "Business+" limits."""

    FREE = "free"
    PRO = "pro"
    BUSINESS = "business"
    EDUCATION = "education"
    ENTERPRISE = "enterprise"


_BUSINESS_PLUS = {
    RateCategory.LIGHT: 80.0,
    RateCategory.MEDIUM: 60.0,
    RateCategory.HEAVY: 40.0,
    RateCategory.RESOURCE_INTENSIVE: 20 / 60,
}

# Requests per second for each plan and category (see the table in the module docstring).
PLAN_RATES: dict[AccountPlan, dict[RateCategory, float]] = {
    AccountPlan.FREE: {
        RateCategory.LIGHT: 4.0,
        RateCategory.MEDIUM: 2.0,
        RateCategory.HEAVY: 1.0,
        RateCategory.RESOURCE_INTENSIVE: 10 / 60,
    },
    AccountPlan.PRO: {
        RateCategory.LIGHT: 30.0,
        RateCategory.MEDIUM: 20.0,
        RateCategory.HEAVY: 10.0,
        RateCategory.RESOURCE_INTENSIVE: 10 / 60,
    },
    AccountPlan.BUSINESS: _BUSINESS_PLUS,
    AccountPlan.EDUCATION: _BUSINESS_PLUS,
    AccountPlan.ENTERPRISE: _BUSINESS_PLUS,
}

# (method, path template) -> category, as labelled in Zoom's API reference.
ENDPOINT_CATEGORIES: dict[tuple[str, str], RateCategory] = {
    ("GET", "/users/{userId}"): RateCategory.LIGHT,
    ("GET", "/users/{userId}/meetings"): RateCategory.MEDIUM,
    ("POST", "/users/{userId}/meetings"): RateCategory.LIGHT,
    ("GET", "/meetings/{meetingId}"): RateCategory.LIGHT,
    ("PATCH", "/meetings/{meetingId}"): RateCategory.LIGHT,
    ("DELETE", "/meetings/{meetingId}"): RateCategory.LIGHT,
    ("GET", "/meetings/{meetingId}/registrants"): RateCategory.MEDIUM,
    ("POST", "/meetings/{meetingId}/registrants"): RateCategory.LIGHT,
    ("POST", "/meetings/{meetingId}/batch_registrants"): RateCategory.HEAVY,
    ("PUT", "/meetings/{meetingId}/registrants/status"): RateCategory.MEDIUM,
    ("GET", "/meetings/{meetingId}/registrants/{registrantId}"): RateCategory.LIGHT,
    ("DELETE", "/meetings/{meetingId}/registrants/{registrantId}"): RateCategory.LIGHT,
    ("GET", "/meetings/{meetingId}/registrants/questions"): RateCategory.LIGHT,
    ("PATCH", "/meetings/{meetingId}/registrants/questions"): RateCategory.LIGHT,
    ("PUT", "/meetings/{meetingId}/status"): RateCategory.LIGHT,
    ("GET", "/meetings/{meetingId}/invitation"): RateCategory.LIGHT,
    ("GET", "/past_meetings/{meetingId}/participants"): RateCategory.MEDIUM,
    ("GET", "/report/meetings/{meetingId}/participants"): RateCategory.HEAVY,
}

# Unknown endpoints are paced as HEAVY: slower than needed, never faster than allowed.
DEFAULT_CATEGORY = RateCategory.HEAVY
# Steady pacing stays this fraction below the plan's rate: timer jitter must not push two calls
# into one slot.
STEADY_MARGIN = 0.01

# Daily limits per user / per registrant (see module docstring).
MEETING_WRITES_PER_USER_PER_DAY = 100
REGISTRANT_ADDS_PER_REGISTRANT_PER_DAY = 3
STATUS_CHANGES_PER_REGISTRANT_PER_DAY = 10


def category_for(method: str, path_template: str) -> RateCategory:
    """The rate category of an endpoint (``DEFAULT_CATEGORY`` if Zoom's label is not on file)."""
    return ENDPOINT_CATEGORIES.get((method.upper(), path_template), DEFAULT_CATEGORY)


class ZoomRateLimiter:
    """One :class:`~orchestrator.pacing.Pacer` per rate category, sized from the account plan."""

    def __init__(
        self,
        plan: AccountPlan | str,
        clock: Clock,
        *,
        burst_seconds: float = 1.0,
        headroom: float = 1.0,
    ) -> None:
        """``burst_seconds``: bucket size in seconds of rate; ``headroom`` (0..1] scales all rates
        down, e.g. 0.8 to leave room for other apps on the same Zoom account."""
        if not 0 < headroom <= 1:
            raise ValueError("headroom must be in (0, 1]")
        self.plan = AccountPlan(plan)
        self._pacers = {
            category: Pacer.per_second(
                rate * headroom, clock, burst=max(1.0, rate * headroom * burst_seconds)
            )
            for category, rate in PLAN_RATES[self.plan].items()
        }

    @classmethod
    def steady(
        cls, plan: AccountPlan | str, clock: Clock, *, margin: float = STEADY_MARGIN
    ) -> ZoomRateLimiter:
        """Calls of one category at least ``1 / rate`` apart (no burst), ``margin`` below the rate.

        A long sync paces itself this way on top of the HTTP layer's limiter: a server counting
        calls per calendar second (Zoom, the emulator) sees a one-second burst plus the refill in
        the same second and answers 429, which costs a whole second; even spacing reaches ~99 % of
        the limit and never exceeds it in any one-second window.
        """
        return cls(plan, clock, burst_seconds=0.0, headroom=1.0 / (1.0 + margin))

    def rate(self, category: RateCategory) -> float:
        """Requests per second this limiter allows for ``category``."""
        return self._pacers[category].rate

    def acquire(self, category: RateCategory) -> float:
        """Wait (on the clock) until a request of ``category`` may be sent; return the wait."""
        wait = self._pacers[category].acquire()
        if wait > 0:
            logger.debug("zoom rate limiter waited %.3f s", wait, extra={"zoom_category": category.value})
        return wait

    def acquire_for(self, method: str, path_template: str) -> float:
        """Like :meth:`acquire` for the category of an endpoint."""
        return self.acquire(category_for(method, path_template))


def next_utc_midnight(now: datetime) -> datetime:
    """Zoom's daily limits reset at 00:00 UTC."""
    return datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=now.tzinfo)


@dataclass
class QuotaState:
    day: str
    used: int


class DailyQuota:
    """Counts requests per key (user, registrant) for one UTC day; thread-safe.

    This mirrors a Zoom daily limit locally so a loop cannot burn the quota (Zoom would refuse
    the rest of the day); it does not see calls made by other processes.
    """

    def __init__(self, limit: int, clock: Clock) -> None:
        self.limit = limit
        self._clock = clock
        self._counts: dict[Hashable, QuotaState] = {}
        self._lock = threading.Lock()

    def try_consume(self, key: Hashable) -> float | None:
        """Count one request for ``key``; return None, or the seconds until the quota resets."""
        refused = self.try_consume_all([key])
        return None if refused is None else refused[0]

    def remaining(self, key: Hashable) -> int:
        """Requests still allowed for ``key`` today."""
        return max(0, self.limit - self.used(key))

    def seconds_to_reset(self) -> float:
        """Seconds until the quota starts afresh (00:00 UTC)."""
        now = self._clock.now()
        return (next_utc_midnight(now) - now).total_seconds()

    def used(self, key: Hashable) -> int:
        """Requests counted for ``key`` today."""
        with self._lock:
            state = self._counts.get(key)
            today = self._clock.now().date().isoformat()
            return state.used if state is not None and state.day == today else 0

    def try_consume_all(self, keys: list[Hashable]) -> tuple[float, list[Hashable]] | None:
        """Count one request for each key, all or none; return None, or (seconds to reset, keys over)."""
        now = self._clock.now()
        day = now.date().isoformat()
        with self._lock:
            states = []
            for key in keys:
                state = self._counts.get(key)
                if state is None or state.day != day:
                    state = QuotaState(day, 0)
                    self._counts[key] = state
                states.append(state)
            over = [key for key, state in zip(keys, states, strict=True) if state.used >= self.limit]
            if over:
                return (next_utc_midnight(now) - now).total_seconds(), over
            for state in states:
                state.used += 1
            return None


class DailyLimits:
    """Local mirrors of Zoom's per-user and per-registrant daily limits."""

    def __init__(self, clock: Clock) -> None:
        # Key: the host user; creates and updates of all their meetings count together.
        self.meeting_writes = DailyQuota(MEETING_WRITES_PER_USER_PER_DAY, clock)
        # Key: (meeting_id, normalised e-mail).
        self.registrant_adds = DailyQuota(REGISTRANT_ADDS_PER_REGISTRANT_PER_DAY, clock)
        # Key: (meeting_id, registrant id, or normalised e-mail when no id is given).
        self.status_changes = DailyQuota(STATUS_CHANGES_PER_REGISTRANT_PER_DAY, clock)
