"""Write a rendered mail straight to SMTP wire bytes (the fast path used when sending).

Same structure and headers as :func:`orchestrator.mail.message.build_message`:
``multipart/mixed[ multipart/alternative[text/plain, text/html], text/calendar .ics ]``, bodies
UTF-8 quoted-printable, the .ics base64, CRLF line endings. Building through the ``email``
package costs ~1 ms of pure-Python work per mail, and under the GIL that work cannot run in
parallel in the send threads; here the parts are joined as strings and encoded by the
C-implemented ``binascii`` codecs: ~0.1 ms per mail instead of ~0.7 ms.
"""

from __future__ import annotations

import binascii
import functools
import secrets
from datetime import UTC, datetime
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
from orchestrator.mail.message import ICS_FILENAME, check_header_values
from orchestrator.mail.prepared import PreparedMessage

if TYPE_CHECKING:
    from orchestrator.mail.render import Recipient, RenderedMail

_BASE64_LINE = 76


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


def _text_part(subtype: str, text: str) -> bytes:
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode("ascii") + quoted_printable(text)


def build_prepared(
    rendered: RenderedMail,
    *,
    sender: str,
    recipient: Recipient,
    message_id: str,
    reply_to: str | None = None,
    date: datetime | None = None,
) -> PreparedMessage:
    """Wire bytes and envelope for ``rendered``; arguments and checks as in ``build_message``."""
    check_header_values(
        sender=sender, recipient=recipient, message_id=message_id, subject=rendered.subject, reply_to=reply_to
    )
    from_name, from_addr = _parse_address(sender)
    # A plain addr-spec (what the import stores) is used as is; anything else goes through the parser.
    to_addr = recipient.email if PLAIN_ADDRESS.fullmatch(recipient.email) else parseaddr(recipient.email)[1]
    if not to_addr:
        raise BadInput(translate("{value} is not a valid mail address.", value=recipient.email))

    # "=_" never occurs in quoted-printable or base64 output, so these boundaries cannot collide.
    token = secrets.token_hex(12)
    alt_boundary = f"=_alt_{token}".encode("ascii")
    alternative = b"".join(
        (
            b"--",
            alt_boundary,
            b"\r\n",
            _text_part("plain", rendered.text),
            b"\r\n--",
            alt_boundary,
            b"\r\n",
            _text_part("html", rendered.html),
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
    return PreparedMessage(data=data, sender=from_addr, recipients=(to_addr,), message_id=message_id)
