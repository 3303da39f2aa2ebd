"""Scheduled job: send each breakout round's room assignment to Zoom shortly before it starts.

``run`` handles every round whose apply time (start − ``apply_lead_minutes``) has come and that
is not over: people registered late (or a round never planned) are planned into free seats first,
keeping everyone already placed; then the round is applied unless Zoom already holds exactly it.
Rounds that have started are sent only if they never were (moderators handle changes by hand).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from orchestrator.breakouts.apply import ApplyContext, apply_round
from orchestrator.breakouts.apply_lease import apply_lease
from orchestrator.breakouts.limits import ZoomLimits
from orchestrator.breakouts.plan import PlanOptions, plan_event
from orchestrator.breakouts.rounds import find_round, phase
from orchestrator.breakouts.service import due_rounds, plan, unplaced_count
from orchestrator.breakouts.solver.model import RankCosts
from orchestrator.breakouts.store import plan_version
from orchestrator.errors import BadInput, OperationFailed
from orchestrator.events import resolve_event

if TYPE_CHECKING:
    from orchestrator.app import App

log = logging.getLogger(__name__)


def run(rt: App, event_key: str | None, *, limits: ZoomLimits | None = None) -> dict[str, Any]:
    """Apply every due round (see module docstring); returns a JSON-able report (no join links)."""
    limits = limits or ZoomLimits()
    report: dict[str, Any] = {"planned": [], "applied": [], "unchanged": [], "errors": []}
    with rt.session() as session:
        event = resolve_event(session, event_key)
        now = rt.clock.now()
        report["event"] = event.key
        for due in due_rounds(session, event, now):
            if due.apply_at > now:
                continue
            round_row = find_round(event, due.round_number)
            planned_now = False
            if phase(round_row, now) == "upcoming" and unplaced_count(session, event, due.round_number):
                joint = all(
                    plan_version(session, r) is None for r in event.rounds if phase(r, now) == "upcoming"
                )
                try:
                    planned = plan_event(
                        session,
                        event,
                        now=now,
                        options=PlanOptions(round_number=None if joint else due.round_number),
                    )
                    session.commit()
                    report["planned"].append({"round": due.round_number, "placed_new": planned.placed_new})
                    planned_now = True
                except BadInput as exc:
                    session.rollback()
                    report["errors"].append(
                        {"round": due.round_number, "step": "plan", "message": exc.message}
                    )
            if not (due.needs_apply or planned_now):
                continue
            try:
                session.commit()  # no transaction stays open while the lease is taken
                with apply_lease(rt, event, "scheduled breakout apply (orchestrator run)"):
                    outcome = apply_round(
                        ApplyContext(
                            session=session,
                            zoom=rt.zoom,
                            clock=rt.clock,
                            commit=session.commit,
                            limits=limits,
                        ),
                        event,
                        round_row,
                    )
            except (BadInput, OperationFailed) as exc:  # also LeaseBusy: another apply runs this round
                session.rollback()
                log.warning("breakout apply failed", extra={"event": event.key, "round": due.round_number})
                report["errors"].append({"round": due.round_number, "step": "apply", "message": exc.message})
                continue
            report["applied" if outcome.zoom_writes else "unchanged"].append(outcome.as_dict())
    return report


def next_due(rt: App, event_key: str | None) -> datetime | None:
    """When ``run`` next has work: the earliest apply time of a round still to send (may be past)."""
    with rt.session() as session:
        event = resolve_event(session, event_key)
        times = [d.apply_at for d in due_rounds(session, event, rt.clock.now()) if d.needs_apply]
        return min(times) if times else None


def plan_all(
    rt: App, event_key: str | None, *, costs: RankCosts | None = None, rebalance: bool = False
) -> dict[str, Any]:
    """Plan all upcoming rounds jointly and store the plan (the demo calls it after the import)."""
    return plan(rt, event_key, PlanOptions(costs=costs or RankCosts(), rebalance=rebalance))
