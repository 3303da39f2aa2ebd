"""The event's Zoom meeting: build its settings from the agenda and keep Zoom in line with it."""

from orchestrator.meeting.body import meeting_body, settings_hash
from orchestrator.meeting.questions import registration_questions
from orchestrator.meeting.service import (
    MeetingSetup,
    MeetingStatus,
    SetupOutcome,
    SetupResult,
    meeting_status,
    run_setup,
    setup_meeting,
)

__all__ = [
    "MeetingSetup",
    "MeetingStatus",
    "SetupOutcome",
    "SetupResult",
    "meeting_body",
    "meeting_status",
    "registration_questions",
    "run_setup",
    "settings_hash",
    "setup_meeting",
]
