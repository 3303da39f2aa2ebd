"""The .ics calendar attachment for one participant (icalendar, METHOD:PUBLISH).

The UID is derived from the event key and the participant's address, so every mail about the
same event carries the same UID and calendar clients update the entry instead of adding a second
one; ``SEQUENCE`` (``Occasion.ics_sequence``) is raised by the caller when times change. Times are
written in the event's timezone with a VTIMEZONE (clients that ignore TZID rules still show the
right local time).
"""

from __future__ import annotations

import functools
import hashlib
import re
from datetime import UTC, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from orchestrator.i18n import translate
from orchestrator.mail.render import EventInfo, Occasion, Recipient

PRODID = "-//Orchestrator//Fachtag mail//DE"
_FOLD_OCTETS = 75
_URI_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f]")


def ics_uid(event_key: str, email: str) -> str:
    """Stable UID per event and participant; the address is hashed (no personal data in the UID)."""
    digest = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:16]
    return f"{event_key}-{digest}@orchestrator"


@functools.lru_cache(maxsize=8)
def _vtimezone(tzid: str, year: int) -> bytes:
    """Serialised VTIMEZONE (built from zoneinfo once per tz and year: the costly part of an .ics)."""
    component = Timezone.from_tzid(
        tzid, first_date=datetime(year - 1, 1, 1).date(), last_date=datetime(year + 2, 1, 1).date()
    )
    ical: bytes = component.to_ical()
    return ical


def make_ics(
    event: EventInfo, recipient: Recipient, occasion: Occasion | None = None, *, now: datetime | None = None
) -> bytes:
    """The participant's calendar entry for the whole event, personal join link as URL and LOCATION.

    The part that is the same for everybody (calendar, VTIMEZONE, times, summary, organiser) is
    built with icalendar once per event and sequence; the personal properties are written here
    with RFC 5545 escaping and folding. Building the whole calendar with icalendar for each
    person cost ~0.5 ms per mail.
    """
    occasion = occasion or Occasion()
    head, tail = _event_frame(event, occasion.ics_sequence)
    lang = recipient.language
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    lines = [
        "UID:" + escape_text(ics_uid(event.key, recipient.email)),
        "DTSTAMP:" + stamp.strftime("%Y%m%dT%H%M%SZ"),
    ]
    description: list[str] = []
    if recipient.join_url:
        lines.append("URL:" + _uri(recipient.join_url))
        lines.append("LOCATION:" + escape_text(recipient.join_url))
        description.append(translate("Your personal Zoom link (please do not forward it):", lang))
        description.append(recipient.join_url)
    else:
        lines.append("LOCATION:Zoom")
    contact = [event.contact_email] + ([event.contact_phone] if event.contact_phone else [])
    description.append(
        translate(
            "Questions? {organiser}: {contact}",
            lang,
            organiser=event.organiser_name,
            contact=", ".join(contact),
        )
    )
    lines.append("DESCRIPTION:" + escape_text("\n".join(description)))
    return head + b"".join(fold_line(line) for line in lines) + tail


@functools.lru_cache(maxsize=32)
def _event_frame(event: EventInfo, sequence: int) -> tuple[bytes, bytes]:
    """The calendar up to the personal properties, and the rest (from END:VEVENT on)."""
    tz = ZoneInfo(event.timezone)
    start_local = event.start_utc.astimezone(tz)

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add("calscale", "GREGORIAN")

    vevent = Event()
    vevent.add("sequence", sequence)
    vevent.add("dtstart", start_local)
    vevent.add("dtend", event.end_utc.astimezone(tz))
    vevent.add("summary", event.title)
    organiser = vCalAddress(f"mailto:{event.contact_email}")
    organiser.params["cn"] = vText(event.organiser_name)
    vevent.add("organizer", organiser)
    vevent.add("status", "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    cal.add_component(vevent)
    # The cached VTIMEZONE goes before the VEVENT (RFC 5545 wants it defined before use).
    head, marker, rest = cal.to_ical().partition(b"BEGIN:VEVENT\r\n")
    constant, end_marker, tail = rest.partition(b"END:VEVENT\r\n")
    return head + _vtimezone(event.timezone, start_local.year) + marker + constant, end_marker + tail


def escape_text(value: str) -> str:
    """An RFC 5545 TEXT value: backslash, semicolon, comma and line breaks escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    if "\r" in value or "\n" in value:
        value = value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")
    return value


def _uri(url: str) -> str:
    """A URI value; characters a URI cannot hold (controls, space, DEL) are percent-encoded."""
    return _URI_UNSAFE.sub(lambda match: quote(match.group(), safe=""), url)


def fold_line(line: str) -> bytes:
    """One content line as UTF-8, folded to at most 75 octets per line (RFC 5545 3.1), with CRLF."""
    raw = line.encode("utf-8")
    if len(raw) <= _FOLD_OCTETS:
        return raw + b"\r\n"
    parts = []
    start, limit = 0, _FOLD_OCTETS
    while len(raw) - start > limit:
        end = start + limit
        while 0x80 <= raw[end] < 0xC0:  # never cut a UTF-8 sequence
            end -= 1
        parts.append(raw[start:end])
        start, limit = end, _FOLD_OCTETS - 1  # continuation lines begin with one space
    parts.append(raw[start:])
    return b"\r\n ".join(parts) + b"\r\n"
