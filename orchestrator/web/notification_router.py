"""Route one stored Zoom notification to the code that applies it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.attendance.recording import PARTICIPANT_EVENTS, record_participant, record_run
from orchestrator.db.models import ZoomMeeting
from orchestrator.ids import parse_store_id
from orchestrator.web.inbox import Handler
from orchestrator.web.registrations import ENDED_EVENTS, REGISTERED_EVENTS, apply_registration

RUN_EVENTS = {"meeting.started", "meeting.ended"}
HANDLED_EVENTS = frozenset(RUN_EVENTS | set(PARTICIPANT_EVENTS) | REGISTERED_EVENTS | set(ENDED_EVENTS))


def make_handler(default_language: str = "de") -> Handler:
    """A handler for :func:`orchestrator.web.inbox.drain`."""

    def handle(session: Session, notification: dict[str, Any], now: datetime) -> str:
        return handle_notification(session, notification, now, default_language=default_language)

    return handle


def handle_notification(
    session: Session, notification: dict[str, Any], now: datetime, *, default_language: str = "de"
) -> str:
    """Apply ``notification``; unknown event types and meetings of other events are ignored."""
    event_type = notification.get("event")
    if event_type not in HANDLED_EVENTS:
        return "ignored_event_type"
    obj = (notification.get("payload") or {}).get("object")
    raw_id = obj.get("id") if isinstance(obj, dict) else None
    if raw_id is None:
        return "ignored_no_meeting"
    meeting_id = parse_store_id(raw_id)
    if meeting_id is None:  # "²³", 20 digits, "12a": no meeting of ours; processed, not retried
        return "ignored_bad_meeting_id"
    meeting = _meeting(session, meeting_id)
    if meeting is None:
        return "ignored_other_meeting"
    if event_type in RUN_EVENTS:
        return record_run(session, meeting, notification, now)
    if event_type in PARTICIPANT_EVENTS:
        return record_participant(session, meeting, notification, now)
    return apply_registration(session, meeting, notification, now, default_language)


def _meeting(session: Session, zoom_meeting_id: int) -> ZoomMeeting | None:
    """The stored meeting, looked up once per session (a drain applies dozens per transaction)."""
    known: dict[int, ZoomMeeting] = session.info.setdefault("meetings_by_zoom_id", {})
    meeting = known.get(zoom_meeting_id)
    if meeting is None:
        with session.no_autoflush:  # the meeting does not depend on the marks just added
            meeting = session.scalar(
                select(ZoomMeeting).where(ZoomMeeting.zoom_meeting_id == zoom_meeting_id)
            )
        if meeting is not None:  # an unknown id is asked again: the meeting may be set up meanwhile
            known[zoom_meeting_id] = meeting
    return meeting
