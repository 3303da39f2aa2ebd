"""The transport contract: open once, send many messages, close.

A transport raises :class:`TemporaryFailure` when the message may go through later (SMTP 4xx,
connection refused or dropped) and :class:`PermanentFailure` when the server rejected this message
for good (SMTP 5xx); in both cases the transport stays usable for the next message. Reasons are the
server's words, never message content (join URLs are credentials).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from orchestrator.errors import OperationFailed
from orchestrator.mail.prepared import OutgoingMail


@dataclass(frozen=True)
class SendResult:
    """A message was accepted: by the SMTP server (its reply) or written to a file."""

    message_id: str
    recipients: tuple[str, ...]
    response: str


class TransportError(OperationFailed):
    """Sending one message failed; ``code`` is the SMTP reply code when there was one."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, reason={self.reason!r})"


class TemporaryFailure(TransportError):
    """Try again later (SMTP 4xx, connection problems, timeouts)."""


class PermanentFailure(TransportError):
    """The server refused this message for good (SMTP 5xx); other messages may still go through."""


@runtime_checkable
class Transport(Protocol):
    """One mail channel; not thread-safe: give each worker thread its own."""

    def open(self) -> None:
        """Connect (may raise TemporaryFailure/PermanentFailure, e.g. for refused login)."""

    def send(self, msg: OutgoingMail) -> SendResult:
        """Send one message: a ``PreparedMessage`` as is, a ``Message`` to the address in its To."""

    def close(self) -> None:
        """Release the connection; safe to call twice."""
