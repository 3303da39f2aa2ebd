"""The host's Zoom App in Chromium against the Apps SDK emulator: one "zuteilen" for a full meeting.

Scenario (~240 in the meeting): 180 guests under their registered names, 25 with edited names
(some still exact after folding, some only partial), 10 signed-in users showing their Zoom profile
name, 15 people who never registered, the host and two co-hosts.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from orchestrator.app import App
from orchestrator.breakouts.queries import assignments_for_round
from orchestrator.db.models import Person
from orchestrator.web.serve import serve_http
from orchestrator.web.ui import create_ui_app
from tests.browser.conftest import VIEWPORT
from tests.conftest import REPO_ROOT
from tests.support.zoomapp import context_header, unique_names_csv, zoomapp_runtime

EMULATOR = REPO_ROOT / "orchestrator" / "zoom" / "emulator" / "static" / "zoomapp_sdk_emulator.js"
WAIT_MS = 180_000


@dataclass
class Scenario:
    participants: list[dict[str, str]]
    truth: dict[str, int]  # participantUUID -> person id, for everyone registered
    plan: dict[int, str]
    kinds: dict[str, str]  # participantUUID -> exact | edited_exact | edited_partial | signed_in | ...


def _edited(first: str, last: str, index: int) -> tuple[str, str]:
    """An edited screen name and whether it still fits exactly after folding."""
    variants = [
        (f"{last}, {first}", "edited_exact"),
        (f"{first.upper()} {last.upper()}", "edited_exact"),
        (f"{first} {last} (sie/ihr)", "edited_exact"),
        (f"Dr. {first} {last}", "edited_exact"),
        (f"{first} {last[0]}.", "edited_partial"),
        (f"iPad von {first}", "edited_partial"),
    ]
    return variants[index % len(variants)]


def build_scenario(rt: App) -> Scenario:
    with rt.session() as session:
        people = {p.id: p for p in session.scalars(select(Person).order_by(Person.id))}
        plan = assignments_for_round(session, next(iter(people.values())).event_id, 1)
    planned = sorted(plan)
    assert len(planned) >= 215
    participants: list[dict[str, str]] = []
    truth: dict[str, int] = {}
    kinds: dict[str, str] = {}

    def add(uuid: str, name: str, role: str, kind: str, person: int | None) -> None:
        participants.append({"participantUUID": uuid, "screenName": name, "role": role})
        kinds[uuid] = kind
        if person is not None:
            truth[uuid] = person

    add("{HOST-0000}", "Veranstaltung (Host)", "host", "host", None)
    add("{COHOST-0001}", "Technik Co-Host", "cohost", "host", None)
    add("{COHOST-0002}", "Moderation Co-Host", "coHost", "host", None)
    for i, pid in enumerate(planned[:215]):
        p = people[pid]
        uuid = f"{{P-{pid:05d}}}"
        if i < 180:
            add(uuid, f"{p.first_name} {p.last_name}", "attendee", "exact", pid)
        elif i < 205:
            name, kind = _edited(p.first_name, p.last_name, i)
            add(uuid, name, "attendee", kind, pid)
        else:
            organisation = (p.organisation or "").split()[0] if p.organisation else "Zoom"
            add(uuid, f"{p.first_name} {p.last_name} | {organisation}", "attendee", "signed_in", pid)
    for i in range(15):
        add(f"{{G-{i:05d}}}", f"Gast {i + 1} Unbekannt", "attendee", "unregistered", None)
    return Scenario(participants, truth, plan, kinds)


@pytest.fixture
def zoomapp_live(tmp_path: Path) -> Iterator[tuple[App, str]]:
    rt = zoomapp_runtime(
        f"sqlite:///{tmp_path / 'store.db'}", tmp_path, registrations=unique_names_csv(tmp_path)
    )
    stop = threading.Event()
    app = create_ui_app(rt, secure_cookies=False, process_in_background=False)
    server = serve_http(app, "127.0.0.1", 0, stop)
    try:
        yield rt, f"http://127.0.0.1:{server.port}"
    finally:
        stop.set()
        server.stop()
        rt.close()


def test_one_assign_places_everyone_identified_and_nobody_wrongly(
    browser: Any, zoomapp_live: tuple[App, str], screenshot_dir: Path
) -> None:
    rt, base_url = zoomapp_live
    scenario = build_scenario(rt)
    context = browser.new_context(
        viewport={"width": 420, "height": VIEWPORT["height"]},
        locale="de-DE",
        extra_http_headers={"X-Zoom-App-Context": context_header(rt)},
    )
    errors: list[str] = []
    try:
        # Zoom's CDN is not reachable from tests: its script is replaced by the emulator.
        context.route(
            "https://appssdk.zoom.us/**",
            lambda route: route.fulfill(status=200, content_type="text/javascript", body=""),
        )
        context.add_init_script(
            script=f"window.__ZOOMAPP_SCENARIO__ = {json.dumps({'participants': scenario.participants})};"
        )
        context.add_init_script(path=str(EMULATOR))
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base_url}/zoomapp/")
        page.wait_for_selector("body[data-ready='true']", timeout=WAIT_MS)
        assert page.locator("#round-title").inner_text().startswith("Runde 1")
        assert page.locator("#assign").inner_text() == "Räume anlegen und zuteilen"

        page.click("#assign")
        page.wait_for_function(
            "() => /Fertig|Alle erkannten/.test(document.getElementById('progress').textContent)",
            timeout=WAIT_MS,
        )
        progress = page.locator("#progress").inner_text()
        snapshot = page.evaluate("() => window.zoomSdk.__emulator.snapshot()")
        calls = page.evaluate("() => window.zoomSdk.__emulator.calls.map(c => c.name)")
        counts = {
            item.get_attribute("data-status"): int(item.locator(".n").inner_text())
            for item in page.locator("#counts li").all()
        }
        page.wait_for_function("() => !document.getElementById('assign').disabled", timeout=WAIT_MS)
        # The test's own directory, unless ORCHESTRATOR_SCREENSHOT_DIR=docs/screenshots refreshes it.
        screenshot = screenshot_dir / "zoomapp-panel.png"
        page.screenshot(path=str(screenshot), full_page=False)
        # A late registered guest joins: the app re-matches on the event and assigns only them.
        late = sorted(scenario.plan)[215]
        with rt.session() as session:
            person = session.get(Person, late)
            assert person is not None
            late_name = f"{person.first_name} {person.last_name}"
        page.evaluate(
            "(p) => window.zoomSdk.__emulator.join(p)",
            {"participantUUID": "{LATE-1}", "screenName": late_name, "role": "attendee"},
        )
        page.wait_for_function(
            "(room) => (window.zoomSdk.__emulator.snapshot().rooms[room] || []).includes('{LATE-1}')",
            arg=scenario.plan[late],
            timeout=WAIT_MS,
        )
        late_calls = page.evaluate(
            "() => window.zoomSdk.__emulator.calls"
            ".filter(c => c.name === 'assignParticipantToBreakoutRoom').length"
        )
    finally:
        context.close()

    assert errors == []
    rooms_of = {uuid: room for room, members in snapshot["rooms"].items() for uuid in members}
    wrong = {
        uuid: room
        for uuid, room in rooms_of.items()
        if uuid not in scenario.truth or scenario.plan.get(scenario.truth[uuid]) != room
    }
    assert wrong == {}, f"people in a wrong room: {wrong}"
    registered_present = len(scenario.truth)
    placed = sum(1 for uuid in scenario.truth if uuid in rooms_of)
    assert placed >= 0.9 * registered_present, (placed, registered_present)
    assert counts["placed"] == placed
    assert counts["unsure"] + counts["unknown"] == len(scenario.participants) - placed - 3
    assert counts["host"] == 3
    assert not any(uuid.startswith(("{HOST", "{COHOST", "{G-")) for uuid in rooms_of)
    assert sorted(snapshot["rooms"]) == sorted(set(scenario.plan.values()))
    assert calls.count("createBreakoutRooms") == 1
    assert calls.count("assignParticipantToBreakoutRoom") == placed  # one call per person, no repeats
    assert f"{placed} Personen" in progress
    assert late_calls == placed + 1  # the newcomer only: nobody already placed is assigned again
