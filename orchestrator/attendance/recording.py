"""Applying Zoom's meeting and participant notifications to the store (idempotent).

Participants are matched to people by the registrant id of their personal join link, then by
e-mail. Everyone else (guests without a registration, phone dial-ins) is kept only as an
anonymous participant key, so totals are right while nothing names them: we have no consent to
store their display names.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.db.models import AttendanceMark, MeetingRun, Person, ZoomMeeting, ZoomRegistration

PARTICIPANT_EVENTS = {"meeting.participant_joined": "join", "meeting.participant_left": "leave"}
TIME_FIELDS = {"join": "join_time", "leave": "leave_time"}
# A run recorded from Zoom's participant report when no meeting.started/ended was heard.
REPORT_RUN_PREFIX = "report-"


def parse_zoom_time(value: Any) -> datetime | None:
    """Zoom's ISO 8601 time ("2025-08-27T07:31:02Z") as aware UTC, None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def event_time(notification: dict[str, Any], now: datetime) -> datetime:
    """When Zoom says the notification happened (``event_ts``, ms), else ``now``."""
    ts = notification.get("event_ts")
    if isinstance(ts, int) and not isinstance(ts, bool) and ts > 0:
        return datetime.fromtimestamp(ts / 1000, UTC)
    return now


def record_run(session: Session, meeting: ZoomMeeting, notification: dict[str, Any], now: datetime) -> str:
    """``meeting.started`` / ``meeting.ended``: open or close the run with Zoom's meeting UUID."""
    obj = notification["payload"]["object"]
    uuid = str(obj.get("uuid") or "")[:100] or f"id-{meeting.zoom_meeting_id}"
    run = session.scalar(
        select(MeetingRun).where(MeetingRun.event_id == meeting.event_id, MeetingRun.zoom_uuid == uuid)
    )
    if run is None:
        run = MeetingRun(event_id=meeting.event_id, zoom_uuid=uuid)
        session.add(run)
    if notification["event"] == "meeting.started":
        run.started_at = parse_zoom_time(obj.get("start_time")) or event_time(notification, now)
        if run.ended_at is None:
            run.ended_at = reported_end(session, meeting.event_id, run.started_at)
        return "meeting_started"
    run.ended_at = parse_zoom_time(obj.get("end_time")) or event_time(notification, now)
    if run.started_at is None:
        run.started_at = parse_zoom_time(obj.get("start_time"))
    return "meeting_ended"


def reported_end(session: Session, event_id: int, started_at: datetime) -> datetime | None:
    """The end of a run Zoom's participant report already covered (a late ``meeting.started``).

    The report exists only for a held meeting, so a run that started before the report's last
    leave is over; without this it would stay open when its ``meeting.ended`` was lost.
    """
    return session.scalar(
        select(MeetingRun.ended_at)
        .where(
            MeetingRun.event_id == event_id,
            MeetingRun.zoom_uuid.startswith(REPORT_RUN_PREFIX),
            MeetingRun.ended_at >= started_at,
        )
        .order_by(MeetingRun.ended_at.desc())
        .limit(1)
    )


def participant_key(event_id: int, participant: dict[str, Any]) -> str:
    """A stable, non-identifying key for one Zoom participant across their joins and leaves."""
    for name in ("participant_uuid", "id", "registrant_id", "email", "participant_user_id"):
        value = participant.get(name)
        if isinstance(value, str | int) and str(value).strip():
            identity = f"{name}:{str(value).strip().lower()}"
            break
    else:
        identity = f"user:{participant.get('user_id')}:{participant.get('user_name')}"
    return hashlib.sha256(f"{event_id}|{identity}".encode()).hexdigest()


def find_person(session: Session, meeting: ZoomMeeting, participant: dict[str, Any]) -> Person | None:
    """The registered person behind a participant (registrant id first, then e-mail)."""
    registrant_id = participant.get("registrant_id")
    if isinstance(registrant_id, str) and registrant_id:
        person = session.scalar(
            select(Person)
            .join(ZoomRegistration, ZoomRegistration.person_id == Person.id)
            .where(
                ZoomRegistration.meeting_id == meeting.id,
                ZoomRegistration.zoom_registrant_id == registrant_id,
            )
        )
        if person is not None:
            return person
    email = participant.get("email")
    if isinstance(email, str) and email.strip():
        return session.scalar(
            select(Person).where(Person.event_id == meeting.event_id, Person.email == email.strip().lower())
        )
    return None


def zoom_identity(notification: dict[str, Any], participant: dict[str, Any]) -> tuple[str | None, str | None]:
    """Zoom's ``participant_uuid`` and the meeting instance's ``uuid`` (the Zoom App matches on them).

    Kept only for registered people (the caller asks only for them); guests stay anonymous.
    """

    def text(value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        return value.strip()[:64] or None

    return text(participant.get("participant_uuid")), text(notification["payload"]["object"].get("uuid"))


def _added_in_transaction(session: Session) -> set[tuple[str, str, datetime]]:
    """The marks this transaction added so far (a new transaction, after commit or rollback, starts empty)."""
    transaction = session.get_transaction()
    memo = session.info.get("attendance_marks_added")
    if memo is None or memo[0] is not transaction:
        memo = session.info["attendance_marks_added"] = (transaction, set())
    added: set[tuple[str, str, datetime]] = memo[1]
    return added


def record_participant(
    session: Session, meeting: ZoomMeeting, notification: dict[str, Any], now: datetime
) -> str:
    """``meeting.participant_joined`` / ``_left``: store one mark (a repeated one is a no-op)."""
    kind = PARTICIPANT_EVENTS[notification["event"]]
    participant = notification["payload"]["object"].get("participant")
    if not isinstance(participant, dict):
        return "ignored_no_participant"
    at = parse_zoom_time(participant.get(TIME_FIELDS[kind])) or event_time(notification, now)
    key = participant_key(meeting.event_id, participant)
    # Marks added in this transaction are remembered here and flushed together at its end (one
    # multi-row INSERT for a drain's batch instead of one flush per notification).
    added = _added_in_transaction(session)
    with session.no_autoflush:
        exists = (key, kind, at) in added or session.scalar(
            select(AttendanceMark.id).where(
                AttendanceMark.event_id == meeting.event_id,
                AttendanceMark.participant_key == key,
                AttendanceMark.kind == kind,
                AttendanceMark.at == at,
            )
        ) is not None
        if exists:
            return f"{kind}_duplicate"
        person = find_person(session, meeting, participant)
    uuids = zoom_identity(notification, participant) if person is not None else (None, None)
    session.add(
        AttendanceMark(
            event_id=meeting.event_id,
            person_id=person.id if person else None,
            participant_key=key,
            kind=kind,
            at=at,
            participant_uuid=uuids[0],
            meeting_uuid=uuids[1],
        )
    )
    added.add((key, kind, at))
    return f"{kind}_{'person' if person else 'guest'}"
