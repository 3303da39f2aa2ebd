"""The one MIME builder writes the same mail as the standard library would (parsed back and compared)."""

from __future__ import annotations

import email
import email.policy
import quopri
import re
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from email.message import EmailMessage, Message

import pytest

from orchestrator.errors import BadInput
from orchestrator.mail import (
    EventInfo,
    HeaderInjection,
    MailBuild,
    MailRenderer,
    Occasion,
    Recipient,
    RenderedMail,
    message_bytes,
)
from orchestrator.mail.fastmime import base64_lines, build_prepared, quoted_printable
from orchestrator.mail.headers import encoded_words, header_line
from orchestrator.mail.prepared import PreparedMessage, as_prepared

from .conftest import SENDER
from .stdlib_reference import stdlib_message

MID = "<outbox-42@fachtag.example.org>"
DATE = datetime(2025, 8, 27, 6, 30, tzinfo=UTC)
REPLY_TO = "Rückfragen Fachtag <team@forum-seniorenarbeit.de>"
LONG_URL = "https://zoom.us/w/85512345678?tk=" + "Ab1-_" * 60 + "&uuid=WN_a,b;c&pwd=x%20y"

# (email, first name, last name, language, join URL)
PEOPLE: list[tuple[str, str, str, str, str | None]] = [
    ("elif.fuss@example.org", "Elif", "Fuß", "de", "https://zoom.us/w/1?tk=a"),
    ("sam.taylor@example.com", "Sam", "Taylor", "en", "https://zoom.us/w/1?tk=b"),
    ("j.mueller@example.org", "Jürgen", "Müller-Lüdenscheidt", "de", LONG_URL),
    ("amp@example.org", "Tom & Jerry", "<Cartoon>", "en", LONG_URL),
    ("quote@example.org", 'Anna "Nan"', "Back\\slash", "de", "https://zoom.us/w/1?tk=c"),
    ("dots@example.org", "Dr. med.", "Ölßner, Änne", "de", "https://zoom.us/w/1?tk=d"),
    ("fake@example.org", "=?utf-8?q?Fake?=", "Name", "en", "https://zoom.us/w/1?tk=e"),
    ("nolink@example.org", "Kein", "Link", "de", None),
    ("emoji@example.org", "Zoë 🌻", "Ἀθηνᾶ 中文", "en", "https://zoom.us/w/1?tk=f"),
    (
        "long.name@example.org",
        "Maria-Theresia Walburga Amalia Christina",
        "von und zu Hohenlohe-Waldenburg-Schillingsfürst-Sigmaringen Gräfin",
        "de",
        LONG_URL,
    ),
    (
        "long.ascii@example.org",
        "Bartholomew Maximilian Alexander Christopher",
        "Featherstonehaugh-Cholmondeley-Marjoribanks of Inverness",
        "en",
        "https://zoom.us/w/1?tk=g",
    ),
    ("plus+tag@sub.example.org", "Ünal", "Ağaoğlu", "de", "https://zoom.us/w/1?tk=h"),
]


def _people() -> list[Recipient]:
    return [Recipient(e, f, la, lang, url) for e, f, la, lang, url in PEOPLE]  # type: ignore[arg-type]


def _parse(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _structure(msg: Message) -> list[tuple[str, str | None, str | None]]:
    return [(part.get_content_type(), part.get_content_charset(), part.get_filename()) for part in msg.walk()]


def _bodies(msg: EmailMessage) -> dict[str, str | bytes]:
    bodies: dict[str, str | bytes] = {}
    for part in msg.walk():
        if part.get_content_maintype() == "multipart":
            continue
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        ctype = part.get_content_type()
        bodies[ctype] = payload if ctype == "text/calendar" else payload.decode("utf-8").replace("\r\n", "\n")
    return bodies


def _unfold(value: object) -> str:
    return str(value).replace("\r\n", "").replace("\n", "")


def _check_wire_format(data: bytes) -> None:
    assert data.count(b"\n") == data.count(b"\r\n") and data.count(b"\r") == data.count(b"\r\n")
    assert max(len(line) for line in data.split(b"\r\n")) <= 998
    head, _, body = data.partition(b"\r\n\r\n")
    # Longer only where one encoded word holds a long run of non-ASCII words (see phrase_tokens).
    long_lines = [line for line in head.split(b"\r\n") if len(line) > 78]
    assert all(re.fullmatch(rb" =\?utf-8\?b\?[A-Za-z0-9+/=]+\?=( <[^ ]+>)?", line) for line in long_lines)
    assert all(len(line) <= 78 for line in body.split(b"\r\n"))
    for part in email.message_from_bytes(data).walk():
        if not part.is_multipart():  # quoted-printable and base64: at most 76 characters a line
            encoded = part.get_payload()
            assert isinstance(encoded, str) and max(len(line) for line in encoded.splitlines()) <= 76
    data.decode("ascii")  # 7-bit clean: no 8BITMIME needed


@pytest.mark.parametrize("kind", ["confirmation", "reminder", "breakout_room", "thank_you"])
def test_same_mail_as_standard_builder(renderer: MailRenderer, event: EventInfo, kind: str) -> None:
    occasion = Occasion(
        reminder_offset=timedelta(days=1),
        breakout_round=1,
        breakout_room="Raum 3 – Quartier & Nachbarschaft",
        round_start_utc=datetime(2025, 8, 27, 10, 30, tzinfo=UTC),
        round_end_utc=datetime(2025, 8, 27, 11, 30, tzinfo=UTC),
        room_moderators=("Dr. Katrin Alert",),
        round_title="Workshops",
    )
    for person in _people():
        rendered = renderer.render(kind, event, person, occasion)
        args = {"sender": SENDER, "recipient": person, "message_id": MID, "reply_to": REPLY_TO, "date": DATE}
        standard = _parse(message_bytes(stdlib_message(rendered, **args)))  # type: ignore[arg-type]
        prepared = build_prepared(rendered, **args)  # type: ignore[arg-type]
        fast = _parse(prepared.data)

        assert _structure(fast) == _structure(standard)
        expected_top = "multipart/alternative" if rendered.ics is None else "multipart/mixed"
        assert fast.get_content_type() == expected_top
        for name in (
            "From",
            "Reply-To",
            "Subject",
            "Date",
            "Message-ID",
            "Content-Language",
            "Auto-Submitted",
        ):
            assert str(fast[name]) == str(standard[name]), name
        assert fast["MIME-Version"] == "1.0"
        assert str(fast["Subject"]) == rendered.subject
        to = fast["To"].addresses
        assert len(to) == 1 and to[0].display_name == person.display_name and to[0].addr_spec == person.email
        if "=?" not in person.display_name:
            assert str(fast["To"]) == str(standard["To"])
        else:  # the email package lets a name that looks like an encoded word be decoded; we do not
            assert str(fast["To"]) == f"{person.display_name} <{person.email}>"
        assert fast["Message-ID"] == MID and fast["Date"] == "Wed, 27 Aug 2025 06:30:00 +0000"

        bodies = _bodies(fast)
        assert bodies == _bodies(standard)
        assert bodies["text/plain"] == rendered.text and bodies["text/html"] == rendered.html
        if rendered.ics is not None:
            assert bodies["text/calendar"] == rendered.ics
            calendar = next(p for p in fast.walk() if p.get_content_type() == "text/calendar")
            assert calendar.get_param("method") == "PUBLISH"
            assert calendar.get_filename() == ("termin.ics" if person.language == "de" else "event.ics")

        _check_wire_format(prepared.data)
        assert prepared.sender == "info@forum-seniorenarbeit.de"
        assert prepared.recipients == (person.email,) and prepared.message_id == MID
        if person.join_url:  # the personal link never goes into a header
            assert person.join_url.encode() not in prepared.data.split(b"\r\n\r\n", 1)[0]


def test_rfc2047_readers_see_the_same_names(renderer: MailRenderer, event: EventInfo) -> None:
    """RFC 2047 decoders drop the space between adjacent encoded words; Python's address parser
    keeps it. Names must read the same in both."""
    for person in _people():
        rendered = renderer.render("confirmation", event, person)
        data = build_prepared(rendered, sender=SENDER, recipient=person, message_id=MID).data
        classic = email.message_from_bytes(data)  # compat32: raw header text
        subject = str(make_header(decode_header(_unfold(classic["Subject"]))))
        assert subject == rendered.subject
        if (
            '"' not in person.display_name
            and "<" not in person.display_name
            and "," not in person.display_name
        ):
            to = str(make_header(decode_header(_unfold(classic["To"]))))
            assert to.replace('"', "") == f"{person.display_name} <{person.email}>"


def test_subject_encoded_words_are_short_and_whole_characters() -> None:
    subject = "Erinnerung: Fachtag „Miteinander sorgen“ – 🌻 beginnt in 1 Tag " * 3
    words = encoded_words(subject)
    assert all(len(word) <= 75 for word in words)
    decoded = [str(make_header(decode_header(word))) for word in words]  # each word valid UTF-8 alone
    assert "".join(decoded) == subject
    line = header_line("Subject", words)
    assert all(len(part) <= 78 for part in line.split("\r\n"))


def test_mailbuild_returns_prepared_message_equal_to_standard(
    renderer: MailRenderer, event: EventInfo, person_de: Recipient
) -> None:
    build = MailBuild(renderer, "confirmation", event, person_de, None, SENDER, MID, REPLY_TO)
    prepared = build()
    assert isinstance(prepared, PreparedMessage)
    rendered = renderer.render("confirmation", event, person_de, None)
    standard = stdlib_message(rendered, sender=SENDER, recipient=person_de, message_id=MID, reply_to=REPLY_TO)
    assert isinstance(standard, Message)
    assert _bodies(_parse(prepared.data)) == _bodies(_parse(message_bytes(standard)))
    assert as_prepared(standard).recipients == prepared.recipients == ("elif.fuss@example.org",)
    assert as_prepared(prepared) is prepared
    assert "SECRET" not in repr(prepared) and "SECRET" in prepared.data.decode("ascii").replace("=\r\n", "")


@pytest.mark.parametrize(
    "text",
    [
        "Grüße\n",
        "trailing space \nand tab\t\nend",
        "no newline at the end and a long line " * 5,
        "x" * 200,
        "a=b\r\nc\rd\n.\n.leading dot\nFrom here\n",
        "ünïcödé " * 30 + "\n",
    ],
)
def test_quoted_printable_round_trip(text: str) -> None:
    encoded = quoted_printable(text)
    assert all(len(line) <= 76 for line in encoded.split(b"\r\n"))
    assert encoded.count(b"\n") == encoded.count(b"\r\n") and encoded.count(b"\r") == encoded.count(b"\r\n")
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    assert quopri.decodestring(encoded).decode("utf-8").replace("\r\n", "\n") == expected


def test_base64_lines() -> None:
    data = bytes(range(256)) * 3
    encoded = base64_lines(data)
    assert all(len(line) <= 76 for line in encoded.split(b"\r\n"))
    assert (
        email.message_from_bytes(b"Content-Transfer-Encoding: base64\r\n\r\n" + encoded).get_payload(
            decode=True
        )
        == data
    )


def _rendered(renderer: MailRenderer, event: EventInfo, person: Recipient) -> RenderedMail:
    return renderer.render("confirmation", event, person)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sender", "Forum <info@example.org>\r\nBcc: victim@example.net"),
        ("reply_to", "team@example.org\nBcc: victim@example.net"),
        ("message_id", "<a@b>\r\nX-Evil: 1"),
        ("message_id", "<a@b>\u2028X-Evil: 1"),
    ],
)
def test_header_injection_refused(
    renderer: MailRenderer, event: EventInfo, person_de: Recipient, field: str, value: str
) -> None:
    kwargs = {"sender": SENDER, "recipient": person_de, "message_id": MID, "reply_to": None, field: value}
    with pytest.raises(HeaderInjection):
        build_prepared(_rendered(renderer, event, person_de), **kwargs)  # type: ignore[arg-type]


def test_header_injection_via_recipient_or_subject_refused(
    renderer: MailRenderer, event: EventInfo, person_de: Recipient
) -> None:
    rendered = _rendered(renderer, event, person_de)
    for evil in (
        Recipient("elif.fuss@example.org", "Elif\r\nBcc: victim@example.net", "Fuß", "de", None),
        Recipient("elif.fuss@example.org\nBcc: victim@example.net", "Elif", "Fuß", "de", None),
    ):
        with pytest.raises(HeaderInjection):
            build_prepared(rendered, sender=SENDER, recipient=evil, message_id=MID)
    bad_subject = RenderedMail("confirmation", "de", "Hallo\r\nBcc: x@example.net", "t", "h", None)
    with pytest.raises(HeaderInjection):
        build_prepared(bad_subject, sender=SENDER, recipient=person_de, message_id=MID)
    with pytest.raises(ValueError, match="line break"):
        header_line("To", ["<a@example.org>\r\nBcc: x@example.net"])


@pytest.mark.parametrize("message_id", ["outbox-42", "<outbox-42>", "<öutbox@example.org>"])
def test_message_id_must_be_bracketed_ascii(
    renderer: MailRenderer, event: EventInfo, person_de: Recipient, message_id: str
) -> None:
    with pytest.raises(BadInput, match="Message-ID"):
        build_prepared(
            _rendered(renderer, event, person_de), sender=SENDER, recipient=person_de, message_id=message_id
        )


def test_invalid_sender_address_refused(
    renderer: MailRenderer, event: EventInfo, person_de: Recipient
) -> None:
    with pytest.raises(BadInput, match="not a valid mail address"):
        build_prepared(
            _rendered(renderer, event, person_de), sender="Forum <>", recipient=person_de, message_id=MID
        )
