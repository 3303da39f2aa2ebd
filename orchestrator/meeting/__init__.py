"""The event's Zoom meeting: build its settings from the agenda and keep Zoom in line with it."""

from orchestrator.meeting.body import meeting_body, settings_hash
from orchestrator.meeting.service import MeetingSetup, SetupOutcome, setup_meeting

__all__ = ["MeetingSetup", "SetupOutcome", "meeting_body", "settings_hash", "setup_meeting"]
