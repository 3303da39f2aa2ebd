"""Scheduled job: send each breakout round's room assignment to Zoom shortly before it starts.

A thin adapter from the composition root to :mod:`orchestrator.breakouts.due` (the rules live
there) and :func:`orchestrator.breakouts.service.plan`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from orchestrator.breakouts import service
from orchestrator.breakouts.due import apply_due, next_apply_time
from orchestrator.breakouts.limits import ZoomLimits
from orchestrator.breakouts.plan import PlanOptions
from orchestrator.breakouts.results import DueApplyReport, PlanReport
from orchestrator.breakouts.solver.model import RankCosts

if TYPE_CHECKING:
    from orchestrator.app import App


def work(app: App) -> service.BreakoutWork:
    """The breakout collaborators of ``app`` (its Zoom client is built on first use)."""
    return service.BreakoutWork(store=app.store, zoom=app.zoom, clock=app.clock)


def run(rt: App, event_key: str | None, *, limits: ZoomLimits | None = None) -> DueApplyReport:
    """Apply every due round; the report holds no join links."""
    return apply_due(work(rt), event_key, limits or ZoomLimits())


def next_due(rt: App, event_key: str | None) -> datetime | None:
    """When ``run`` next has work: the earliest apply time of a round still to send (may be past)."""
    return next_apply_time(rt.store, rt.clock, event_key)


def plan_all(
    rt: App, event_key: str | None, *, costs: RankCosts | None = None, rebalance: bool = False
) -> PlanReport:
    """Plan all upcoming rounds jointly and store the plan (the demo calls it after the import)."""
    return service.plan(
        rt.store, rt.clock, event_key, PlanOptions(costs=costs or RankCosts(), rebalance=rebalance)
    )
