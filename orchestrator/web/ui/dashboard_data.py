"""What the organiser dashboard shows, read from the store in one session (no Zoom calls)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.db.models import (
    Event,
    OutboxMessage,
    OutboxState,
    Person,
    WebhookEvent,
    ZoomMeeting,
    ZoomRegistration,
)
from orchestrator.db.models.person import PersonStatus, RegistrationState
from orchestrator.i18n import _, language
from orchestrator.mail.results import MailFailure
from orchestrator.mail.status import schedule
from orchestrator.registrants.headers import field_label
from orchestrator.registrants.records import RowIssue, reason_text
from orchestrator.registrants.report import STATES
from orchestrator.registrants.results import Problem
from orchestrator.web.registrations import REFUSED_PREFIX
from orchestrator.web.ui.people_data import PeopleFilter, people_page

MAX_REFUSED_SHOWN = 50
MAX_MAIL_FAILURES = 50
M = OutboxMessage
DASHBOARD_ROWS = 50  # the registrant table shows the first page; the people page has everyone
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
class RegistrationCounts:
    """How many people the event has, per registration state (``report.people``/``report.states``)."""

    people: int
    states: dict[str, int]


@dataclass(frozen=True)
class DashboardRow:
    """A row of the dashboard's registrant table (the first page of the people list)."""

    first_name: str
    last_name: str
    email: str
    organisation: str | None
    state: str
    mails: list[dict[str, Any]]


def failed_registrations(session: Session, event: Event) -> list[Problem]:
    """Active people whose Zoom registration was refused, with Zoom's reason (one query)."""
    # ``person_state`` is "failed" exactly for active people whose registration Zoom refused.
    rows = session.execute(
        select(Person.email, Person.first_name, Person.last_name, ZoomRegistration.last_error)
        .join(ZoomRegistration, ZoomRegistration.person_id == Person.id)
        .where(
            Person.event_id == event.id,
            Person.status == PersonStatus.ACTIVE,
            ZoomRegistration.state == RegistrationState.FAILED,
        )
        .order_by(Person.last_name, Person.first_name, Person.email)
    )
    return [
        Problem(
            email=email, name=f"{first} {last}".strip(), state="failed", reason=error or _(STATES["failed"])
        )
        for email, first, last, error in rows
    ]


def mail_failures(session: Session, event: Event, *, limit: int = MAX_MAIL_FAILURES) -> list[MailFailure]:
    """Failed mails and queued ones whose last attempt failed, as ``mail status`` lists them.

    Two narrow queries instead of :func:`orchestrator.mail.status.status`, whose counts per kind the
    dashboard does not show (they cost a grouped pass over every mail of the event).
    """
    found: list[MailFailure] = []
    for state in (OutboxState.FAILED, OutboxState.QUEUED):
        query = (
            select(M.id, Person.email, M.occasion, M.attempts, M.last_error, M.state)
            .join(Person, Person.id == M.person_id)
            .where(M.event_id == event.id, M.state == state)
            .order_by(M.occasion, Person.email)
            .limit(limit - len(found))
        )
        if state == OutboxState.QUEUED:
            query = query.where(M.last_error.is_not(None))
        found += [MailFailure(*row) for row in session.execute(query)]
        if len(found) >= limit:
            break
    return found


def dashboard(session: Session, event: Event, now: datetime, state_filter: str | None) -> dict[str, Any]:
    """Everything on the dashboard of ``event``; ``state_filter`` limits the registrant table.

    The cost does not grow with the number of people beyond grouped counts: the table shows the
    first page of the people list (``people_data``), the failures only the refused registrations.
    """
    wanted = state_filter if state_filter in STATES else None
    page = people_page(session, event, PeopleFilter(zoom=wanted), page_size=DASHBOARD_ROWS, counts=True)
    people = [
        DashboardRow(
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
            organisation=row.organisation,
            state=row.state,
            mails=[{"occasion": occasion, "state": mail_state} for occasion, mail_state in row.mails],
        )
        for row in page.rows
    ]
    return {
        "meeting": meeting_info(session, event),
        "report": RegistrationCounts(people=page.everyone, states=page.state_counts),
        "people": people,
        "people_total": page.total,
        "state_filter": wanted,
        "zoom_failures": failed_registrations(session, event),
        "zoom_refused": refused_zoom_registrations(session, event),
        "mail_failures": mail_failures(session, event),
        "schedule": schedule(session, event, now).mails,
        "now": now,
    }
