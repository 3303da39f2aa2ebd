"""What the organiser dashboard shows, read from the store in one session (no Zoom calls)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.db.models import Event, OutboxMessage, Person, ZoomMeeting
from orchestrator.mail.status import schedule, status
from orchestrator.registrants.report import STATES, list_people, registration_report


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


def dashboard(session: Session, event: Event, now: datetime, state_filter: str | None) -> dict[str, Any]:
    """Everything on the dashboard of ``event``; ``state_filter`` limits the registrant table."""
    report = registration_report(session, event)
    wanted = [state_filter] if state_filter in STATES else None
    people = list_people(session, event, wanted)
    mails = mail_states_by_person(session, event)
    for person in people:
        person["mails"] = mails.get(person["email"], [])
    mail_status = status(session, event)
    return {
        "meeting": meeting_info(session, event),
        "report": report,
        "people": people,
        "state_filter": state_filter if wanted else None,
        "zoom_failures": [p for p in report["problems"] if p["state"] == "failed"],
        "mail_failures": mail_status["failures"],
        "mail_by_kind": mail_status["by_kind"],
        "schedule": schedule(session, event, now)["mails"],
        "now": now,
    }
