"""End-to-end figures of breakout planning against the store and the Zoom emulator.

Scenarios (SQLite store in a temp dir, in-process Zoom emulator, frozen clock):
1. The sample Fachtag (2 rounds x 5 rooms, 275 seats) with the fixture export (235 people):
   plan, apply round 1, re-apply unchanged, then rooms +10 seats and 50 late registrations:
   re-plan (kept / moved / new), re-apply (Zoom writes), and --rebalance for comparison.
2. The same agenda scaled to 900 people (rooms 190 seats each): plan and the 50-late re-plan.

Run: PYTHONPATH=. .venv/bin/python benchmarks/breakouts_replan.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import update

from orchestrator.app import App
from orchestrator.breakouts import service
from orchestrator.breakouts.limits import ZoomLimits
from orchestrator.breakouts.plan import PlanOptions
from orchestrator.db.models import BreakoutRoom
from orchestrator.jobs.breakouts import work
from tests.integration.test_breakouts_support import add_people, event_runtime

T = TypeVar("T")


def timed(action: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def set_capacity(rt: App, *, extra: int | None = None, absolute: int | None = None) -> None:
    with rt.session() as session:
        value = BreakoutRoom.capacity + extra if extra is not None else absolute
        session.execute(update(BreakoutRoom).values(capacity=value))
        session.commit()


def writes(rt: App) -> int:
    return len(rt.emulator.write_calls())


def sample_scenario(base: Path) -> None:
    rt = event_runtime(f"sqlite:///{base / 'sample.db'}", base / "sample")
    first, t_plan = timed(lambda: service.plan(rt.store, rt.clock, None, PlanOptions()))
    print(
        f"[sample] people {first.people}, plan {t_plan * 1000:.0f} ms (method {first.method}, "
        f"objective {first.objective}), wishes {first.wishes}"
    )
    rt.emulator.clear_request_log()
    applied, t_apply = timed(lambda: service.apply(work(rt), None, 1, ZoomLimits()))
    print(
        f"[sample] apply round 1: {writes(rt)} Zoom write(s), {applied.participants} pre-assigned, "
        f"verified {applied.verified}, {t_apply * 1000:.0f} ms"
    )
    rt.emulator.clear_request_log()
    service.apply(work(rt), None, 1, ZoomLimits())
    print(f"[sample] re-apply unchanged: {writes(rt)} Zoom write(s)")
    set_capacity(rt, extra=10)
    add_people(rt, 50)
    replan, t_replan = timed(lambda: service.plan(rt.store, rt.clock, None, PlanOptions()))
    print(
        f"[sample] re-plan after 50 late registrations: {len(replan.moved)} already-placed people moved, "
        f"{replan.kept} placements kept, {replan.placed_new} new, {t_replan * 1000:.0f} ms "
        f"(method {replan.method})"
    )
    rt.emulator.clear_request_log()
    service.apply(work(rt), None, 1, ZoomLimits())
    print(f"[sample] re-apply changed plan: {writes(rt)} Zoom write(s)")
    rebalanced, t_rebalance = timed(
        lambda: service.plan(rt.store, rt.clock, None, PlanOptions(rebalance=True))
    )
    print(
        f"[sample] --rebalance: {len(rebalanced.moved)} placements moved, objective "
        f"{replan.objective} -> {rebalanced.objective}, {t_rebalance * 1000:.0f} ms"
    )


def large_scenario(base: Path) -> None:
    rt = event_runtime(f"sqlite:///{base / 'large.db'}", base / "large", with_people=False)
    set_capacity(rt, absolute=190)  # 950 seats per round
    add_people(rt, 850, prefix="p")
    times = []
    for _ in range(3):
        first, elapsed = timed(lambda: service.plan(rt.store, rt.clock, None, PlanOptions(rebalance=True)))
        times.append(elapsed)
    print(
        f"[large] people {first.people}, plan median {statistics.median(times) * 1000:.0f} ms "
        f"(method {first.method}), wishes {first.wishes}"
    )
    add_people(rt, 50, prefix="late")
    replan, elapsed = timed(lambda: service.plan(rt.store, rt.clock, None, PlanOptions()))
    print(
        f"[large] re-plan after 50 late registrations: {len(replan.moved)} moved, {replan.kept} kept, "
        f"{replan.placed_new} new, {elapsed * 1000:.0f} ms (method {replan.method})"
    )
    rt.emulator.clear_request_log()
    applied, t_apply = timed(lambda: service.apply(work(rt), None, 1, ZoomLimits()))
    print(
        f"[large] apply round 1: {writes(rt)} Zoom write(s), {applied.participants} pre-assigned, "
        f"{t_apply * 1000:.0f} ms"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        sample_scenario(base)
        large_scenario(base)


if __name__ == "__main__":
    main()
