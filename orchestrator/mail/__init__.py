"""Participant mails: rendering (Jinja2, de/en), .ics, MIME building, transports, parallel sending.

The outbox, dispatcher and scheduler build on this API; nothing here touches the database.
"""

from orchestrator.mail.fastmime import build_prepared
from orchestrator.mail.ics import ics_uid, make_ics
from orchestrator.mail.message import HeaderInjection, message_bytes, refuse_line_breaks
from orchestrator.mail.prepared import OutgoingMail, PreparedMessage, as_prepared
from orchestrator.mail.render import (
    MAIL_KINDS,
    EventInfo,
    MailKind,
    MailRenderer,
    Occasion,
    ProgrammeItem,
    Recipient,
    RenderedMail,
    TemplateProblem,
)
from orchestrator.mail.sender import (
    Deferred,
    Failed,
    MailBuild,
    Outcome,
    ParallelSender,
    SendJob,
    SendReport,
    Sent,
    backoff_delay,
    provider_pacer,
)

__all__ = [
    "MAIL_KINDS",
    "Deferred",
    "EventInfo",
    "Failed",
    "HeaderInjection",
    "MailBuild",
    "MailKind",
    "MailRenderer",
    "Occasion",
    "Outcome",
    "OutgoingMail",
    "ParallelSender",
    "PreparedMessage",
    "ProgrammeItem",
    "Recipient",
    "RenderedMail",
    "SendJob",
    "SendReport",
    "Sent",
    "TemplateProblem",
    "as_prepared",
    "backoff_delay",
    "build_prepared",
    "ics_uid",
    "make_ics",
    "message_bytes",
    "provider_pacer",
    "refuse_line_breaks",
]
