"""The one MIME builder (``build_prepared``): structure, Message-ID, CRLF wire format, header injection."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header

import pytest

from orchestrator.errors import BadInput
from orchestrator.mail import (
    EventInfo,
    HeaderInjection,
    MailRenderer,
    Occasion,
    Recipient,
    build_prepared,
)

from .conftest import JOIN_DE, SENDER

MID = "<outbox-42@fachtag.example.org>"


def _header(value: object) -> str:
    """The decoded text of a raw (compat32) header value, unfolded first (RFC 5322 2.2.3)."""
    return str(make_header(decode_header(str(value).replace("\r\n", "").replace("\n", ""))))


def test_structure_and_headers(renderer: MailRenderer, event: EventInfo, person_de: Recipient) -> None:
    rendered = renderer.render("reminder", event, person_de, Occasion(reminder_offset=timedelta(hours=1)))
    msg = build_prepared(
        rendered,
        sender=SENDER,
        recipient=person_de,
        message_id=MID,
        reply_to="team@forum-seniorenarbeit.de",
        date=datetime(2025, 8, 27, 6, 30, tzinfo=UTC),
    )
    parsed = email.message_from_bytes(msg.data)
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, calendar = parsed.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, html = alternative.get_payload()
    assert plain.get_content_type() == "text/plain" and plain.get_content_charset() == "utf-8"
    assert html.get_content_type() == "text/html"
    assert plain.get_payload(decode=True).decode("utf-8").replace("\r\n", "\n") == rendered.text
    assert html.get_payload(decode=True).decode("utf-8").replace("\r\n", "\n") == rendered.html
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "PUBLISH"
    assert calendar.get_filename() == "termin.ics"
    assert calendar.get_payload(decode=True) == rendered.ics

    assert parsed["Message-ID"] == MID
    assert _header(parsed["To"]) == "Elif Fuß <elif.fuss@example.org>"
    assert _header(parsed["From"]) == SENDER
    assert parsed["Reply-To"] == "team@forum-seniorenarbeit.de"
    assert _header(parsed["Subject"]) == rendered.subject
    assert parsed["Date"] == "Wed, 27 Aug 2025 06:30:00 +0000"
    assert parsed["Content-Language"] == "de"
    assert JOIN_DE.encode() not in msg.data.split(b"\r\n\r\n", 1)[0]  # never in headers
    assert (msg.sender, msg.recipients) == ("info@forum-seniorenarbeit.de", ("elif.fuss@example.org",))


def test_wire_format_uses_crlf_only(renderer: MailRenderer, event: EventInfo, person_de: Recipient) -> None:
    data = build_prepared(
        renderer.render("confirmation", event, person_de),
        sender=SENDER,
        recipient=person_de,
        message_id=MID,
    ).data
    assert b"\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")  # no bare LF (aiosmtpd would refuse long "lines")
    assert max(len(line) for line in data.split(b"\r\n")) <= 998


def test_message_without_ics_is_alternative(
    renderer: MailRenderer, event: EventInfo, person_de: Recipient
) -> None:
    rendered = renderer.render("thank_you", event, person_de, with_ics=False)
    msg = build_prepared(rendered, sender=SENDER, recipient=person_de, message_id=MID)
    assert email.message_from_bytes(msg.data).get_content_type() == "multipart/alternative"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sender", "Forum <info@example.org>\r\nBcc: victim@example.net"),
        ("reply_to", "team@example.org\nBcc: victim@example.net"),
        ("message_id", "<a@b>\r\nX-Evil: 1"),
    ],
)
def test_header_injection_refused(
    renderer: MailRenderer, event: EventInfo, person_de: Recipient, field: str, value: str
) -> None:
    rendered = renderer.render("confirmation", event, person_de)
    kwargs = {"sender": SENDER, "recipient": person_de, "message_id": MID, "reply_to": None, field: value}
    with pytest.raises(HeaderInjection):
        build_prepared(rendered, **kwargs)  # type: ignore[arg-type]


def test_header_injection_via_recipient_refused_at_build(
    renderer: MailRenderer, event: EventInfo, person_de: Recipient
) -> None:
    rendered = renderer.render("confirmation", event, person_de)
    evil = Recipient("elif.fuss@example.org", "Elif\r\nBcc: victim@example.net", "Fuß", "de", JOIN_DE)
    with pytest.raises(HeaderInjection):
        build_prepared(rendered, sender=SENDER, recipient=evil, message_id=MID)


def test_message_id_must_be_bracketed(renderer: MailRenderer, event: EventInfo, person_de: Recipient) -> None:
    rendered = renderer.render("confirmation", event, person_de)
    with pytest.raises(BadInput, match="Message-ID"):
        build_prepared(rendered, sender=SENDER, recipient=person_de, message_id="outbox-42")
