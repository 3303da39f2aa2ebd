"""Retention: personal data of an event is purged ``retention_days`` after the event ended.

Purged: every person (and, by cascade, registrations, mails, assignments, attendance marks and
certificates), anonymous guest marks, and stored Zoom notifications of the event's meeting. Kept:
the event and its agenda (organiser-supplied programme) and the anonymous privacy log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from orchestrator.db.models import AttendanceMark, Event, Person, PrivacyAudit, WebhookEvent, ZoomMeeting

if TYPE_CHECKING:
    from orchestrator.cli.runtime import Runtime


@dataclass(frozen=True)
class PurgeOutcome:
    event_key: str
    people: int
    guest_marks: int
    webhook_events: int


def expired_events(session: Session, now: datetime, retention_days: int) -> list[Event]:
    """Events whose end lies more than ``retention_days`` before ``now``."""
    cutoff = now - timedelta(days=retention_days)
    return list(session.scalars(select(Event).where(Event.end_utc <= cutoff).order_by(Event.end_utc)))


def purge_event(session: Session, event: Event, now: datetime, *, dry_run: bool = False) -> PurgeOutcome:
    """Remove the event's personal data (see module doc); the caller commits."""
    people = session.scalar(select(func.count()).select_from(Person).where(Person.event_id == event.id)) or 0
    guests = session.scalar(select(func.count()).select_from(AttendanceMark).where(
        AttendanceMark.event_id == event.id, AttendanceMark.person_id.is_(None))) or 0
    meeting_ids = [m for m in session.scalars(
        select(ZoomMeeting.zoom_meeting_id).where(ZoomMeeting.event_id == event.id)) if m is not None]
    webhooks = 0
    if meeting_ids:
        webhooks = session.scalar(select(func.count()).select_from(WebhookEvent).where(
            WebhookEvent.zoom_meeting_id.in_(meeting_ids))) or 0
    outcome = PurgeOutcome(event.key, int(people), int(guests), int(webhooks))
    if dry_run or not (people or guests or webhooks):
        return outcome
    session.expunge_all()
    session.execute(delete(AttendanceMark).where(AttendanceMark.event_id == event.id))
    session.execute(delete(Person).where(Person.event_id == event.id))
    if meeting_ids:
        session.execute(delete(WebhookEvent).where(WebhookEvent.zoom_meeting_id.in_(meeting_ids)))
    detail = {"people": outcome.people, "guest_marks": outcome.guest_marks,
              "webhook_events": outcome.webhook_events}
    session.add(PrivacyAudit(at=now, event_id=event.id, action="retention_purge",
                             subject=f"event {event.key}", detail=detail))
    session.flush()
    return outcome


def purge_expired(
    session: Session, now: datetime, retention_days: int, *, dry_run: bool = False
) -> list[PurgeOutcome]:
    """Purge every expired event; returns one outcome per expired event."""
    return [purge_event(session, event, now, dry_run=dry_run)
            for event in expired_events(session, now, retention_days)]


def run(rt: Runtime, event_key: str | None = None) -> dict[str, Any]:
    """Job function for the scheduler (daily): purge what has passed the retention period."""
    with rt.session() as session:
        outcomes = purge_expired(session, rt.clock.now(), rt.settings.retention_days)
        session.commit()
    return {"purged": [o.__dict__ for o in outcomes if o.people or o.guest_marks or o.webhook_events]}
