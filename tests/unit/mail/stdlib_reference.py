"""A reference build of the participant mail with the standard ``email`` package (tests, benchmarks).

The product writes mails with one builder, :func:`orchestrator.mail.fastmime.build_prepared`. This
is what a straightforward sender writes with the standard library: ``email.mime`` classes
(compat32, the cheaper of the stdlib's two APIs), the same structure
``multipart/mixed[ multipart/alternative[text/plain, text/html], text/calendar .ics ]`` and the same
headers, serialised with CRLF. ``test_fast_mime`` parses both back and compares them (an
independent oracle); the benchmarks' naive loops build with it, so the published ratios stay
comparable. It was the product's second builder (``build_message``) until one MIME path was left.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from email import encoders
from email.charset import BASE64, QP, Charset
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr

from orchestrator.mail.message import ICS_FILENAME, check_header_values, message_bytes
from orchestrator.mail.render import Recipient, RenderedMail

_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP
_UTF8_QP.header_encoding = BASE64


def stdlib_message(
    rendered: RenderedMail,
    *,
    sender: str,
    recipient: Recipient,
    message_id: str,
    reply_to: str | None = None,
    date: datetime | None = None,
) -> Message:
    """The participant mail as an ``email`` ``Message`` (compat32 ``email.mime`` classes)."""
    check_header_values(
        sender=sender, recipient=recipient, message_id=message_id, subject=rendered.subject, reply_to=reply_to
    )
    token = secrets.token_hex(12)
    alternative = MIMEMultipart("alternative", boundary=f"=_alt_{token}")
    alternative.attach(MIMEText(rendered.text, "plain", _UTF8_QP))  # type: ignore[arg-type]
    alternative.attach(MIMEText(rendered.html, "html", _UTF8_QP))  # type: ignore[arg-type]
    if rendered.ics is None:
        msg: Message = alternative
    else:
        msg = MIMEMultipart("mixed", boundary=f"=_mix_{token}")
        msg.attach(alternative)
        calendar = MIMEBase("text", "calendar", method="PUBLISH", charset="utf-8")
        calendar.set_payload(rendered.ics)
        encoders.encode_base64(calendar)
        filename = ICS_FILENAME.get(rendered.language, "event.ics")
        calendar.add_header("Content-Disposition", "attachment", filename=filename)
        msg.attach(calendar)
    msg["From"] = _address_header(sender)
    msg["To"] = _address_header(formataddr((recipient.display_name, recipient.email)))
    if reply_to:
        msg["Reply-To"] = _address_header(reply_to)
    msg["Subject"] = Header(rendered.subject, _UTF8_QP)  # type: ignore[assignment]  # compat32 takes Header
    msg["Date"] = format_datetime((date or datetime.now(UTC)).astimezone(UTC))
    msg["Message-ID"] = message_id
    msg["Content-Language"] = rendered.language
    msg["Auto-Submitted"] = "auto-generated"
    return msg


def _address_header(value: str) -> str:
    """``Name <addr>`` with a non-ASCII display name encoded (RFC 2047)."""
    name, addr = parseaddr(value)
    return formataddr((name, addr), charset="utf-8") if name else addr


def stdlib_bytes(rendered: RenderedMail, *, sender: str, recipient: Recipient, message_id: str) -> bytes:
    """:func:`stdlib_message` serialised for SMTP (CRLF line endings)."""
    return message_bytes(stdlib_message(rendered, sender=sender, recipient=recipient, message_id=message_id))
