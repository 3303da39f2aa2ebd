"""Retention: personal data of an event is purged ``retention_days`` after the event ended.

Purged: every person (and, by cascade, registrations, mails, assignments, attendance marks and
certificates), anonymous guest marks, stored Zoom notifications of the event's meeting, the
moderators' names and e-mail addresses in the stored agenda and rooms (numbered placeholders take
their place, see :mod:`orchestrator.privacy.moderators`), the event's moderator accounts and the
failed-login counters of those addresses. Kept: the event, its programme and rooms, and the
anonymous privacy log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from orchestrator.agenda import Agenda
from orchestrator.db.models import (
    AttendanceMark,
    Event,
    LoginAttempt,
    Person,
    PrivacyAudit,
    WebhookEvent,
    WebUser,
    ZoomMeeting,
)
from orchestrator.db.models.users import UserRole
from orchestrator.events import agenda_hash
from orchestrator.privacy.moderators import ModeratorRedaction, agenda_moderators, real_emails


@dataclass(frozen=True)
class PurgeOutcome:
    event_key: str
    people: int
    guest_marks: int
    webhook_events: int
    moderators: int = 0  # moderators (distinct e-mail addresses) removed from the agenda and rooms
    moderator_accounts: int = 0

    @property
    def anything(self) -> bool:
        return bool(
            self.people
            or self.guest_marks
            or self.webhook_events
            or self.moderators
            or self.moderator_accounts
        )


def expired_events(session: Session, now: datetime, retention_days: int) -> list[Event]:
    """Events whose end lies more than ``retention_days`` before ``now``."""
    cutoff = now - timedelta(days=retention_days)
    return list(session.scalars(select(Event).where(Event.end_utc <= cutoff).order_by(Event.end_utc)))


def purge_event(session: Session, event: Event, now: datetime, *, dry_run: bool = False) -> PurgeOutcome:
    """Remove the event's personal data (see module doc); the caller commits."""
    # An earlier event's purge detached every object (expunge_all): work on an attached copy.
    event = session.get(Event, event.id) or event
    people = session.scalar(select(func.count()).select_from(Person).where(Person.event_id == event.id)) or 0
    guests = (
        session.scalar(
            select(func.count())
            .select_from(AttendanceMark)
            .where(AttendanceMark.event_id == event.id, AttendanceMark.person_id.is_(None))
        )
        or 0
    )
    meeting_ids = [
        m
        for m in session.scalars(select(ZoomMeeting.zoom_meeting_id).where(ZoomMeeting.event_id == event.id))
        if m is not None
    ]
    webhooks = 0
    if meeting_ids:
        webhooks = (
            session.scalar(
                select(func.count())
                .select_from(WebhookEvent)
                .where(WebhookEvent.zoom_meeting_id.in_(meeting_ids))
            )
            or 0
        )
    moderator_emails = _moderator_emails(event)
    accounts = list(
        session.scalars(
            select(WebUser).where(WebUser.event_id == event.id, WebUser.role == UserRole.MODERATOR)
        )
    )
    outcome = PurgeOutcome(
        event.key, int(people), int(guests), int(webhooks), len(moderator_emails), len(accounts)
    )
    if dry_run or not outcome.anything:
        return outcome
    _redact_moderators(event)
    for account in accounts:
        session.delete(account)  # their sessions go with them (ON DELETE CASCADE)
    session.flush()
    _forget_login_attempts(session, moderator_emails | {a.email.casefold() for a in accounts})
    session.expunge_all()
    session.execute(delete(AttendanceMark).where(AttendanceMark.event_id == event.id))
    session.execute(delete(Person).where(Person.event_id == event.id))
    if meeting_ids:
        session.execute(delete(WebhookEvent).where(WebhookEvent.zoom_meeting_id.in_(meeting_ids)))
    detail = {
        "people": outcome.people,
        "guest_marks": outcome.guest_marks,
        "webhook_events": outcome.webhook_events,
        "moderators": outcome.moderators,
        "moderator_accounts": outcome.moderator_accounts,
    }
    session.add(
        PrivacyAudit(
            at=now, event_id=event.id, action="retention_purge", subject=f"event {event.key}", detail=detail
        )
    )
    session.flush()
    return outcome


def purge_expired(
    session: Session, now: datetime, retention_days: int, *, dry_run: bool = False
) -> list[PurgeOutcome]:
    """Purge every expired event; returns one outcome per expired event."""
    return [
        purge_event(session, event, now, dry_run=dry_run)
        for event in expired_events(session, now, retention_days)
    ]


def _moderator_emails(event: Event) -> set[str]:
    """Real (not yet replaced) moderator addresses in the event's agenda and room rows."""
    rooms = real_emails(m for round_row in event.rounds for room in round_row.rooms for m in room.moderators)
    return agenda_moderators(event.agenda_json) | rooms


def _redact_moderators(event: Event) -> None:
    """Replace the moderators in the stored agenda and in the room rows by placeholders."""
    redaction = ModeratorRedaction()
    document = redaction.agenda(event.agenda_json)
    event.agenda_json = document
    event.agenda_hash = agenda_hash(Agenda.model_validate(document))
    for round_row in event.rounds:
        for room in round_row.rooms:
            room.moderators = [redaction.replace(m) for m in room.moderators]


def _forget_login_attempts(session: Session, emails: set[str]) -> None:
    """Drop failed-login counters of these addresses unless a remaining account still uses one."""
    in_use = {e.casefold() for e in session.scalars(select(WebUser.email))}
    keys = [f"account:{email}"[:400] for email in emails - in_use]
    if keys:
        session.execute(delete(LoginAttempt).where(LoginAttempt.key.in_(keys)))
