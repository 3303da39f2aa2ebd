"""Mail transports: SMTP and a directory of .eml files."""

from orchestrator.mail.transports.base import (
    Handover,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
    Transport,
    TransportError,
)
from orchestrator.mail.transports.eml import EmlDirectoryTransport, eml_filename
from orchestrator.mail.transports.smtp import SmtpTransport

__all__ = [
    "EmlDirectoryTransport",
    "Handover",
    "PermanentFailure",
    "SendResult",
    "SmtpTransport",
    "TemporaryFailure",
    "Transport",
    "TransportError",
    "eml_filename",
]
