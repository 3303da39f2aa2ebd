"""The transport contract: open once, send many messages, close.

A transport raises :class:`TemporaryFailure` when the message may go through later (SMTP 4xx,
connection refused or dropped) and :class:`PermanentFailure` when the server rejected this message
for good (SMTP 5xx); in both cases the transport stays usable for the next message. Reasons are the
server's words, never message content (join URLs are credentials).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
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


class Handover(Protocol):
    """Brackets the one step after which a message counts as delivered.

    For SMTP that step is the final "." of DATA and the server's reply to it (a server that has
    seen the dot delivers, whatever happens to the connection afterwards); for an .eml directory
    it is the rename into place. The transport enters the handover right before that step, calls
    :meth:`delivered` inside it when the message was accepted, and leaves it right after. The
    dispatcher lets only a bounded number of messages into this state at once and records each as
    sent before leaving, which bounds the duplicates a crash can cause (see
    :mod:`orchestrator.mail.outbox`).
    """

    def __enter__(self) -> object: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def delivered(self, result: SendResult) -> None:
        """The message was accepted (called inside the handover; must not raise)."""


@runtime_checkable
class Transport(Protocol):
    """One mail channel; not thread-safe: give each worker thread its own."""

    def open(self) -> None:
        """Connect (may raise TemporaryFailure/PermanentFailure, e.g. for refused login)."""

    def send(self, msg: OutgoingMail, handover: Handover | None = None) -> SendResult:
        """Send one message: a ``PreparedMessage`` as is, a ``Message`` to the address in its To.

        ``handover``, when given, brackets the step that makes the message delivered.
        """

    def close(self) -> None:
        """Release the connection; safe to call twice."""
