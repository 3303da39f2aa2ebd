"""Read-only views of the outbox: the schedule (what goes out when) and the status (counts, failures)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orchestrator.db.models import Event, OutboxMessage, OutboxState, Person
from orchestrator.events import agenda_of
from orchestrator.mail.deadlines import (
    breakout_slots,
    reminder_slots,
    thank_you_slot,
)

M = OutboxMessage


def _counts(session: Session, event_id: int) -> dict[str, dict[str, int]]:
    rows = session.execute(
        select(M.occasion, M.state, func.count()).where(M.event_id == event_id).group_by(M.occasion, M.state)
    ).all()
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for occasion, state, count in rows:
        counts[occasion][state] = int(count)
    return counts


def schedule(session: Session, event: Event, now: datetime) -> dict[str, Any]:
    """One line per mail occasion the agenda asks for: due time, deadline, counts per state."""
    agenda = agenda_of(event)
    counts = _counts(session, event.id)
    lines: list[dict[str, Any]] = []
    if agenda.mails.confirmation:
        lines.append(
            {"occasion": "confirmation", "kind": "confirmation", "due_at": None, "deadline": agenda.end_utc}
        )
    slots = list(reminder_slots(agenda))
    if agenda.mails.breakout_room:
        slots += breakout_slots(agenda)
    if agenda.mails.thank_you:
        slots.append(thank_you_slot(agenda))
    for slot in sorted(slots, key=lambda s: s.due_at):
        lines.append(
            {"occasion": slot.occasion, "kind": slot.kind, "due_at": slot.due_at, "deadline": slot.deadline}
        )
    for line in lines:
        by_state = counts.pop(line["occasion"], {})
        line["states"] = {state: by_state.get(state, 0) for state in OutboxState.ALL}
        line["phase"] = (
            "open"
            if line["due_at"] is None or line["due_at"] <= now <= line["deadline"]
            else "past"
            if now > line["deadline"]
            else "upcoming"
        )
    # Rows of occasions the agenda no longer has (e.g. a removed reminder), so nothing is hidden.
    for occasion, by_state in sorted(counts.items()):
        lines.append(
            {
                "occasion": occasion,
                "kind": occasion.split(":")[0],
                "due_at": None,
                "deadline": None,
                "states": {state: by_state.get(state, 0) for state in OutboxState.ALL},
                "phase": "removed",
            }
        )
    return {"event": event.key, "timezone": agenda.timezone, "now": now, "mails": lines}


def status(session: Session, event: Event, *, failure_limit: int = 50) -> dict[str, Any]:
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
    failures = [
        {"id": row_id, "email": email, "occasion": occasion, "attempts": attempts, "reason": last_error,
         "state": state}
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
    ]
    crash_resends = int(
        session.scalar(select(func.coalesce(func.sum(M.crash_resends), 0)).where(M.event_id == event.id)) or 0
    )
    return {
        "event": event.key,
        "by_kind": {kind: dict(states) for kind, states in sorted(by_kind.items())},
        "reasons": reasons,
        "failures": failures,
        "crash_resends": crash_resends,
    }
