"""A mail ready for the wire: serialised bytes plus its envelope.

:func:`orchestrator.mail.fastmime.build_prepared` produces this form directly; a ready
:class:`email.message.Message` (the plain-text host instruction) is converted with
:func:`as_prepared`. Transports accept both.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message

from orchestrator.mail.message import envelope_addresses, message_bytes


@dataclass(frozen=True)
class PreparedMessage:
    """``data`` is the whole message with CRLF line endings, exactly as it goes into SMTP DATA.

    ``eight_bit``: the content has 8bit parts (the SMTP transport sends ``BODY=8BITMIME``).
    """

    data: bytes
    sender: str
    recipients: tuple[str, ...]
    message_id: str
    eight_bit: bool = False

    def __repr__(self) -> str:  # the body holds the personal join link (a credential)
        return (
            f"PreparedMessage(message_id={self.message_id!r}, recipients={self.recipients!r}, "
            f"size={len(self.data)})"
        )


OutgoingMail = Message | PreparedMessage


def as_prepared(msg: OutgoingMail) -> PreparedMessage:
    """``msg`` as a :class:`PreparedMessage` (a built ``Message`` is serialised with CRLF)."""
    if isinstance(msg, PreparedMessage):
        return msg
    sender, recipients = envelope_addresses(msg)
    message_id = msg["Message-ID"]
    return PreparedMessage(
        data=message_bytes(msg),
        sender=sender,
        recipients=tuple(recipients),
        message_id=str(message_id) if message_id else "",
    )
