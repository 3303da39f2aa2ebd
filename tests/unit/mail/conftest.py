"""Fixtures for the mail tests: the Fachtag 2025 as EventInfo and two participants."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from orchestrator.clock import FrozenClock
from orchestrator.mail import EventInfo, MailRenderer, ProgrammeItem, Recipient

JOIN_DE = "https://zoom.us/w/85512345678?tk=SECRET-de-token&uuid=WN_abc"
JOIN_EN = "https://zoom.us/w/85512345678?tk=SECRET-en-token&uuid=WN_def"
SENDER = "Forum Seniorenarbeit NRW <info@forum-seniorenarbeit.de>"


@pytest.fixture
def event() -> EventInfo:
    return EventInfo(
        key="fachtag-2025",
        # "&" on purpose: escaped in HTML, not in text
        title="Caring Community: Miteinander sorgen & gemeinsam wirken",
        organiser_name="Forum Seniorenarbeit NRW",
        contact_email="info@forum-seniorenarbeit.de",
        contact_phone="Lena Kukowka: 030 / 221 8298 – 38",
        extra_contacts=("Dr. Katrin Alert: 030 / 221 8298 – 42",),
        timezone="Europe/Berlin",
        start_utc=datetime(2025, 8, 27, 7, 30, tzinfo=UTC),
        end_utc=datetime(2025, 8, 27, 12, 15, tzinfo=UTC),
        zoom_meeting_id="85512345678",
        programme=(
            ProgrammeItem("09:30", "09:45", "Begrüßung"),
            ProgrammeItem("09:45", "10:30", "Keynote: Dr. Tobias Wörle (Hochschule Kempten)"),
        ),
    )


@pytest.fixture
def person_de() -> Recipient:
    return Recipient("elif.fuss@example.org", "Elif", "Fuß", "de", JOIN_DE)


@pytest.fixture
def person_en() -> Recipient:
    return Recipient("sam.taylor@example.com", "Sam", "Taylor", "en", JOIN_EN)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2025, 8, 1, 8, 0, tzinfo=UTC))


@pytest.fixture
def renderer(clock: FrozenClock) -> MailRenderer:
    return MailRenderer(clock=clock)
