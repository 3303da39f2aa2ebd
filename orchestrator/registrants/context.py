"""Collaborators of the registrant services that talk to Zoom, and the audit of their writes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.db.models import Event, ZoomMeeting
from orchestrator.db.models.zoom import MeetingState
from orchestrator.errors import BadInput
from orchestrator.i18n import _
from orchestrator.zoom.ratelimit import ZoomRateLimiter
from orchestrator.zoom_audit import ZoomWriteContext

# Zoom's limits that the sync respects before Zoom has to refuse anything.
ZOOM_REGISTRANT_CAP = 4999  # registrants per meeting
ZOOM_DAILY_ADDS = 3  # add-registrant calls per registrant and UTC day
ZOOM_HOST_CANNOT_REGISTER = 3027  # Zoom's error code: "Host can not register"
ZOOM_MEETING_FULL = 3043  # Zoom's error code: "Meeting has reached maximum attendee capacity"

Progress = Callable[[int, int], None]


@dataclass
class ZoomWork(ZoomWriteContext):
    """What a service that changes registrations in Zoom needs.

    ``session`` is committed at the exactly-once points (intent before each call, result after),
    which is why the services own these commits rather than the caller.
    """

    # Even spacing per rate category (``ZoomRateLimiter.steady``), so a long sync never meets a 429.
    pacer: ZoomRateLimiter
    registrant_cap: int = ZOOM_REGISTRANT_CAP
    daily_adds: int = ZOOM_DAILY_ADDS
    zoom_calls: dict[str, int] = field(default_factory=dict)
    # Called before every Zoom write and before a listing is applied, with no uncommitted writes in
    # ``session``: renews the operation's lease, raises ``LeaseLost`` when another process took it.
    keep_alive: Callable[[], None] = field(default=lambda: None)

    def commit(self) -> None:
        self.session.commit()

    def count_call(self, name: str) -> None:
        self.zoom_calls[name] = self.zoom_calls.get(name, 0) + 1


def active_meeting(session: Session, event: Event) -> ZoomMeeting:
    """The event's Zoom meeting, or a clear message that it must be set up first."""
    meeting = session.scalar(select(ZoomMeeting).where(ZoomMeeting.event_id == event.id))
    if meeting is None or meeting.state != MeetingState.ACTIVE or meeting.zoom_meeting_id is None:
        raise BadInput(
            _(
                "The event '{event}' has no Zoom meeting yet. Run 'orchestrator meeting setup AGENDA.yaml' "
                "first.",
                event=event.key,
            )
        )
    return meeting
