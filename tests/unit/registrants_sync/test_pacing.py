"""Even spacing per rate category never exceeds the plan's calls per second."""

from __future__ import annotations

from collections import Counter

from orchestrator.clock import FrozenClock
from orchestrator.registrants.pacing import SteadyPacer
from orchestrator.zoom.ratelimit import RateCategory
from tests.unit.registrants_sync.conftest import START


def test_heavy_calls_on_pro_stay_within_10_per_calendar_second() -> None:
    clock = FrozenClock(START.replace(microsecond=500_000))
    pacer = SteadyPacer("pro", clock)
    seconds: Counter[int] = Counter()
    for _ in range(100):
        pacer.wait(RateCategory.HEAVY)
        seconds[int(clock.now().timestamp())] += 1
    assert max(seconds.values()) <= 10
    elapsed = (clock.now() - START.replace(microsecond=500_000)).total_seconds()
    assert 9.9 < elapsed < 10.1  # 99 intervals of 0.101 s: ~99 % of the allowed rate


def test_categories_are_paced_independently() -> None:
    clock = FrozenClock(START)
    pacer = SteadyPacer("pro", clock)
    pacer.wait(RateCategory.HEAVY)
    assert pacer.wait(RateCategory.MEDIUM) == 0.0
    assert abs(pacer.wait(RateCategory.HEAVY) - 0.101) < 1e-9
