"""Mail transports: SMTP and a directory of .eml files."""

from orchestrator.mail.transports.base import (
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
    "PermanentFailure",
    "SendResult",
    "SmtpTransport",
    "TemporaryFailure",
    "Transport",
    "TransportError",
    "eml_filename",
]
