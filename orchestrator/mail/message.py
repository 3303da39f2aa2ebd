"""Header checks shared by every mail, and serialising a ready ``email`` ``Message`` for the wire.

Participant mails are written by one builder, :func:`orchestrator.mail.fastmime.build_prepared`
(straight to wire bytes). The ``email`` package is used only where a ``Message`` object already
exists: a caller hands one to a transport (the plain-text host instruction), and
:func:`orchestrator.mail.fastmime.seven_bit` re-encodes a parsed 8bit mail for an old server.
:func:`message_bytes` serialises such a ``Message`` with CRLF line endings, as SMTP requires.
"""

from __future__ import annotations

import re
from email.message import Message
from email.policy import Compat32
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from orchestrator.errors import BadInput
from orchestrator.i18n import translate

if TYPE_CHECKING:
    from orchestrator.mail.render import Recipient


class _Compat32FastFold(Compat32):
    """compat32 that writes short single-line ASCII headers directly.

    compat32 runs every header, even "MIME-Version: 1.0", through ``email.header.Header``, which
    was a third of the serialisation time; for such headers the result is the same text.
    """

    def _fold(self, name: str, value: Any, sanitize: bool) -> str:
        if (
            isinstance(value, str)
            and value.isascii()
            and "\r" not in value
            and "\n" not in value
            and len(name) + len(value) + 2 <= (self.max_line_length or 78)
        ):
            return f"{name}: {value}{self.linesep}"
        folded: str = super()._fold(name, value, sanitize)  # type: ignore[misc]
        return folded


# compat32 semantics with CRLF: what smtplib.send_message does, and what aiosmtpd expects.
SMTP_COMPAT = _Compat32FastFold(linesep="\r\n")

ICS_FILENAME = {"de": "termin.ics", "en": "event.ics"}


# CR, LF and the other characters that some programs treat as a line end.
_LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x85\u2028\u2029]")


class HeaderInjection(BadInput):
    """A value meant for a mail header contains a line break (possible header injection)."""


def refuse_line_breaks(field_name: str, value: str) -> None:
    """Raise :class:`HeaderInjection` when ``value`` contains CR, LF or another line separator."""
    if _LINE_BREAKS.search(value):
        raise HeaderInjection(
            translate(
                "The value for the mail header field {field} contains a line break and was refused.",
                field=field_name,
            )
        )


def check_header_values(
    *, sender: str, recipient: Recipient, message_id: str, subject: str, reply_to: str | None
) -> None:
    """Refuse line breaks in any header value and a Message-ID not shaped like ``<id@domain>``."""
    headers = {"From": sender, "Message-ID": message_id, "Subject": subject}
    if reply_to:
        headers["Reply-To"] = reply_to
    for name, value in headers.items():
        refuse_line_breaks(name, value)
    refuse_line_breaks("To", recipient.email)
    refuse_line_breaks("To", recipient.display_name)
    if not (
        message_id.startswith("<") and message_id.endswith(">") and "@" in message_id and message_id.isascii()
    ):
        raise BadInput(translate("Message-ID {mid} must look like <id@domain>.", mid=message_id))


def message_bytes(msg: Message) -> bytes:
    """Serialise ``msg`` with CRLF line endings (SMTP wire format, also used for .eml files)."""
    return msg.as_bytes(policy=SMTP_COMPAT)


def envelope_addresses(msg: Message) -> tuple[str, list[str]]:
    """(envelope sender, recipients) from the From/To headers of a built message."""
    _, from_addr = parseaddr(str(msg["From"]))
    _, to_addr = parseaddr(str(msg["To"]))
    return from_addr, [to_addr]
