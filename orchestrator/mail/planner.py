"""Planner: bring the outbox in line with the agenda and the people (idempotent, run every pass).

For every person whose Zoom registration is complete (``registered``, approved, with a join link)
the agenda's mails get one row each (see :mod:`orchestrator.mail.deadlines` for due times and
deadlines). Unsent rows follow agenda changes (new due time and deadline; a row skipped as overdue
comes back when the event moved later); rows that are no longer wanted are cancelled with a
reason. Rows are inserted with ``ON CONFLICT DO NOTHING``: two planners never queue a mail twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from orchestrator.agenda import Agenda
from orchestrator.breakouts.queries import assignments_for_round
from orchestrator.db.models import Event, OutboxMessage, OutboxState, Person, ZoomRegistration
from orchestrator.db.models.person import RegistrationState
from orchestrator.events import agenda_of
from orchestrator.mail.deadlines import (
    MailSlot,
    breakout_slots,
    confirmation_slot,
    reminder_slots,
    thank_you_slot,
)
from orchestrator.mail.outbox import Reason

# Rows in these states are final or in flight: planning leaves them alone.
_UNTOUCHED = (OutboxState.SENT, OutboxState.FAILED, OutboxState.CLAIMED, OutboxState.SENDING)


@dataclass(frozen=True)
class Wanted:
    """A mail the agenda asks for this person; ``skip`` is set when it must not go out."""

    slot: MailSlot
    skip: str | None = None


@dataclass
class PlanReport:
    created: int = 0
    rescheduled: int = 0
    requeued: int = 0
    cancelled: int = 0
    skipped: int = 0
    cancelled_reasons: dict[str, int] = field(default_factory=dict)


def can_receive(person: Person, registration: ZoomRegistration | None) -> bool:
    """Active, registered with Zoom, approved, and a personal join link known."""
    return (
        person.is_active
        and registration is not None
        and registration_usable(registration.state, registration.zoom_status, registration.join_url)
    )


def registration_usable(state: str | None, zoom_status: str | None, join_url: str | None) -> bool:
    """A Zoom registration (its stored fields) that gives the person a working personal link."""
    return state == RegistrationState.REGISTERED and zoom_status == "approved" and bool(join_url)


def wanted_mails(agenda: Agenda, registered_at: datetime, rooms: dict[int, str | None]) -> dict[str, Wanted]:
    """Occasion → wanted mail for one registered person (``rooms``: round → room or None)."""
    wanted: dict[str, Wanted] = {}
    mails = agenda.mails
    if mails.confirmation:
        slot = confirmation_slot(agenda, registered_at)
        wanted[slot.occasion] = Wanted(slot)
    for slot in reminder_slots(agenda):
        wanted[slot.occasion] = Wanted(slot, Reason.REGISTERED_LATE if registered_at > slot.due_at else None)
    if mails.breakout_room:
        for number, slot in zip(
            (r.number for r in agenda.breakout_rounds), breakout_slots(agenda), strict=True
        ):
            if rooms.get(number):
                wanted[slot.occasion] = Wanted(slot)
    if mails.thank_you:
        slot = thank_you_slot(agenda)
        wanted[slot.occasion] = Wanted(slot)
    return wanted


def plan_outbox(session: Session, event: Event, now: datetime) -> PlanReport:
    """Create, reschedule, requeue and cancel rows of ``event``; the caller commits."""
    agenda = agenda_of(event)
    report = PlanReport()
    people = session.execute(
        select(Person, ZoomRegistration)
        .outerjoin(ZoomRegistration, ZoomRegistration.person_id == Person.id)
        .where(Person.event_id == event.id)
    ).all()
    # Each person's rows by occasion: looked up per person, so planning stays linear in the rows.
    existing: dict[int, dict[str, OutboxMessage]] = defaultdict(dict)
    for stored in session.scalars(select(OutboxMessage).where(OutboxMessage.event_id == event.id)):
        existing[stored.person_id][stored.occasion] = stored
    room_maps = {r.number: assignments_for_round(session, event.id, r.number) for r in agenda.breakout_rounds}
    inserts: list[dict[str, Any]] = []

    for person, registration in people:
        if can_receive(person, registration):
            assert registration is not None
            registered_at = registration.registered_at or now
            rooms = {number: mapping.get(person.id) for number, mapping in room_maps.items()}
            wanted = wanted_mails(agenda, registered_at, rooms)
            gone_reason = Reason.NOT_IN_AGENDA
        else:
            wanted = {}
            gone_reason = Reason.PERSON_CANCELLED if not person.is_active else Reason.NOT_REGISTERED
        rows = existing.pop(person.id, {})
        for occasion, want in wanted.items():
            row = rows.pop(occasion, None)
            # Overdue rows are left to the dispatcher, which skips and reports them per occasion.
            skip = want.skip
            if row is None:
                inserts.append(_new_row(event.id, person.id, want.slot, skip))
                report.created += 1
                report.skipped += skip is not None
                continue
            _update_row(row, want.slot, skip, report, now)
        # Whatever this person still has beyond ``wanted`` is no longer wanted.
        for row in rows.values():
            reason = Reason.NO_ROOM if row.kind == "breakout_room" and wanted else gone_reason
            if row.state == OutboxState.QUEUED:
                row.state = OutboxState.CANCELLED
                row.reason = reason
                report.cancelled += 1
                report.cancelled_reasons[reason] = report.cancelled_reasons.get(reason, 0) + 1
    if inserts:
        _insert_ignoring_duplicates(session, inserts)
    session.flush()
    return report


def _new_row(event_id: int, person_id: int, slot: MailSlot, skip: str | None) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "person_id": person_id,
        "kind": slot.kind,
        "occasion": slot.occasion,
        "state": OutboxState.SKIPPED if skip else OutboxState.QUEUED,
        "reason": skip,
        "due_at": slot.due_at,
        "deadline": slot.deadline,
        "attempts": 0,
        "crash_resends": 0,
    }


def _update_row(
    row: OutboxMessage, slot: MailSlot, skip: str | None, report: PlanReport, now: datetime
) -> None:
    if row.state in _UNTOUCHED:
        return
    if (row.due_at, row.deadline) != (slot.due_at, slot.deadline):
        row.due_at, row.deadline = slot.due_at, slot.deadline
        report.rescheduled += 1
    if row.state == OutboxState.QUEUED and skip is not None:
        row.state, row.reason = OutboxState.SKIPPED, skip
        report.skipped += 1
    elif row.state in (OutboxState.SKIPPED, OutboxState.CANCELLED) and skip is None and now <= slot.deadline:
        # Wanted again and still useful: the event moved, the person came back, a room was given.
        row.state, row.reason, row.next_attempt_at = OutboxState.QUEUED, None, None
        report.requeued += 1


def _insert_ignoring_duplicates(session: Session, values: list[dict[str, Any]]) -> None:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(OutboxMessage).on_conflict_do_nothing(index_elements=["person_id", "kind", "occasion"])
    # One statement with the rows as parameter sets (executemany; "insertmanyvalues" batches them
    # on both backends): compiling a VALUES clause per row cost seconds per thousand rows.
    for start in range(0, len(values), 1000):
        session.execute(statement, values[start : start + 1000])
