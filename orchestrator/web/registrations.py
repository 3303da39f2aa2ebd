"""Registration notifications keep people in sync with Zoom's registration page without polling.

``registration_created`` / ``_approved``: the person (matched by e-mail, created with source
"zoom" when new) is registered with Zoom's registrant id, status and personal join link.
``registration_cancelled`` / ``_denied``: their registration and the person are cancelled.
The rules mirror the registrants reconciliation, so a webhook and a later reconcile agree.

A new person's fields get the import's checks (:mod:`orchestrator.registrants.person_fields`): a
line break in a name, an invisible bidi override or an address like ``=1+2@example.org`` is not
stored. The notification is then processed (state ``done``) with the outcome
``refused:<field>:<reason>`` (no value), and a warning is logged; nothing is retried.

A new person's answers to the form (``custom_questions``) become their wishes; an answer naming no
workshop, or one already wished, is noted on them (:mod:`orchestrator.registrants.zoom_answers`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.db.models import Event, Person, ZoomMeeting, ZoomRegistration
from orchestrator.db.models.person import PersonSource, PersonStatus, RegistrationState
from orchestrator.registrants.person_fields import PersonRefused, check_zoom_person
from orchestrator.registrants.zoom_answers import AnswerWishes, answers_of_agenda, problems_note

log = logging.getLogger(__name__)

REGISTERED_EVENTS = {"meeting.registration_created", "meeting.registration_approved"}
ENDED_EVENTS = {"meeting.registration_cancelled": "cancelled", "meeting.registration_denied": "denied"}
# Outcome of a registration whose fields the import would refuse: "refused:first_name:control_characters".
REFUSED_PREFIX = "refused:"


def _text(registrant: dict[str, Any], key: str) -> str:
    value = registrant.get(key)
    return value if isinstance(value, str) else ""


def _by_email(session: Session, meeting: ZoomMeeting, email: str) -> Person | None:
    return session.scalar(select(Person).where(Person.event_id == meeting.event_id, Person.email == email))


def _registrant(notification: dict[str, Any]) -> dict[str, Any] | None:
    registrant = notification["payload"].get("object", {}).get("registrant")
    return registrant if isinstance(registrant, dict) else None


def _answers(session: Session, meeting: ZoomMeeting, registrant: dict[str, Any]) -> AnswerWishes:
    """The wishes a new person gave in Zoom's form (an existing person keeps the wishes they have)."""
    event = session.get(Event, meeting.event_id)
    if event is None:
        return AnswerWishes()
    return answers_of_agenda(registrant.get("custom_questions"), event.agenda_json)


def _find(session: Session, meeting: ZoomMeeting, registrant: dict[str, Any]) -> tuple[Person | None, str]:
    email = str(registrant.get("email") or "").strip().lower()
    registrant_id = str(registrant.get("id") or "")
    if registrant_id:
        person = session.scalar(
            select(Person)
            .join(ZoomRegistration, ZoomRegistration.person_id == Person.id)
            .where(
                ZoomRegistration.meeting_id == meeting.id,
                ZoomRegistration.zoom_registrant_id == registrant_id,
            )
        )
        if person is not None:
            return person, email
    if not email:
        return None, email
    person = session.scalar(select(Person).where(Person.event_id == meeting.event_id, Person.email == email))
    return person, email


def apply_registration(
    session: Session,
    meeting: ZoomMeeting,
    notification: dict[str, Any],
    now: datetime,
    default_language: str = "de",
) -> str:
    """Apply one registration notification; returns an outcome name."""
    registrant = _registrant(notification)
    if registrant is None or not (registrant.get("email") or registrant.get("id")):
        return "ignored_no_registrant"
    person, email = _find(session, meeting, registrant)
    event_type = notification["event"]
    if event_type in REGISTERED_EVENTS:
        return _registered(session, meeting, person, email, registrant, event_type, now, default_language)
    if person is None:
        return "cancel_unknown_person"
    reg = person.registration
    if reg is not None:
        reg.state = RegistrationState.CANCELLED
        reg.zoom_status = ENDED_EVENTS[event_type]
        reg.join_url = None  # a dead link is still a credential-shaped secret: do not keep it
        reg.cancelled_at = now
        reg.claim_token = None
    if person.status != PersonStatus.CANCELLED:
        person.status = PersonStatus.CANCELLED
        person.cancelled_at = now
    session.flush()
    return f"registration_{ENDED_EVENTS[event_type]}"


def _registered(  # noqa: PLR0913  the parts of one webhook registration
    session: Session,
    meeting: ZoomMeeting,
    person: Person | None,
    email: str,
    registrant: dict[str, Any],
    event_type: str,
    now: datetime,
    default_language: str,
) -> str:
    registrant_id = str(registrant.get("id") or "")[:100] or None
    status = (
        "approved"
        if event_type == "meeting.registration_approved"
        else str(registrant.get("status") or "approved")[:20]
    )
    outcome = "registration_updated"
    if person is None:
        if not email:
            return "ignored_no_email"
        try:
            checked = check_zoom_person(
                str(registrant.get("email")), _text(registrant, "first_name"), _text(registrant, "last_name")
            )
        except PersonRefused as refused:
            # Processed, not failed: the same fields would be refused on every retry. No value is logged.
            log.warning(
                "zoom registration refused",
                extra={
                    "zoom_meeting_id": meeting.zoom_meeting_id,
                    "field": refused.field,
                    "reason": refused.reason,
                },
            )
            return f"{REFUSED_PREFIX}{refused.note}"
        person = _by_email(session, meeting, checked.email.identity)
        if person is None:
            answers = _answers(session, meeting, registrant)
            display = str(registrant.get("email")).strip()  # as written, like reconcile
            person = Person(
                event_id=meeting.event_id,
                email=checked.email.identity,
                email_display=display,
                first_name=checked.first_name[:200] or display.split("@", 1)[0],
                last_name=checked.last_name[:200],
                language=default_language,
                wishes=answers.wishes,
                notes=problems_note(answers.problems),
                source=PersonSource.ZOOM,
                status=PersonStatus.ACTIVE,
                registered_at=now,
            )
            session.add(person)
            outcome = "registration_new_person"
    reg = person.registration
    if reg is None:
        reg = ZoomRegistration(
            meeting_id=meeting.id, state=RegistrationState.PENDING, attempts=0, adds_on_day=0
        )
        person.registration = reg
    elif person.status == PersonStatus.CANCELLED:
        if reg.zoom_registrant_id == registrant_id:
            return "registration_cancel_pending"  # our own cancel of this registration is still on its way
        person.status = PersonStatus.ACTIVE  # registered anew on Zoom's page after a cancellation
        person.cancelled_at = None
        outcome = "registration_reactivated"
    reg.state = RegistrationState.REGISTERED
    reg.claim_token = None
    reg.zoom_registrant_id = registrant_id
    reg.zoom_status = status
    join_url = registrant.get("join_url")
    if isinstance(join_url, str) and join_url:
        reg.join_url = join_url
    reg.last_error = None
    reg.cancelled_at = None
    reg.confirmed_at = now  # a reconcile whose listing started before this cannot take it as deleted
    if reg.registered_at is None:
        reg.registered_at = now
    session.flush()
    return outcome
