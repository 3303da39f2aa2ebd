"""Even spacing per rate category (``ZoomRateLimiter.steady``) never exceeds the plan's calls per second."""

from __future__ import annotations

from collections import Counter

from orchestrator.clock import FrozenClock
from orchestrator.zoom.ratelimit import RateCategory, ZoomRateLimiter
from tests.unit.registrants_sync.conftest import START


def test_heavy_calls_on_pro_stay_within_10_per_calendar_second() -> None:
    clock = FrozenClock(START.replace(microsecond=500_000))
    pacer = ZoomRateLimiter.steady("pro", clock)
    seconds: Counter[int] = Counter()
    for _ in range(100):
        pacer.acquire(RateCategory.HEAVY)
        seconds[int(clock.now().timestamp())] += 1
    assert max(seconds.values()) <= 10
    elapsed = (clock.now() - START.replace(microsecond=500_000)).total_seconds()
    assert 9.9 < elapsed < 10.1  # 99 intervals of 0.101 s: ~99 % of the allowed rate


def test_categories_are_paced_independently() -> None:
    clock = FrozenClock(START)
    pacer = ZoomRateLimiter.steady("pro", clock)
    pacer.acquire(RateCategory.HEAVY)
    assert pacer.acquire(RateCategory.MEDIUM) == 0.0
    assert abs(pacer.acquire(RateCategory.HEAVY) - 0.101) < 1e-6


def test_steady_spacing_is_one_percent_below_the_plans_rate() -> None:
    pacer = ZoomRateLimiter.steady("pro", FrozenClock(START))
    assert abs(1 / pacer.rate(RateCategory.HEAVY) - 0.101) < 1e-12
    assert abs(1 / pacer.rate(RateCategory.LIGHT) - 1.01 / 30) < 1e-12
