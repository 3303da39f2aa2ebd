"""The scheduled apply: send each breakout round's room assignment to Zoom shortly before it starts.

:func:`apply_due` handles every round whose apply time (start − ``apply_lead_minutes``) has come and
that is not over: people registered late (or a round never planned) are planned into free seats
first, keeping everyone already placed; then the round is applied unless Zoom already holds
exactly it. Rounds that have started are sent only if they never were (moderators handle changes
by hand).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from orchestrator.breakouts.apply import apply_record, apply_round
from orchestrator.breakouts.apply_lease import apply_lease
from orchestrator.breakouts.limits import ZoomLimits
from orchestrator.breakouts.payload import payload_hash, round_rooms
from orchestrator.breakouts.people import plannable_people
from orchestrator.breakouts.plan import PlanOptions, plan_event
from orchestrator.breakouts.queries import assignments_for_round
from orchestrator.breakouts.results import ApplyOutcome, DueApplyReport, PlannedRound, RoundError
from orchestrator.breakouts.rounds import find_round, phase
from orchestrator.breakouts.service import BreakoutWork, apply_context
from orchestrator.breakouts.store import plan_version
from orchestrator.clock import Clock
from orchestrator.db.models import BreakoutRoundRecord, Event
from orchestrator.db.models.breakouts import ApplyState
from orchestrator.db.store import Store
from orchestrator.errors import BadInput, OperationFailed
from orchestrator.events import resolve_event

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    """A round whose pre-assignment should be in Zoom now, and whether it must be (re-)sent."""

    round_number: int
    apply_at: datetime
    needs_apply: bool


@dataclass
class _Report:
    """The job's report while it is built."""

    planned: list[PlannedRound] = field(default_factory=list)
    applied: list[ApplyOutcome] = field(default_factory=list)
    unchanged: list[ApplyOutcome] = field(default_factory=list)
    errors: list[RoundError] = field(default_factory=list)

    def done(self, event: str) -> DueApplyReport:
        return DueApplyReport(self.planned, self.applied, self.unchanged, self.errors, event)


def apply_due(work: BreakoutWork, event_key: str | None, limits: ZoomLimits) -> DueApplyReport:
    """Plan late registrations into and apply every due round (see module docstring)."""
    report = _Report()
    with work.store.session() as session:
        event = resolve_event(session, event_key)
        now = work.clock.now()
        for due in due_rounds(session, event, now):
            if due.apply_at > now:
                continue
            round_row = find_round(event, due.round_number)
            planned_now = _plan_late(session, event, round_row, now, report)
            if due.needs_apply or planned_now:
                _apply_one(work, session, event, round_row, limits, report)
        return report.done(event.key)


def next_apply_time(store: Store, clock: Clock, event_key: str | None) -> datetime | None:
    """When :func:`apply_due` next has work: the earliest apply time of a round still to send."""
    with store.session() as session:
        event = resolve_event(session, event_key)
        times = [d.apply_at for d in due_rounds(session, event, clock.now()) if d.needs_apply]
        return min(times) if times else None


def _plan_late(
    session: Session, event: Event, round_row: BreakoutRoundRecord, now: datetime, report: _Report
) -> bool:
    """Plan people without a room into an upcoming round; whether a plan was stored."""
    number = round_row.number
    if phase(round_row, now) != "upcoming" or not unplaced_count(session, event, number):
        return False
    joint = all(plan_version(session, r) is None for r in event.rounds if phase(r, now) == "upcoming")
    try:
        planned = plan_event(
            session, event, now=now, options=PlanOptions(round_number=None if joint else number)
        )
        session.commit()
    except BadInput as exc:
        session.rollback()
        report.errors.append(RoundError(number, "plan", exc.message))
        return False
    report.planned.append(PlannedRound(number, planned.placed_new))
    return True


def _apply_one(
    work: BreakoutWork,
    session: Session,
    event: Event,
    round_row: BreakoutRoundRecord,
    limits: ZoomLimits,
    report: _Report,
) -> None:
    try:
        session.commit()  # no transaction stays open while the lease is taken
        with apply_lease(work.store, work.clock, event, "scheduled breakout apply (orchestrator run)"):
            outcome = apply_round(apply_context(work, session, limits), event, round_row)
    except (BadInput, OperationFailed) as exc:  # also LeaseBusy: another apply runs this round
        session.rollback()
        log.warning("breakout apply failed", extra={"event": event.key, "round": round_row.number})
        # With its details: "cannot be sent" alone does not tell the organiser which limit broke.
        report.errors.append(RoundError(round_row.number, "apply", str(exc)))
        return
    (report.applied if outcome.zoom_writes else report.unchanged).append(outcome)


def due_rounds(session: Session, event: Event, now: datetime) -> list[Due]:
    """Rounds not over whose pre-assignment matters now or later, with their apply times.

    A round needs sending when it was never applied successfully (or never planned: the job plans
    it at its apply time), or when its plan changed since and it has not started (during a round
    moderators move people by hand in Zoom); a plan that broke Zoom's limits is not sent again
    until it changes. Only the latest round whose apply time has come may be in Zoom; earlier ones
    are left alone.
    """
    result = []
    for round_row in event.rounds:
        if phase(round_row, now) == "over":
            continue
        record = apply_record(session, round_row)
        upcoming = phase(round_row, now) == "upcoming"
        if record is None:
            needs = True
        elif record.state == ApplyState.OVER_LIMITS:
            # Zoom's limits refuse this very plan: trying it again every minute changes nothing.
            needs = record.payload_hash != _current_hash(session, event, round_row)
        elif record.state != ApplyState.APPLIED or not record.verified:
            needs = True
        else:  # the rooms are only worth hashing (thousands of people) when a change would be sent
            needs = upcoming and (
                not record.current or record.payload_hash != _current_hash(session, event, round_row)
            )
        apply_at = round_row.start_utc - _lead(round_row)
        result.append(Due(round_row.number, apply_at, needs))
    reached = [d for d in result if d.apply_at <= now]
    if len(reached) > 1:
        latest = max(reached, key=lambda d: d.apply_at)
        result = [d for d in result if d.apply_at > now or d is latest]
    return result


def _current_hash(session: Session, event: Event, round_row: BreakoutRoundRecord) -> str:
    return payload_hash(round_rooms(session, event, round_row))


def unplaced_count(session: Session, event: Event, round_number: int) -> int:
    """Active planned-for people without a room in round ``round_number`` (late registrations)."""
    placed = assignments_for_round(session, event.id, round_number)
    return sum(1 for p in plannable_people(session, event) if p.id not in placed)


def _lead(round_row: BreakoutRoundRecord) -> timedelta:
    return timedelta(minutes=round_row.apply_lead_minutes)
