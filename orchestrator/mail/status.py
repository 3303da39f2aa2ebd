"""Read-only views of the outbox: the schedule (what goes out when) and the status (counts, failures)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orchestrator.db.models import Event, OutboxMessage, OutboxState, Person
from orchestrator.events import agenda_of
from orchestrator.mail.deadlines import (
    breakout_slots,
    reminder_slots,
    thank_you_slot,
)
from orchestrator.mail.results import MailFailure, ScheduleLine, ScheduleResult, StatusResult

M = OutboxMessage


def _counts(session: Session, event_id: int) -> dict[str, dict[str, int]]:
    rows = session.execute(
        select(M.occasion, M.state, func.count()).where(M.event_id == event_id).group_by(M.occasion, M.state)
    ).all()
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for occasion, state, count in rows:
        counts[occasion][state] = int(count)
    return counts


def _phase(due_at: datetime | None, deadline: datetime, now: datetime) -> str:
    if due_at is None or due_at <= now <= deadline:
        return "open"
    return "past" if now > deadline else "upcoming"


def _states(by_state: dict[str, int]) -> dict[str, int]:
    return {state: by_state.get(state, 0) for state in OutboxState.ALL}


def schedule(session: Session, event: Event, now: datetime) -> ScheduleResult:
    """One line per mail occasion the agenda asks for: due time, deadline, counts per state."""
    agenda = agenda_of(event)
    counts = _counts(session, event.id)
    wanted: list[tuple[str, str, datetime | None, datetime]] = []
    if agenda.mails.confirmation:
        wanted.append(("confirmation", "confirmation", None, agenda.end_utc))
    slots = list(reminder_slots(agenda))
    if agenda.mails.breakout_room:
        slots += breakout_slots(agenda)
    if agenda.mails.thank_you:
        slots.append(thank_you_slot(agenda))
    wanted += [(s.occasion, s.kind, s.due_at, s.deadline) for s in sorted(slots, key=lambda s: s.due_at)]
    lines = [
        ScheduleLine(
            occasion, kind, due_at, deadline, _states(counts.pop(occasion, {})), _phase(due_at, deadline, now)
        )
        for occasion, kind, due_at, deadline in wanted
    ]
    # Rows of occasions the agenda no longer has (e.g. a removed reminder), so nothing is hidden.
    lines += [
        ScheduleLine(occasion, occasion.split(":")[0], None, None, _states(by_state), "removed")
        for occasion, by_state in sorted(counts.items())
    ]
    return ScheduleResult(event=event.key, timezone=agenda.timezone, now=now, mails=tuple(lines))


def status(session: Session, event: Event, *, failure_limit: int = 50) -> StatusResult:
    """Counts per kind and state, skip/cancel reasons, and the failures with the server's reason."""
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OutboxState.ALL, 0))
    for kind, state, count in session.execute(
        select(M.kind, M.state, func.count()).where(M.event_id == event.id).group_by(M.kind, M.state)
    ):
        by_kind[kind][state] = int(count)
    reasons = {
        f"{state}:{reason}": int(count)
        for state, reason, count in session.execute(
            select(M.state, M.reason, func.count())
            .where(
                M.event_id == event.id,
                M.reason.is_not(None),
                M.state.in_((OutboxState.SKIPPED, OutboxState.CANCELLED)),
            )
            .group_by(M.state, M.reason)
        )
    }
    failures = tuple(
        MailFailure(row_id, email, occasion, attempts, last_error, state)
        for row_id, email, occasion, attempts, last_error, state in session.execute(
            select(M.id, Person.email, M.occasion, M.attempts, M.last_error, M.state)
            .join(Person, Person.id == M.person_id)
            .where(
                M.event_id == event.id,
                (M.state == OutboxState.FAILED)
                | ((M.state == OutboxState.QUEUED) & M.last_error.is_not(None)),
            )
            .order_by(M.state, M.occasion, Person.email)
            .limit(failure_limit)
        )
    )
    crash_resends = int(
        session.scalar(select(func.coalesce(func.sum(M.crash_resends), 0)).where(M.event_id == event.id)) or 0
    )
    return StatusResult(
        event=event.key,
        by_kind={kind: dict(states) for kind, states in sorted(by_kind.items())},
        reasons=reasons,
        failures=failures,
        crash_resends=crash_resends,
    )
