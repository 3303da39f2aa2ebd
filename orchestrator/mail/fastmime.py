"""Write a rendered mail straight to SMTP wire bytes: the one MIME builder of participant mails.

Every participant mail (sent by the dispatcher, written to an .eml file, previewed) is built
here: ``multipart/mixed[ multipart/alternative[text/plain, text/html], text/calendar .ics ]``,
bodies UTF-8 quoted-printable (or 8bit, below), the .ics base64, CRLF line endings. Building
through the ``email`` package costs ~0.55 ms of pure-Python work per mail, and under the GIL that
work cannot run in parallel in the send threads; here the parts are joined as strings and encoded
by the C-implemented ``binascii`` codecs: ~0.06 ms per mail (``benchmarks/mail_build.py``).

With ``eight_bit=True`` the text parts go out as UTF-8 ``8bit`` (RFC 6152) when no line is
longer than SMTP allows: no encoding work, a smaller message and fewer lines for the server.
The SMTP transport announces it with ``BODY=8BITMIME`` and converts the message to
quoted-printable (:func:`seven_bit`) for the rare server without 8BITMIME.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import compat32
from email.utils import format_datetime, parseaddr
from typing import TYPE_CHECKING

from orchestrator.errors import BadInput
from orchestrator.i18n import translate
from orchestrator.mail.headers import (
    PLAIN_ADDRESS,
    address_tokens,
    cached_address_line,
    cached_unstructured_line,
    header_line,
)
from orchestrator.mail.message import ICS_FILENAME, check_header_values, message_bytes
from orchestrator.mail.prepared import PreparedMessage

if TYPE_CHECKING:
    from orchestrator.mail.render import Recipient, RenderedMail

_BASE64_LINE = 76
# RFC 5321 4.5.3.1.6: at most 998 octets per line before CRLF, also for 8bit content.
_MAX_LINE = 998


def quoted_printable(text: str) -> bytes:
    """UTF-8 quoted-printable body with CRLF line endings (lines of at most 76 characters)."""
    if "\r" in text:  # a lone CR would pass through b2a_qp unencoded: make every break an LF
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # With LF-only input b2a_qp writes LF breaks (also its soft breaks); SMTP wants CRLF.
    return binascii.b2a_qp(text.encode("utf-8"), istext=True).replace(b"\n", b"\r\n")


def base64_lines(data: bytes) -> bytes:
    """Base64 in lines of 76 characters joined by CRLF (no trailing line break)."""
    encoded = binascii.b2a_base64(data, newline=False)
    return b"\r\n".join(encoded[i : i + _BASE64_LINE] for i in range(0, len(encoded), _BASE64_LINE))


@functools.lru_cache(maxsize=64)
def _parse_address(value: str) -> tuple[str, str]:
    """(display name, address) of a sender/reply-to value; cached, senders repeat."""
    name, addr = parseaddr(value)
    if not addr:
        raise BadInput(translate("{value} is not a valid mail address.", value=value))
    return name, addr


def _text_part(subtype: str, text: str, eight_bit: bool) -> tuple[bytes, bool]:
    """A text part's headers and body; ``8bit`` if asked for and every line fits (else QP)."""
    if eight_bit:
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        body = text.replace("\n", "\r\n").encode("utf-8")
        if max(map(len, body.split(b"\r\n"))) <= _MAX_LINE:
            return _part_head(subtype, "8bit") + body, not body.isascii()
    return _part_head(subtype, "quoted-printable") + quoted_printable(text), False


@functools.cache
def _part_head(subtype: str, encoding: str) -> bytes:
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n'
    ).encode("ascii")


def seven_bit(prepared: PreparedMessage) -> PreparedMessage:
    """``prepared`` with its 8bit parts re-encoded as quoted-printable (for a server without 8BITMIME).

    Rare, so it goes through the ``email`` package rather than a second fast writer.
    """
    if not prepared.eight_bit:
        return prepared
    msg = message_from_bytes(prepared.data, policy=compat32)
    for part in msg.walk():
        if str(part.get("Content-Transfer-Encoding", "")).lower() == "8bit":
            raw = part.get_payload(decode=True)
            assert isinstance(raw, bytes)
            part.set_payload(quoted_printable(raw.decode("utf-8")).decode("ascii"))
            part.replace_header("Content-Transfer-Encoding", "quoted-printable")
    return replace(prepared, data=message_bytes(msg), eight_bit=False)


def build_prepared(
    rendered: RenderedMail,
    *,
    sender: str,
    recipient: Recipient,
    message_id: str,
    reply_to: str | None = None,
    date: datetime | None = None,
    eight_bit: bool = False,
) -> PreparedMessage:
    """Wire bytes and envelope for ``rendered``; ``message_id`` (``<uid@domain>``) is kept as given.

    Header values with a line break are refused (:class:`~orchestrator.mail.message.HeaderInjection`),
    as are a Message-ID not shaped like ``<id@domain>`` and an unparsable address.
    ``eight_bit``: write the text parts as UTF-8 ``8bit`` where possible (see the module doc).
    """
    check_header_values(
        sender=sender, recipient=recipient, message_id=message_id, subject=rendered.subject, reply_to=reply_to
    )
    from_name, from_addr = _parse_address(sender)
    # A plain addr-spec (what the import stores) is used as is; anything else goes through the parser.
    to_addr = recipient.email if PLAIN_ADDRESS.fullmatch(recipient.email) else parseaddr(recipient.email)[1]
    if not to_addr:
        raise BadInput(translate("{value} is not a valid mail address.", value=recipient.email))

    # "=_" never occurs in quoted-printable or base64 output, so these boundaries cannot collide:
    # they need not be random. Derived from the Message-ID, the same row gives the same bytes again.
    token = hashlib.sha256(message_id.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    alt_boundary = f"=_alt_{token}".encode("ascii")
    plain, plain_8bit = _text_part("plain", rendered.text, eight_bit)
    html, html_8bit = _text_part("html", rendered.html, eight_bit)
    alternative = b"".join(
        (
            b"--",
            alt_boundary,
            b"\r\n",
            plain,
            b"\r\n--",
            alt_boundary,
            b"\r\n",
            html,
            b"\r\n--",
            alt_boundary,
            b"--\r\n",
        )
    )
    if rendered.ics is None:
        content_type = f'Content-Type: multipart/alternative; boundary="=_alt_{token}"\r\n'
        body = alternative
    else:
        mix_boundary = f"=_mix_{token}".encode("ascii")
        filename = ICS_FILENAME.get(rendered.language, "event.ics")
        content_type = f'Content-Type: multipart/mixed; boundary="=_mix_{token}"\r\n'
        body = b"".join(
            (
                b"--",
                mix_boundary,
                b'\r\nContent-Type: multipart/alternative; boundary="',
                alt_boundary,
                b'"\r\n\r\n',
                alternative,
                b"\r\n--",
                mix_boundary,
                b'\r\nContent-Type: text/calendar; method="PUBLISH"; charset="utf-8"\r\n'
                b"Content-Transfer-Encoding: base64\r\n"
                b'Content-Disposition: attachment; filename="',
                filename.encode("ascii"),
                b'"\r\n\r\n',
                base64_lines(rendered.ics),
                b"\r\n--",
                mix_boundary,
                b"--\r\n",
            )
        )

    headers = [
        content_type,
        "MIME-Version: 1.0\r\n",
        cached_address_line("From", from_name, from_addr),
        header_line("To", address_tokens(recipient.display_name, to_addr)),
    ]
    if reply_to:
        headers.append(cached_address_line("Reply-To", *_parse_address(reply_to)))
    headers += [
        cached_unstructured_line("Subject", rendered.subject),
        f"Date: {format_datetime((date or datetime.now(UTC)).astimezone(UTC))}\r\n",
        f"Message-ID: {message_id}\r\n",
        header_line("Content-Language", [rendered.language]),
        # Tells auto-responders (vacation notices) not to answer a mass mailing.
        "Auto-Submitted: auto-generated\r\n",
        "\r\n",
    ]
    data = "".join(headers).encode("ascii") + body
    return PreparedMessage(
        data=data,
        sender=from_addr,
        recipients=(to_addr,),
        message_id=message_id,
        eight_bit=plain_8bit or html_8bit,
    )
