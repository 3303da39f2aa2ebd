"""The host's Zoom App through a breakout round of the event day, in Chromium against the SDK emulator.

The issue's scenario: 240 in the meeting at "zuteilen": guests under their registered names, 25 who
edited theirs (typos, "Petra M.", a first name alone, "iPad von Petra", a second "Anna Becker", and
spellings that still fit after folding: "Nachname, Vorname", "Dr.", capitals, umlauts written out),
10 signed-in users showing their Zoom profile name, 15 people who never registered, the host and two
co-hosts. (The issue's groups add up to 233; 7 more guests under their registered names make 240.)

One run checks: 0 in a wrong room, >= 90 % of the registered people present placed, a panel reload in
the middle of the assignment assigns nobody twice, 10 late joiners placed within 5 s, a move in the
moderator console applied within 5 s, a move the host makes in Zoom's own window recorded and kept,
"Räume öffnen" with the agenda's options, axe-core without serious/critical violations, and the
keyboard. The measured figures are printed (run with ``-s`` to see them).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from orchestrator.app import App
from orchestrator.breakouts import service
from orchestrator.breakouts.limits import ZoomLimits
from orchestrator.breakouts.queries import assignments_for_round, room_for_person
from orchestrator.db.models import Event, Person, ZoomAuditEntry
from orchestrator.jobs.breakouts import work
from orchestrator.web.serve import serve_http
from orchestrator.web.ui import create_ui_app
from orchestrator.web.zoomapp.activity import recent_app_activity
from tests.browser.conftest import VIEWPORT
from tests.browser.test_web_ui_browser import check_accessibility, tab_to
from tests.conftest import REPO_ROOT
from tests.integration.test_web_ui_support import ORGANISER, PASSWORD, add_account
from tests.support.waiting import wait_for
from tests.support.zoomapp import context_header, unique_names_csv, zoomapp_runtime

EMULATOR = REPO_ROOT / "orchestrator" / "zoom" / "emulator" / "static" / "zoomapp_sdk_emulator.js"
WAIT_MS = 180_000
LATENCY_LIMIT_S = 5.0
ASSIGN = "assignParticipantToBreakoutRoom"
SNAPSHOT = "() => window.zoomSdk.__emulator.snapshot()"
ASSIGN_CALLS = (
    "() => window.zoomSdk.__emulator.calls.filter(c => c.name === 'assignParticipantToBreakoutRoom')"
    ".map(c => c.args.participantUUID || c.args.participant)"
)
DONE = "() => /Fertig|Alle erkannten/.test(document.getElementById('progress').textContent)"


@dataclass
class DayScenario:
    participants: list[dict[str, str]]
    late: list[dict[str, str]]
    truth: dict[str, int]  # participantUUID -> person id, for everyone registered
    kinds: dict[str, str]


def _rename(rt: App, person_id: int, first: str | None = None, last: str | None = None) -> tuple[str, str]:
    with rt.session() as session:
        person = session.get(Person, person_id)
        assert person is not None
        person.first_name = first or person.first_name
        person.last_name = last or person.last_name
        session.commit()
        return person.first_name, person.last_name


def _typo(last: str) -> str:
    """Two neighbouring letters swapped (a different name, never a fit after folding)."""
    for i in range(1, len(last) - 1):
        if last[i] != last[i + 1]:
            return last[:i] + last[i + 1] + last[i] + last[i + 2 :]
    return last + "x"


TRANSLITERATED = ("Jürgensmöller", "Büßelmann", "Kröger-Süß")


def _edited_name(rt: App, pid: int, i: int) -> tuple[str, str]:
    """The ``i``-th of the 25 edited screen names (renaming the person where the case needs it)."""
    first, last = _rename(rt, pid)
    if i < 3:
        return f"{first} {_typo(last)}", "typo"
    if i < 6:
        first, last = _rename(rt, pid, first="Petra")
        return f"Petra {last[0]}.", "initial"
    if i < 9:
        return first, "first_name_only"
    if i < 12:
        _rename(rt, pid, first="Petra")
        return "iPad von Petra", "device"
    if i == 12:
        _rename(rt, pid, "Anna", "Becker")
        return "Anna Becker", "second_anna_becker"
    if i < 16:
        return f"{last}, {first}", "folded"
    if i < 19:
        return f"Dr. {first} {last}", "folded"
    if i < 22:
        return f"{first.upper()} {last.upper()}", "folded"
    spelled = TRANSLITERATED[i - 22]
    _rename(rt, pid, last=spelled)
    plain = spelled.replace("ü", "ue").replace("ö", "oe").replace("ß", "ss")
    return f"{first} {plain}", "folded"


def build_day(rt: App) -> DayScenario:
    with rt.session() as session:
        event_id = session.scalars(select(Event.id)).one()
        plan = assignments_for_round(session, event_id, 1)
    planned = sorted(plan)
    assert len(planned) >= 232, len(planned)
    participants: list[dict[str, str]] = []
    truth: dict[str, int] = {}
    kinds: dict[str, str] = {}

    def add(
        target: list[dict[str, str]], name: str, kind: str, person: int | None, role: str = "attendee"
    ) -> None:
        uuid = f"{{P-{person:05d}}}" if person is not None else f"{{X-{len(kinds):05d}}}"
        target.append({"participantUUID": uuid, "screenName": name, "role": role})
        kinds[uuid] = kind
        if person is not None:
            truth[uuid] = person

    add(participants, "Veranstaltung (Host)", "host", None, "host")
    add(participants, "Technik Co-Host", "host", None, "cohost")
    add(participants, "Moderation Co-Host", "host", None, "coHost")
    _rename(rt, planned[0], "Anna", "Becker")
    for pid in planned[:187]:
        first, last = _rename(rt, pid)
        add(participants, f"{first} {last}", "exact", pid)
    for i, pid in enumerate(planned[187:212]):
        name, kind = _edited_name(rt, pid, i)
        add(participants, name, kind, pid)
    for pid in planned[212:222]:
        with rt.session() as session:
            person = session.get(Person, pid)
            assert person is not None
            organisation = (person.organisation or "Zoom").split()[0]
            name = f"{person.first_name} {person.last_name} | {organisation}"
        add(participants, name, "signed_in", pid)
    for i in range(15):
        add(participants, f"Xaver Quendelbrunn{chr(97 + i)}", "unregistered", None)
    late: list[dict[str, str]] = []
    for pid in planned[222:232]:
        first, last = _rename(rt, pid)
        add(late, f"{first} {last}", "late", pid)
    assert len(participants) == 240
    return DayScenario(participants, late, truth, kinds)


@pytest.fixture
def day_live(tmp_path: Path) -> Iterator[tuple[App, str]]:
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


def _rooms_of(snapshot: dict[str, Any]) -> dict[str, str]:
    return {uuid: room for room, members in snapshot["rooms"].items() for uuid in members}


def _wait_in_room(page: Any, uuids: list[str], rooms: list[str]) -> float:
    """Seconds until every ``uuids[i]`` is in ``rooms[i]`` in the emulated meeting."""
    started = time.monotonic()
    page.wait_for_function(
        """([uuids, rooms]) => { const s = window.zoomSdk.__emulator.snapshot();
            return uuids.every((u, i) => (s.rooms[rooms[i]] || []).includes(u)); }""",
        arg=[uuids, rooms],
        timeout=WAIT_MS,
        polling=50,
    )
    return time.monotonic() - started


def test_a_round_on_the_day(browser: Any, day_live: tuple[App, str], axe_source: str) -> None:
    rt, base_url = day_live
    day = build_day(rt)
    with rt.session() as session:
        event_id = session.scalars(select(Event.id)).one()
        plan = assignments_for_round(session, event_id, 1)
    context = browser.new_context(
        viewport={"width": 420, "height": VIEWPORT["height"]},
        locale="de-DE",
        extra_http_headers={"X-Zoom-App-Context": context_header(rt)},
    )
    errors: list[str] = []
    figures: dict[str, float] = {}
    try:
        context.route(
            "https://appssdk.zoom.us/**",
            lambda route: route.fulfill(status=200, content_type="text/javascript", body=""),
        )
        scenario = {"participants": day.participants, "storageKey": "zoom-meeting"}
        context.add_init_script(script=f"window.__ZOOMAPP_SCENARIO__ = {json.dumps(scenario)};")
        context.add_init_script(path=str(EMULATOR))
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base_url}/zoomapp/")
        page.wait_for_selector("body[data-ready='true']", timeout=WAIT_MS)
        assert page.locator("html").get_attribute("lang") == "de"
        assert check_accessibility(page, axe_source) == []
        assert "Countdown 60 s" in page.locator("#room-options").inner_text()

        # "zuteilen" by keyboard; reload the panel halfway through the assignment.
        tab_to(page, "assign")
        started = time.monotonic()
        page.keyboard.press("Enter")
        page.wait_for_function(f"() => ({ASSIGN_CALLS})().length >= 90", timeout=WAIT_MS, polling=20)
        page.reload()
        page.wait_for_selector("body[data-ready='true']", timeout=WAIT_MS)
        page.wait_for_function(DONE, timeout=WAIT_MS, polling=50)
        figures["apply_240_s"] = time.monotonic() - started
        snapshot = page.evaluate(SNAPSHOT)
        assigned = Counter(page.evaluate(ASSIGN_CALLS))
        assert check_accessibility(page, axe_source) == []
        counts = {
            item.get_attribute("data-status"): int(item.locator(".n").inner_text())
            for item in page.locator("#counts li").all()
        }

        rooms_of = _rooms_of(snapshot)
        wrong = {u: r for u, r in rooms_of.items() if u not in day.truth or plan.get(day.truth[u]) != r}
        assert wrong == {}, f"people in a wrong room: {wrong}"
        assert max(assigned.values()) == 1, [u for u, n in assigned.items() if n > 1]  # reload: no repeats
        placed = sum(1 for uuid in day.truth if uuid in rooms_of)
        registered_present = sum(1 for p in day.participants if p["participantUUID"] in day.truth)
        figures["placed_pct"] = 100 * placed / registered_present
        assert placed >= 0.9 * registered_present, (placed, registered_present)
        assert counts["placed"] == placed and counts["host"] == 3
        never = {u for u, k in day.kinds.items() if k in {"typo", "initial", "first_name_only", "device"}}
        assert not never & set(rooms_of), "a partial name was placed on a guess"
        annas = [u for u, k in day.kinds.items() if k == "second_anna_becker"]
        assert annas and annas[0] not in rooms_of

        # Ten people join late, one every 100 ms: all placed within 5 s.
        joined = time.monotonic()
        page.evaluate(
            """async (late) => { for (const p of late) { window.zoomSdk.__emulator.join(p);
                await new Promise(r => setTimeout(r, 100)); } }""",
            day.late,
        )
        joins_took = time.monotonic() - joined
        late_uuids = [p["participantUUID"] for p in day.late]
        waited = _wait_in_room(page, late_uuids, [plan[day.truth[u]] for u in late_uuids])
        figures["late_joiners_s"] = joins_took + waited
        assert figures["late_joiners_s"] <= LATENCY_LIMIT_S + 1.0  # the joins themselves take ~1 s
        assert waited <= LATENCY_LIMIT_S

        # A moderator moves someone in the console: the open app applies it within 5 s.
        mover = next(u for u, k in day.kinds.items() if k == "exact" and u in rooms_of and u not in annas)
        person_id = day.truth[mover]
        new_room = next(r for r in snapshot["rooms"] if r != plan[person_id])
        with rt.session() as session:
            person = session.get(Person, person_id)
            assert person is not None
            email = person.email
        moved_at = time.monotonic()
        result = service.move(
            work(rt), None, email=email, room=new_room, round_number=1, force=True, limits=ZoomLimits()
        )
        assert result.changed
        _wait_in_room(page, [mover], [new_room])
        figures["console_move_s"] = time.monotonic() - moved_at
        assert figures["console_move_s"] <= LATENCY_LIMIT_S

        # The host moves someone in Zoom's own breakout window: recorded, the plan follows, not undone.
        host_moved = next(
            u for u, k in day.kinds.items() if k == "exact" and u in rooms_of and u not in {mover, *annas}
        )
        target = next(r for r in snapshot["rooms"] if r != rooms_of[host_moved])
        responses: list[str] = []
        page.on("response", lambda response: responses.append(response.url.split("?")[0]))
        assert page.evaluate("([u, r]) => window.zoomSdk.__emulator.hostMove(u, r)", [host_moved, target])

        def plan_followed() -> bool:
            with rt.session() as session:
                return room_for_person(session, event_id, 1, day.truth[host_moved]) == target

        wait_for(plan_followed, timeout=10, what="the plan follows the host's move in Zoom")

        def matched_twice_after_report() -> bool:
            page.wait_for_timeout(50)  # lets Playwright deliver the page's events meanwhile
            reported = [i for i, url in enumerate(responses) if url.endswith("/zoomapp/api/zoom-moves")]
            return bool(reported) and sum(url.endswith("/api/match") for url in responses[reported[0] :]) >= 2

        wait_for(matched_twice_after_report, timeout=10, what="the app's pass after the host's move")
        assert _rooms_of(page.evaluate(SNAPSHOT))[host_moved] == target  # not moved back
        assert Counter(page.evaluate(ASSIGN_CALLS))[host_moved] == 1

        # "Räume öffnen" with the agenda's options (defaults: countdown 60 s, may return, moved in).
        tab_to(page, "open-rooms")
        page.keyboard.press("Enter")
        page.wait_for_function("() => window.zoomSdk.__emulator.snapshot().state === 'open'", timeout=WAIT_MS)
        options = page.evaluate(SNAPSHOT)["options"]
        assert options["countDown"] == 60
        assert options["allowParticipantsReturnToMainSession"] is True
        assert options["automaticallyMoveParticipantsIntoRooms"] is True
        assert options["allowParticipantsChooseRoom"] is False
        page.wait_for_function("() => !document.getElementById('close-rooms').disabled", timeout=WAIT_MS)
        page.click("#close-rooms")
        # Closed in Zoom, and the app done with it: it records the close after Zoom's answer and
        # enables its buttons again only then (a loaded machine showed the gap).
        page.wait_for_function(
            "() => window.zoomSdk.__emulator.snapshot().state === 'closed'"
            " && !document.getElementById('close-rooms').disabled",
            timeout=WAIT_MS,
        )
    finally:
        context.close()

    assert errors == []
    with rt.session() as session:
        actions = Counter(session.scalars(select(ZoomAuditEntry.action)).all())
        activity = recent_app_activity(session, event_id, "de", limit=200)
    assert actions["zoomapp.zoom_move"] == 1
    assert actions["zoomapp.open_rooms"] == 1 and actions["zoomapp.close_rooms"] == 1
    assert any(a.action == "zoom_move" and "vom Host in Zoom verschoben" in a.label for a in activity)
    print(
        "\nzoomapp figures: "
        f"placed {figures['placed_pct']:.1f} % of {registered_present} registered present, wrong 0; "
        f"apply round of 240 (with a reload halfway) {figures['apply_240_s']:.1f} s; "
        f"10 late joiners placed {figures['late_joiners_s']:.1f} s after the first joined "
        f"({waited:.1f} s after the last); console move applied in {figures['console_move_s']:.1f} s"
    )


def test_the_rehearsal_page_runs_the_app_against_the_emulator(
    browser: Any, tmp_path: Path, axe_source: str
) -> None:
    rt = zoomapp_runtime(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    rt.settings.zoom_app_client_secret = None  # a rehearsal needs no Zoom App
    add_account(rt, ORGANISER, "organiser")
    with rt.session() as session:
        plan = assignments_for_round(session, session.scalars(select(Event.id)).one(), 1)
    stop = threading.Event()
    server = serve_http(
        create_ui_app(rt, secure_cookies=False, process_in_background=False), "127.0.0.1", 0, stop
    )
    base = f"http://127.0.0.1:{server.port}"
    context = browser.new_context(viewport={"width": 420, "height": VIEWPORT["height"]}, locale="de-DE")
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(base + "/login")
        # The e-mail field takes the focus by itself (autofocus); wait for it before typing.
        page.wait_for_function("document.activeElement && document.activeElement.id === 'email'")
        page.keyboard.type(ORGANISER)
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(base + "/zoomapp/rehearsal")
        page.wait_for_selector("body[data-ready='true']", timeout=WAIT_MS)
        assert "Probe" in page.locator(".rehearsal-banner").inner_text()
        assert check_accessibility(page, axe_source) == []
        page.click("#assign")
        page.wait_for_function(DONE, timeout=WAIT_MS, polling=50)
        rooms_of = _rooms_of(page.evaluate(SNAPSHOT))
        page.click("#rehearsal-join")
        late = page.evaluate(
            "() => window.zoomSdk.__emulator.calls.length && "
            "JSON.parse(document.getElementById('zoomapp-scenario').textContent).late[0]"
        )
        _wait_in_room(page, [late["participantUUID"]], [plan[int(late["participantUUID"][3:-1])]])
    finally:
        context.close()
        stop.set()
        server.stop()
        rt.close()
    assert errors == []
    assert rooms_of, "the rehearsal placed nobody"
    for uuid, room in rooms_of.items():
        assert uuid.startswith("{R-") and plan[int(uuid[3:-1])] == room, (uuid, room)
    assert len(rooms_of) >= 0.6 * len(plan)  # the sample registrations have namesakes: unsure by design
