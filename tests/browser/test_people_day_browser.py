"""The people pages and "Der Tag" in headless Chromium: search by keyboard, a person's actions, the
timeline that updates itself. Every page is checked with axe-core (no serious or critical violations).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from orchestrator.db.models import BreakoutAssignment, BreakoutRoundRecord, Event, OutboxMessage, Person
from orchestrator.jobs.registrants import zoom_access
from orchestrator.registrants.service import SyncOptions, sync_registrants
from tests.browser.conftest import LiveApp
from tests.browser.test_web_ui_browser import check_accessibility, tab_to
from tests.integration.test_web_ui_people import add_people
from tests.integration.test_web_ui_support import EVENT_KEY, ORGANISER, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_people_and_the_day(page: Any, live_app: LiveApp, axe_source: str, screenshot_dir: Path) -> None:
    rt, base = live_app.runtime, live_app.base_url
    failed: list[str] = []
    page.on(
        "response", lambda r: failed.append(r.url) if r.status >= 400 and "favicon" not in r.url else None
    )
    add_people(rt, 60)
    sync_registrants(zoom_access(rt), EVENT_KEY, SyncOptions())
    with rt.session() as session:
        round_one = session.scalars(select(BreakoutRoundRecord).where(BreakoutRoundRecord.number == 1)).one()
        rooms = [r.name for r in round_one.rooms]
        person = session.scalars(select(Person).where(Person.email == "person0042@example.org")).one()
        session.add(BreakoutAssignment(round_id=round_one.id, person_id=person.id, room_name=rooms[0]))
        session.commit()
        person_id = person.id

    page.goto(base + "/login")
    # The e-mail field takes the focus by itself (autofocus); wait for it before typing.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'email'")
    page.keyboard.type(ORGANISER)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/events/{EVENT_KEY}")

    # --- the list: pages, then a search typed and sent by keyboard ---------------------------------
    page.goto(f"{base}/events/{EVENT_KEY}/people")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("#people-count").inner_text().startswith("1–50 von 60 Personen")
    assert check_accessibility(page, axe_source) == []
    page.screenshot(path=str(screenshot_dir / "people.png"), full_page=True)
    page.get_by_role("link", name="Nächste Seite").click()
    assert page.locator("#people-count").inner_text().startswith("51–60 von 60 Personen")
    tab_to(page, "people-q")
    page.keyboard.type("person0042")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=person0042**")
    assert page.locator("table.people tbody tr").count() == 1

    # --- one person: no link shown; resend and move by keyboard -----------------------------------
    page.get_by_role("link", name="Vorname0042 Person0042").click()
    page.wait_for_url(f"{base}/events/{EVENT_KEY}/people/{person_id}")
    assert "zoom.us" not in page.content() and "/w/" not in page.content()
    assert check_accessibility(page, axe_source) == []
    page.screenshot(path=str(screenshot_dir / "person.png"), full_page=True)
    page.get_by_role("button", name="Link erneut senden").click()
    page.get_by_text("geht mit der nächsten E-Mail-Auslieferung erneut an person0042@example.org").wait_for()
    tab_to(page, "move-room-1")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_text(f"von {rooms[0]} nach {rooms[1]} verschoben", exact=False).wait_for()
    assert check_accessibility(page, axe_source) == []

    # --- forget asks first --------------------------------------------------------------------------
    page.get_by_role("link", name="Diese Person vergessen …").click()
    assert check_accessibility(page, axe_source) == []
    page.get_by_label("Ja, alle Daten dieser Person löschen").check()
    page.get_by_role("button", name="Jetzt vergessen").click()
    page.wait_for_url(f"{base}/events/{EVENT_KEY}/people")
    page.get_by_text("Alle Daten der Person wurden gelöscht").wait_for()

    # --- the day: it updates by itself when a mailing goes out ------------------------------------
    page.goto(f"{base}/events/{EVENT_KEY}/day")
    assert page.get_by_role("heading", name="Der Tag", level=1).is_visible()
    assert check_accessibility(page, axe_source) == []
    assert page.locator("#day-timeline").get_by_text("Anmeldebestätigung an 3 Teilnehmende").count() == 0
    with rt.session() as session:
        event = session.scalars(select(Event)).one()
        now = rt.clock.now()
        for person in session.scalars(select(Person).order_by(Person.id).limit(3)):
            session.add(
                OutboxMessage(
                    event_id=event.id,
                    person_id=person.id,
                    kind="confirmation",
                    occasion="confirmation",
                    state="sent",
                    due_at=now,
                    deadline=now + timedelta(days=30),
                    sent_at=now,
                )
            )
        session.commit()
    page.locator("#day-timeline").get_by_text("Anmeldebestätigung an 3 Teilnehmende").wait_for(timeout=20_000)
    assert page.locator("#day-updated").inner_text() == "Stand 10:00"  # the event's time zone
    page.screenshot(path=str(screenshot_dir / "day.png"), full_page=True)
    # no script error, nothing the CSP blocked, no missing file (browsers ask for a favicon we lack)
    assert [e for e in page.console_errors if "Failed to load resource" not in e] == []
    assert failed == []
