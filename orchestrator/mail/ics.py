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
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vText, vUri

from orchestrator.i18n import translate
from orchestrator.mail.render import EventInfo, Occasion, Recipient

PRODID = "-//Orchestrator//Fachtag mail//DE"


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
    return component.to_ical()


def make_ics(
    event: EventInfo, recipient: Recipient, occasion: Occasion | None = None, *, now: datetime | None = None
) -> bytes:
    """The participant's calendar entry for the whole event, personal join link as URL and LOCATION."""
    occasion = occasion or Occasion()
    tz = ZoneInfo(event.timezone)
    lang = recipient.language
    start_local = event.start_utc.astimezone(tz)

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add("calscale", "GREGORIAN")

    vevent = Event()
    vevent.add("uid", ics_uid(event.key, recipient.email))
    vevent.add("sequence", occasion.ics_sequence)
    vevent.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC))
    vevent.add("dtstart", start_local)
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
    # The cached VTIMEZONE goes before the VEVENT (RFC 5545 wants it defined before use).
    head, marker, tail = cal.to_ical().partition(b"BEGIN:VEVENT\r\n")
    return head + _vtimezone(event.timezone, start_local.year) + marker + tail
