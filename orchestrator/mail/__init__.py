"""Participant mails: rendering (Jinja2, de/en), .ics, MIME building, transports, parallel sending.

The outbox, dispatcher and scheduler build on this API; nothing here touches the database. The use
cases live in :mod:`orchestrator.mail.service`. The names below are re-exported but load on first use,
so a command that only reads the outbox (``mail status``) does not load the renderer and the MIME writer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orchestrator.mail.fastmime import build_prepared
    from orchestrator.mail.ics import (
        ics_uid,
        make_ics,
    )
    from orchestrator.mail.message import (
        HeaderInjection,
        message_bytes,
        refuse_line_breaks,
    )
    from orchestrator.mail.outbox import backoff_delay
    from orchestrator.mail.prepared import (
        OutgoingMail,
        PreparedMessage,
        as_prepared,
    )
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
        provider_pacer,
    )

_MODULES = {
    "orchestrator.mail.fastmime": ("build_prepared",),
    "orchestrator.mail.ics": (
        "ics_uid",
        "make_ics",
    ),
    "orchestrator.mail.message": (
        "HeaderInjection",
        "message_bytes",
        "refuse_line_breaks",
    ),
    "orchestrator.mail.prepared": (
        "OutgoingMail",
        "PreparedMessage",
        "as_prepared",
    ),
    "orchestrator.mail.render": (
        "MAIL_KINDS",
        "EventInfo",
        "MailKind",
        "MailRenderer",
        "Occasion",
        "ProgrammeItem",
        "Recipient",
        "RenderedMail",
        "TemplateProblem",
    ),
    "orchestrator.mail.sender": (
        "Deferred",
        "Failed",
        "MailBuild",
        "Outcome",
        "ParallelSender",
        "SendJob",
        "SendReport",
        "Sent",
        "provider_pacer",
    ),
    "orchestrator.mail.outbox": ("backoff_delay",),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> object:
    """Load a re-exported name from its module on first use."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


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
