"""What the store knows about each person's registration, for ``list``, ``report`` and ``show``.

Join links are credentials: nothing here returns one, except :func:`show_person` with
``reveal_link=True`` (an explicit organiser request).
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from orchestrator.db.models import Event, Person, ZoomAuditEntry
from orchestrator.db.models.person import PersonSource, PersonStatus, RegistrationState
from orchestrator.errors import BadInput
from orchestrator.i18n import N_, _
from orchestrator.registrants.results import FailedCall, PersonDetail, PersonRow, Problem, RegistrationReport
from orchestrator.results import OMIT

State = RegistrationState

# One word per person for tables and ``--status``; the text is translated when shown.
STATES: dict[str, str] = {
    "new": N_("not yet sent to Zoom"),
    "sending": N_("sent to Zoom, answer not yet recorded"),
    "approved": N_("registered, approved"),
    "pending_approval": N_("registered, waiting for approval in Zoom"),
    "denied": N_("registered, denied in Zoom"),
    "failed": N_("Zoom refused the registration"),
    "cancelling": N_("cancelled, Zoom not yet told"),
    "cancelled": N_("cancelled"),
}
AUDITED_ACTIONS = ("batch_registrants", "add_registrant", "approve_registrants", "cancel_registrants")


def person_state(person: Person) -> str:
    """The person's state as one word (a key of :data:`STATES`)."""
    reg = person.registration
    if reg is not None and reg.state == State.CANCEL_INTENT:
        return "cancelling"
    if person.status == PersonStatus.CANCELLED:
        return (
            "cancelled"
            if reg is None or reg.state in (State.CANCELLED, State.PENDING, State.FAILED)
            else "cancelling"
        )
    if reg is None or reg.state == State.PENDING:
        return "new"
    if reg.state == State.INTENT:
        return "sending"
    if reg.state == State.FAILED:
        return "failed"
    if reg.state == State.CANCELLED:
        return "cancelled"
    return {"approved": "approved", "denied": "denied"}.get(reg.zoom_status or "", "pending_approval")


def check_states(wanted: list[str]) -> None:
    unknown = [s for s in wanted if s not in STATES]
    if unknown:
        raise BadInput(
            _(
                "Unknown state {states}; use one of: {known}.",
                states=", ".join(unknown),
                known=", ".join(STATES),
            )
        )


def _people(session: Session, event: Event) -> list[Person]:
    return list(
        session.scalars(
            select(Person)
            .where(Person.event_id == event.id)
            .options(selectinload(Person.registration))
            .order_by(Person.last_name, Person.first_name, Person.email)
        )
    )


def person_row(person: Person) -> PersonRow:
    """A person for tables and ``--json``: no join link, only whether one exists."""
    reg = person.registration
    return PersonRow(
        email=person.email,
        first_name=person.first_name,
        last_name=person.last_name,
        organisation=person.organisation,
        language=person.language,
        wishes=list(person.wishes),
        source=person.source,
        state=person_state(person),
        zoom_status=reg.zoom_status if reg else None,
        zoom_registrant_id=reg.zoom_registrant_id if reg else None,
        has_join_link=bool(reg and reg.join_url),
        error=reg.last_error if reg else None,
        registered_at=reg.registered_at if reg else None,
        cancelled_at=person.cancelled_at,
    )


def list_people(session: Session, event: Event, states: list[str] | None = None) -> list[PersonRow]:
    """Every person of ``event`` (optionally only those in ``states``), sorted by name."""
    if states:
        check_states(states)
    rows = [person_row(p) for p in _people(session, event)]
    return [r for r in rows if not states or r.state in states]


def registration_report(session: Session, event: Event, *, audit_limit: int = 20) -> RegistrationReport:
    """Counts per state, every person not (yet) registered and why, and recent failed Zoom calls."""
    people = _people(session, event)
    rows = [person_row(p) for p in people]
    counts = Counter(r.state for r in rows)
    problems = [
        Problem(email=r.email, name=r.name, state=r.state, reason=r.error or _(STATES[r.state]))
        for r in rows
        if r.state in ("failed", "new", "sending", "cancelling")
    ]
    # People from Zoom's page whose form answers could not all be used as wishes (registered anyway).
    problems += [
        Problem(email=r.email, name=r.name, state=r.state, reason=p.notes)
        for p, r in zip(people, rows, strict=True)
        if p.source == PersonSource.ZOOM and p.notes
    ]
    failed_calls = session.scalars(
        select(ZoomAuditEntry)
        .where(
            ZoomAuditEntry.event_id == event.id,
            ZoomAuditEntry.action.in_(AUDITED_ACTIONS),
            ZoomAuditEntry.outcome != "ok",
        )
        .order_by(ZoomAuditEntry.at.desc(), ZoomAuditEntry.id.desc())
        .limit(audit_limit)
    )
    calls = session.scalars(
        select(ZoomAuditEntry.outcome).where(
            ZoomAuditEntry.event_id == event.id, ZoomAuditEntry.action.in_(AUDITED_ACTIONS)
        )
    )
    return RegistrationReport(
        event=event.key,
        people=len(rows),
        states={state: counts.get(state, 0) for state in STATES},
        sources=dict(Counter(r.source for r in rows)),
        problems=problems,
        zoom_calls=dict(Counter(calls)),
        failed_zoom_calls=[
            FailedCall(
                at=a.at,
                action=a.action,
                status=a.status,
                zoom_code=a.zoom_code,
                outcome=a.outcome,
                message=a.message,
            )
            for a in failed_calls
        ],
    )


def show_person(session: Session, event: Event, email: str, *, reveal_link: bool) -> PersonDetail:
    """One person in full; the join link only with ``reveal_link``."""
    key = email.strip().lower()
    person = session.scalar(
        select(Person)
        .where(Person.event_id == event.id, Person.email == key)
        .options(selectinload(Person.registration))
    )
    if person is None:
        raise BadInput(
            _(
                "No registrant with the e-mail address {emails} in event '{event}'.",
                emails=key,
                event=event.key,
            )
        )
    reg = person.registration
    row = person_row(person)
    return PersonDetail(
        **{item.name: getattr(row, item.name) for item in dataclasses.fields(row)},
        job_title=person.job_title,
        external_ref=person.external_ref,
        notes=person.notes,
        consent=person.consent,
        attempts=reg.attempts if reg is not None else OMIT,
        intent_at=reg.intent_at if reg is not None else OMIT,
        join_url=(reg.join_url if reg else None) if reveal_link else OMIT,
    )
