"""What the organiser dashboard shows, read from the store in one session (no Zoom calls)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.db.models import Event, OutboxMessage, Person, WebhookEvent, ZoomMeeting
from orchestrator.i18n import language
from orchestrator.mail.status import schedule, status
from orchestrator.registrants.headers import field_label
from orchestrator.registrants.records import RowIssue, reason_text
from orchestrator.registrants.report import STATES, list_people, registration_report
from orchestrator.registrants.results import PersonRow
from orchestrator.web.registrations import REFUSED_PREFIX

MAX_REFUSED_SHOWN = 50
_EMAIL_DETAILS = frozenset({"formula_prefix", "non_ascii_local_part"})


def events_overview(session: Session) -> list[dict[str, Any]]:
    """Every event, newest first, with its meeting state."""
    meetings = {m.event_id: m for m in session.scalars(select(ZoomMeeting))}
    return [
        {
            "key": e.key,
            "title": e.title,
            "start": e.start_utc,
            "timezone": e.timezone,
            "meeting_state": meetings[e.id].state if e.id in meetings else None,
        }
        for e in session.scalars(select(Event).order_by(Event.start_utc.desc(), Event.key))
    ]


def meeting_info(session: Session, event: Event) -> dict[str, Any] | None:
    """The event's Zoom meeting (no secrets: the registration page is public by design)."""
    meeting = session.scalar(select(ZoomMeeting).where(ZoomMeeting.event_id == event.id))
    if meeting is None:
        return None
    return {
        "state": meeting.state,
        "zoom_meeting_id": meeting.zoom_meeting_id,
        "start_time": meeting.start_time,
        "registration_url": meeting.registration_url,
        "last_checked_at": meeting.last_checked_at,
    }


def mail_states_by_person(session: Session, event: Event) -> dict[str, list[dict[str, Any]]]:
    """Per e-mail: the person's mails (occasion, state, due time), in due order."""
    rows = session.execute(
        select(Person.email, OutboxMessage.occasion, OutboxMessage.state, OutboxMessage.due_at)
        .join(Person, Person.id == OutboxMessage.person_id)
        .where(OutboxMessage.event_id == event.id)
        .order_by(Person.email, OutboxMessage.due_at, OutboxMessage.occasion)
    )
    result: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for email, occasion, state, due_at in rows:
        result[email].append({"occasion": occasion, "state": state, "due_at": due_at})
    return result


@dataclass(frozen=True)
class RefusedRegistration:
    """A registration from Zoom's page the field checks refused; texts in the page's language."""

    received_at: datetime
    field: str
    code: str
    detail: str

    def field_label(self, lang: str) -> str:
        with language(lang):
            return field_label(self.field)

    def reason(self, lang: str) -> str:
        issue = RowIssue(
            row=0, field=self.field, column=None, code=self.code, value_preview_safe="", detail=self.detail
        )
        with language(lang):
            return reason_text(issue)


def refused_zoom_registrations(session: Session, event: Event) -> list[RefusedRegistration]:
    """Registrations from Zoom's page that the import's field checks refused (newest first).

    Only time, field and reason are known: the notification's personal payload is dropped once it
    is processed, and the refusal note never held the value.
    """
    meeting_id = session.scalar(select(ZoomMeeting.zoom_meeting_id).where(ZoomMeeting.event_id == event.id))
    if meeting_id is None:
        return []
    rows = session.execute(
        select(WebhookEvent.received_at, WebhookEvent.outcome)
        .where(WebhookEvent.zoom_meeting_id == meeting_id, WebhookEvent.outcome.like(f"{REFUSED_PREFIX}%"))
        .order_by(WebhookEvent.id.desc())
        .limit(MAX_REFUSED_SHOWN)
    )
    refused = []
    for received_at, outcome in rows:
        field, _sep, reason = str(outcome).removeprefix(REFUSED_PREFIX).partition(":")
        code, detail = ("invalid_email", reason) if reason in _EMAIL_DETAILS else (reason, "")
        refused.append(RefusedRegistration(received_at, field, code, detail))
    return refused


@dataclass(frozen=True)
class RegistrantWithMails(PersonRow):
    """A row of the registrant table: the person's registration and their mails."""

    mails: list[dict[str, Any]]

    @classmethod
    def of(cls, person: PersonRow, mails: list[dict[str, Any]]) -> RegistrantWithMails:
        return cls(**{item.name: getattr(person, item.name) for item in fields(person)}, mails=mails)


def dashboard(session: Session, event: Event, now: datetime, state_filter: str | None) -> dict[str, Any]:
    """Everything on the dashboard of ``event``; ``state_filter`` limits the registrant table."""
    report = registration_report(session, event)
    wanted = [state_filter] if state_filter in STATES else None
    mails = mail_states_by_person(session, event)
    people = [
        RegistrantWithMails.of(person, mails.get(person.email, []))
        for person in list_people(session, event, wanted)
    ]
    mail_status = status(session, event)
    return {
        "meeting": meeting_info(session, event),
        "report": report,
        "people": people,
        "state_filter": state_filter if wanted else None,
        "zoom_failures": [p for p in report.problems if p.state == "failed"],
        "zoom_refused": refused_zoom_registrations(session, event),
        "mail_failures": mail_status.failures,
        "mail_by_kind": mail_status.by_kind,
        "schedule": schedule(session, event, now).mails,
        "now": now,
    }
