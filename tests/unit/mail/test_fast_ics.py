"""The cached-frame .ics equals, field by field, a calendar built entirely with icalendar."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from icalendar import Calendar, Event, vCalAddress, vText, vUri

from orchestrator.i18n import translate
from orchestrator.mail import EventInfo, Occasion, Recipient, ics_uid, make_ics
from orchestrator.mail.ics import PRODID, escape_text, fold_line

NOW = datetime(2025, 8, 1, 8, 0, 12, 345678, tzinfo=UTC)
LONG_URL = "https://zoom.us/w/85512345678?tk=" + "Ab1-_" * 40 + "&uuid=WN_a,b;c\\d&pwd=äöü"

PEOPLE = [
    Recipient("elif.fuss@example.org", "Elif", "Fuß", "de", "https://zoom.us/w/1?tk=a"),
    Recipient("sam.taylor@example.com", "Sam", "Taylor", "en", "https://zoom.us/w/1?tk=b"),
    Recipient("Long.Link@Example.org", "Jürgen", "Müller", "de", LONG_URL),
    Recipient("amp@example.org", "Tom & Jerry", "<Cartoon>", "en", LONG_URL),
    Recipient("nolink@example.org", "Kein", "Link", "de", None),
]


def _reference_ics(event: EventInfo, recipient: Recipient, occasion: Occasion, now: datetime) -> bytes:
    """The previous implementation: the whole calendar through icalendar's object model."""
    tz = ZoneInfo(event.timezone)
    lang = recipient.language
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add("calscale", "GREGORIAN")
    vevent = Event()
    vevent.add("uid", ics_uid(event.key, recipient.email))
    vevent.add("sequence", occasion.ics_sequence)
    vevent.add("dtstamp", now.astimezone(UTC))
    vevent.add("dtstart", event.start_utc.astimezone(tz))
    vevent.add("dtend", event.end_utc.astimezone(tz))
    vevent.add("summary", event.title)
    organiser = vCalAddress(f"mailto:{event.contact_email}")
    organiser.params["cn"] = vText(event.organiser_name)
    vevent.add("organizer", organiser)
    lines: list[str] = []
    if recipient.join_url:
        vevent.add("url", vUri(recipient.join_url))
        vevent.add("location", recipient.join_url)
        lines.append(translate("Your personal Zoom link (please do not forward it):", lang))
        lines.append(recipient.join_url)
    else:
        vevent.add("location", "Zoom")
    contact = [event.contact_email] + ([event.contact_phone] if event.contact_phone else [])
    lines.append(
        translate(
            "Questions? {organiser}: {contact}",
            lang,
            organiser=event.organiser_name,
            contact=", ".join(contact),
        )
    )
    vevent.add("description", "\n".join(lines))
    vevent.add("status", "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    cal.add_component(vevent)
    return bytes(cal.to_ical())


def _fields(data: bytes) -> tuple[dict[str, object], dict[str, object], list[str]]:
    cal = icalendar.Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    vevent = events[0]
    cal_fields: dict[str, object] = {n: str(cal[n]) for n in ("PRODID", "VERSION", "METHOD", "CALSCALE")}
    event_fields: dict[str, object] = {name: vevent.decoded(name) for name in vevent if name != "ORGANIZER"}
    event_fields["ORGANIZER"] = (str(vevent["ORGANIZER"]), dict(vevent["ORGANIZER"].params))
    event_fields["DTSTART-TZID"] = vevent["DTSTART"].params.get("TZID")
    timezones = [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")]
    return cal_fields, event_fields, timezones


@pytest.mark.parametrize("sequence", [0, 3])
def test_same_fields_as_icalendar_built_calendar(event: EventInfo, sequence: int) -> None:
    occasion = Occasion(ics_sequence=sequence)
    tricky = EventInfo(
        **{
            **event.__dict__,
            "title": 'Fachtag; „Sorge“, Teil 2 \\ Rückblick: "Wir" & ihr',
            "contact_phone": None,
        }
    )
    for ev in (event, tricky):
        for person in PEOPLE:
            fast = make_ics(ev, person, occasion, now=NOW)
            cal_fields, event_fields, timezones = _fields(fast)
            ref_cal, ref_event, _ = _fields(_reference_ics(ev, person, occasion, NOW))
            assert cal_fields == ref_cal
            assert event_fields == ref_event
            assert timezones == ["Europe/Berlin"]
            assert event_fields["DTSTART-TZID"] == "Europe/Berlin"
            assert event_fields["SEQUENCE"] == sequence
            assert event_fields["UID"] == ics_uid(ev.key, person.email)
            assert event_fields["URL" if person.join_url else "LOCATION"] == (person.join_url or "Zoom")
            assert event_fields["SUMMARY"] == ev.title

            lines = fast.split(b"\r\n")
            assert lines[-1] == b"" and fast.count(b"\n") == fast.count(b"\r\n")
            assert all(len(line) <= 75 for line in lines)
            for line in lines:
                line.decode("utf-8")  # folding never cuts a UTF-8 sequence
            # VTIMEZONE is defined before the VEVENT that uses it
            assert fast.index(b"BEGIN:VTIMEZONE") < fast.index(b"BEGIN:VEVENT")


def test_join_url_with_line_break_cannot_inject_properties(event: EventInfo) -> None:
    evil = Recipient(
        "e@example.org", "E", "Vil", "en", "https://zoom.us/w/1?tk=a\r\nATTACH:http://evil.example"
    )
    data = make_ics(event, evil, now=NOW)
    vevent = next(iter(icalendar.Calendar.from_ical(data).walk("VEVENT")))
    assert "ATTACH" not in vevent
    assert str(vevent["URL"]) == "https://zoom.us/w/1?tk=a%0D%0AATTACH:http://evil.example"
    assert vevent.decoded("LOCATION") == "https://zoom.us/w/1?tk=a\nATTACH:http://evil.example"


def test_escape_text_and_fold_line() -> None:
    assert escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    line = "DESCRIPTION:" + "ä" * 100
    folded = fold_line(line)
    parts = folded.removesuffix(b"\r\n").split(b"\r\n")
    assert all(len(p) <= 75 for p in parts) and all(p.startswith(b" ") for p in parts[1:])
    assert b"".join([parts[0], *(p[1:] for p in parts[1:])]).decode("utf-8") == line
    assert fold_line("SHORT:x") == b"SHORT:x\r\n"
