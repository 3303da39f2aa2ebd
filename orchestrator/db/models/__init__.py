"""All ORM models; importing this package registers every table on ``Base.metadata``."""

from orchestrator.db.models.breakouts import BreakoutApply, BreakoutAssignment, BreakoutPlanVersion
from orchestrator.db.models.event import AgendaBlock, BreakoutRoom, BreakoutRoundRecord, Event
from orchestrator.db.models.lease import OperationLease
from orchestrator.db.models.mail import OutboxMessage, OutboxState
from orchestrator.db.models.organiser import AgendaVersion, MailHold, WebAuditEntry
from orchestrator.db.models.person import Person, ZoomRegistration
from orchestrator.db.models.users import LoginAttempt, ModeratorLink, UserRole, WebSession, WebUser
from orchestrator.db.models.web import (
    AttendanceCertificate,
    AttendanceMark,
    MeetingRun,
    PrivacyAudit,
    WebhookEvent,
)
from orchestrator.db.models.zoom import ZoomAuditEntry, ZoomMeeting

__all__ = [
    "AgendaBlock",
    "AgendaVersion",
    "AttendanceCertificate",
    "AttendanceMark",
    "BreakoutApply",
    "BreakoutAssignment",
    "BreakoutPlanVersion",
    "BreakoutRoom",
    "BreakoutRoundRecord",
    "Event",
    "LoginAttempt",
    "MailHold",
    "MeetingRun",
    "ModeratorLink",
    "OperationLease",
    "OutboxMessage",
    "OutboxState",
    "Person",
    "PrivacyAudit",
    "UserRole",
    "WebAuditEntry",
    "WebSession",
    "WebUser",
    "WebhookEvent",
    "ZoomAuditEntry",
    "ZoomMeeting",
    "ZoomRegistration",
]
