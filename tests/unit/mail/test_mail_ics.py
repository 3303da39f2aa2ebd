"""The .ics attachment parses back with icalendar and keeps a stable UID."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import icalendar

from orchestrator.mail import EventInfo, MailRenderer, Occasion, Recipient, ics_uid, make_ics

from .conftest import JOIN_DE


def _event_component(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) == 1
    return cal, events[0]


def test_ics_has_vtimezone_and_local_times(event: EventInfo, person_de: Recipient) -> None:
    cal, vevent = _event_component(make_ics(event, person_de, now=datetime(2025, 8, 1, tzinfo=UTC)))
    assert str(cal["METHOD"]) == "PUBLISH"
    timezones = [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")]
    assert timezones == ["Europe/Berlin"]
    start = vevent.decoded("DTSTART")
    end = vevent.decoded("DTEND")
    assert start.time() == time(9, 30) and end.time() == time(14, 15)
    assert str(start.tzinfo) == "Europe/Berlin"
    assert start.astimezone(UTC) == event.start_utc
    assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"


def test_ics_personal_link_organiser_and_summary(event: EventInfo, person_de: Recipient) -> None:
    _, vevent = _event_component(make_ics(event, person_de))
    assert str(vevent["URL"]) == JOIN_DE
    assert str(vevent["LOCATION"]) == JOIN_DE
    assert str(vevent["SUMMARY"]) == event.title
    assert str(vevent["ORGANIZER"]) == "mailto:info@forum-seniorenarbeit.de"
    assert vevent["ORGANIZER"].params["CN"] == "Forum Seniorenarbeit NRW"
    description = str(vevent["DESCRIPTION"])
    assert JOIN_DE in description
    assert "bitte leiten Sie ihn nicht weiter" in description  # German for a German participant


def test_uid_is_stable_per_event_and_person(
    event: EventInfo, person_de: Recipient, person_en: Recipient
) -> None:
    uid1 = _event_component(make_ics(event, person_de, now=datetime(2025, 8, 1, tzinfo=UTC)))[1]["UID"]
    later = Occasion(reminder_offset=timedelta(hours=1))
    uid2 = _event_component(make_ics(event, person_de, later, now=datetime(2025, 8, 27, tzinfo=UTC)))[1][
        "UID"
    ]
    other = _event_component(make_ics(event, person_en))[1]["UID"]
    assert str(uid1) == str(uid2) == ics_uid("fachtag-2025", "Elif.Fuss@example.org")
    assert str(uid1).startswith("fachtag-2025-") and str(uid1).endswith("@orchestrator")
    assert "elif" not in str(uid1)  # the address is hashed
    assert str(other) != str(uid1)


def test_sequence_for_updates(event: EventInfo, person_de: Recipient) -> None:
    _, first = _event_component(make_ics(event, person_de))
    _, update = _event_component(make_ics(event, person_de, Occasion(ics_sequence=2)))
    assert first["SEQUENCE"] == 0 and update["SEQUENCE"] == 2


def test_renderer_attaches_same_uid_for_all_mails(
    renderer: MailRenderer, event: EventInfo, person_de: Recipient
) -> None:
    confirmation = renderer.render("confirmation", event, person_de)
    reminder = renderer.render("reminder", event, person_de, Occasion(reminder_offset=timedelta(days=7)))
    assert confirmation.ics is not None and reminder.ics is not None
    assert _event_component(confirmation.ics)[1]["UID"] == _event_component(reminder.ics)[1]["UID"]


def test_without_join_link_location_is_zoom(event: EventInfo) -> None:
    _, vevent = _event_component(make_ics(event, Recipient("a@example.org", "A", "B", "en", None)))
    assert "URL" not in vevent
    assert str(vevent["LOCATION"]) == "Zoom"
