"""End to end in headless Chromium: log in, upload the fixture, move people in the console, see Zoom change.

Every page is checked with axe-core (no serious or critical violations), the move form is used by
keyboard alone, and drag-and-drop is tried as well. Screenshots go to ORCHESTRATOR_SCREENSHOT_DIR
(``docs/screenshots`` for the repository) or the test's temporary directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from orchestrator.app import App
from orchestrator.breakouts import service
from orchestrator.db.models import ZoomMeeting
from orchestrator.jobs import mail as mail_job
from orchestrator.jobs.breakouts import plan_all
from tests.browser.conftest import LiveApp
from tests.conftest import FIXTURE_CSV
from tests.integration.test_web_ui_support import EVENT_KEY, ORGANISER, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SERIOUS = ("serious", "critical")
MAX_TABS = 80


def check_accessibility(page: Any, axe_source: str) -> list[dict[str, Any]]:
    """Run axe-core on the page; return the serious and critical violations (none expected)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in result if v["impact"] in SERIOUS]


def tab_to(page: Any, element_id: str) -> int:
    """Press Tab until the element with ``element_id`` has the focus; returns the number of presses."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return presses
    raise AssertionError(f"#{element_id} is not reachable with Tab")


def zoom_rooms(rt: App) -> dict[str, list[str]]:
    with rt.session() as session:
        meeting_id = session.scalars(select(ZoomMeeting.zoom_meeting_id)).one()
    assert meeting_id is not None
    meeting = rt.emulator.meeting(meeting_id)
    assert meeting is not None
    rooms = meeting["settings"]["breakout_room"].get("rooms") or []
    return {r["name"]: list(r["participants"]) for r in rooms}


def room_of(rt: App, email: str, number: int = 1) -> str | None:
    rooms = service.show(rt.store, rt.clock, None, number).rooms
    return next((r.room for r in rooms if any(p.email == email for p in r.people)), None)


def free_room_for(rt: App, email: str) -> str:
    """A room of round 1 the person may move to (not full, not their room, not theirs in round 2)."""
    current, later = room_of(rt, email, 1), room_of(rt, email, 2)
    return next(
        r.room
        for r in service.show(rt.store, rt.clock, None, 1).rooms
        if r.room not in (current, later) and r.assigned < r.capacity
    )


def test_organiser_and_moderator_flow(
    page: Any, live_app: LiveApp, axe_source: str, screenshot_dir: Path
) -> None:
    rt, base = live_app.runtime, live_app.base_url

    # --- log in (by keyboard: the e-mail field has the focus, Enter submits) -------------------
    page.goto(base + "/")
    assert page.url.startswith(base + "/login")
    assert page.locator("html").get_attribute("lang") == "de"
    assert check_accessibility(page, axe_source) == []
    # The e-mail field takes the focus by itself (autofocus); wait for it before typing.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'email'")
    page.keyboard.type(ORGANISER)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/events/{EVENT_KEY}")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Digitaler Fachtag 2025")

    # --- upload the fixture and read the row report ------------------------------------------------
    page.set_input_files("#import-file", str(FIXTURE_CSV))
    page.get_by_role("button", name="Importieren").click()
    report = page.locator("#import-report")
    report.wait_for()
    assert "anmeldungen-fachtag.csv" in report.locator("h2").inner_text()
    assert report.locator("dt:text-is('Gelesene Zeilen') + dd").inner_text() == "246"
    assert report.locator("dt:text-is('Abgelehnte Zeilen') + dd").inner_text() == "5"
    assert report.locator("dt:text-is('Personen') + dd").inner_text() == "235"
    assert check_accessibility(page, axe_source) == []

    # --- sync with Zoom from the dashboard -------------------------------------------------------
    page.get_by_role("button", name="Jetzt mit Zoom abgleichen").click()
    page.get_by_text("Abgleich mit Zoom erledigt: 235 registriert, 0 abgelehnt.").wait_for()
    with rt.session() as session:
        meeting_id = session.scalars(select(ZoomMeeting.zoom_meeting_id)).one()
    assert meeting_id is not None
    assert len(rt.emulator.registrants(meeting_id)) == 235
    # the service sends the confirmations (mail job); the dashboard shows each person's mail state
    mail_job.run(rt, None)
    page.reload()
    first_row = page.locator("table.people tbody tr").first
    assert "Anmeldebestätigung: gesendet" in first_row.inner_text()
    assert "Erinnerung" in page.locator("#mails").inner_text()
    assert check_accessibility(page, axe_source) == []
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshot_dir / "dashboard.png"), full_page=True)

    # --- the rooms are planned (the service does this at the apply time), then the console ------
    plan_all(rt, None)
    page.get_by_role("link", name="Moderationskonsole").first.click()
    page.wait_for_url(f"{base}/events/{EVENT_KEY}/console")
    assert page.locator(".room").count() == len(service.show(rt.store, rt.clock, None, 1).rooms)
    assert check_accessibility(page, axe_source) == []

    # --- move a person by keyboard alone: Tab to the form, arrows to choose, Enter to send ------
    page.locator("body").focus()
    tab_to(page, "move-person")
    page.keyboard.press("ArrowDown")
    person = page.evaluate("() => document.getElementById('move-person').value")
    assert person and room_of(rt, person) is not None
    target = free_room_for(rt, person)
    rooms = page.evaluate("() => Array.from(document.getElementById('move-room').options).map(o => o.value)")
    tab_to(page, "move-room")
    for _step in range(rooms.index(target)):
        page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.getElementById('move-room').value") == target
    tab_to(page, "move-button")
    page.keyboard.press("Enter")
    page.locator(".message-ok").wait_for()
    assert room_of(rt, person) == target
    assert zoom_rooms(rt) == {}  # not in Zoom before "apply"

    # --- apply to Zoom (keyboard again) and see the emulator hold the change -------------------
    tab_to(page, "apply-button")
    page.keyboard.press("Enter")
    page.get_by_text("Runde 1 wurde an Zoom übermittelt").wait_for()
    assert person in zoom_rooms(rt)[target]
    instruction = page.locator(".message-ok .instruction").inner_text()
    assert "Zu vorab zugewiesenen Räumen wiederherstellen" in instruction
    assert check_accessibility(page, axe_source) == []

    # --- drag-and-drop: Zoom holds the round, so the move is re-applied at once ----------------
    mover = page.locator(".room li[draggable=true]").first.get_attribute("data-email")
    assert mover is not None
    drop_on = free_room_for(rt, mover)
    page.locator(f".room li[data-email='{mover}']").drag_to(page.locator(f".room[data-room='{drop_on}'] h3"))
    page.get_by_text("Zoom wurde aktualisiert.").wait_for()
    assert room_of(rt, mover) == drop_on and mover in zoom_rooms(rt)[drop_on]
    page.locator(f".room[data-room='{drop_on}'] h3").scroll_into_view_if_needed()
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshot_dir / "console.png"), full_page=False)

    # --- English on request, still accessible -------------------------------------------------
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Move a person").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    assert check_accessibility(page, axe_source) == []
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []
