"""Sending a person's confirmation (with their personal join link) once more.

The confirmation's outbox row goes back to ``queued``, due now; the dispatcher sends it with its
next pass, through the configured transport, like any other mail (its Message-ID stays the same,
so a ``.eml`` directory keeps one file). Nobody sees the link on the way: it is only in the mail.
The use case behind the person page's "Link erneut senden" and ``orchestrator person resend-link``
(:meth:`orchestrator.mail.service.MailService.resend_link`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.db.models import Event, OutboxMessage, OutboxState, Person, ZoomRegistration
from orchestrator.errors import BadInput
from orchestrator.events import agenda_of
from orchestrator.i18n import _
from orchestrator.mail.deadlines import CONFIRMATION, confirmation_slot
from orchestrator.mail.planner import can_receive


@dataclass(frozen=True)
class ResendResult:
    """``queued``: the confirmation goes out with the next dispatch; ``already``: it is on its way."""

    event: str
    email: str
    outcome: str  # "queued" | "already"
    outbox_id: int


def person_id_of(session: Session, event: Event, email: str) -> int:
    """The id of the person of ``event`` with ``email``; ``BadInput`` naming the address otherwise."""
    key = email.strip().lower()
    person_id = session.scalar(select(Person.id).where(Person.event_id == event.id, Person.email == key))
    if person_id is None:
        raise BadInput(
            _(
                "No registrant with the e-mail address {emails} in event '{event}'.",
                emails=key,
                event=event.key,
            )
        )
    return person_id


def resend_confirmation(session: Session, event: Event, person_id: int, now: datetime) -> ResendResult:
    """Queue the person's confirmation mail again (the caller commits); ``BadInput`` when it cannot go."""
    person = session.scalar(select(Person).where(Person.id == person_id, Person.event_id == event.id))
    if person is None:
        raise BadInput(_("There is no such person in this event."))
    agenda = agenda_of(event)
    if not agenda.mails.confirmation:
        raise BadInput(_("The agenda sends no confirmation mail, so there is nothing to send again."))
    registration = session.scalar(select(ZoomRegistration).where(ZoomRegistration.person_id == person.id))
    if not can_receive(person, registration):
        raise BadInput(
            _(
                "{email} has no working personal link yet (not registered with Zoom, not approved, "
                "or cancelled); nothing was sent.",
                email=person.email,
            )
        )
    assert registration is not None
    slot = confirmation_slot(agenda, registration.registered_at or now)
    if now > slot.deadline:
        raise BadInput(_("The event is over; the confirmation is no longer sent."))
    row = session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.person_id == person.id, OutboxMessage.occasion == CONFIRMATION
        )
    )
    if row is None:
        row = OutboxMessage(
            event_id=event.id,
            person_id=person.id,
            kind=slot.kind,
            occasion=slot.occasion,
            due_at=now,
            deadline=slot.deadline,
            attempts=0,
            crash_resends=0,
        )
        session.add(row)
        session.flush()
        return ResendResult(event.key, person.email, "queued", row.id)
    if row.state == OutboxState.QUEUED or row.state in OutboxState.IN_FLIGHT:
        return ResendResult(event.key, person.email, "already", row.id)
    row.state = OutboxState.QUEUED
    row.due_at = min(row.due_at, now)
    row.deadline = slot.deadline
    row.attempts = 0
    row.next_attempt_at = None
    row.last_error = None
    row.reason = None
    row.claimed_by = None
    row.lease_until = None
    session.flush()
    return ResendResult(event.key, person.email, "queued", row.id)
