"""The moderator console: rooms with capacity, move/swap by form, apply to Zoom with the host instruction."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from orchestrator.app import App
from orchestrator.breakouts import service
from orchestrator.db.models import Event, ZoomMeeting
from orchestrator.events import agenda_of
from orchestrator.jobs.breakouts import plan_all
from orchestrator.registrants import parse_registrations
from orchestrator.registrants.store import apply_import
from tests.conftest import FIXTURE_CSV
from tests.integration.test_web_ui_support import (
    EVENT_KEY,
    MODERATOR,
    add_account,
    client_for,
    csrf_of,
    event_runtime,
    login,
    moderator_link,
)

CONSOLE = f"/events/{EVENT_KEY}/console"
TARGET = "Caring Community Köln"
FULL = "ALIA – Agil leben im Alter"  # 60 seats, filled by the plan


@pytest.fixture
def rt(database_url: str, tmp_path: Path) -> App:
    runtime = event_runtime(database_url, tmp_path)
    with runtime.session() as session:
        event = session.scalars(select(Event)).one()
        batch = parse_registrations(FIXTURE_CSV, workshops=agenda_of(event).workshops())
        apply_import(
            session, event, batch, default_language="de", cancel_missing=False, now=runtime.clock.now()
        )
        session.commit()
    plan_all(runtime, None)
    add_account(runtime, MODERATOR, "moderator", event_key=EVENT_KEY)
    return runtime


@pytest.fixture
def client(rt: App) -> TestClient:
    client = client_for(rt)
    login(client, MODERATOR)
    return client


def _room_of(rt: App, email: str, number: int = 1) -> str | None:
    shown = service.show(rt.store, rt.clock, None, number)
    return next((r.room for r in shown.rooms if any(p.email == email for p in r.people)), None)


def _candidate(rt: App, avoid: str) -> str:
    shown = [service.show(rt.store, rt.clock, None, n) for n in (1, 2)]
    avoided = {p.email for s in shown for r in s.rooms if r.room == avoid for p in r.people}
    return next(
        p.email
        for r in service.show(rt.store, rt.clock, None, 1).rooms
        for p in r.people
        if p.email not in avoided
    )


def _zoom_rooms(rt: App) -> dict[str, list[str]]:
    with rt.session() as session:
        meeting_id = session.scalars(select(ZoomMeeting.zoom_meeting_id)).one()
    assert meeting_id is not None
    meeting = rt.emulator.meeting(meeting_id)
    assert meeting is not None
    rooms = meeting["settings"]["breakout_room"].get("rooms") or []
    return {r["name"]: list(r["participants"]) for r in rooms}


def _post(client: TestClient, action: str, **data: str) -> str:
    token = csrf_of(client.get(f"{CONSOLE}?round=1").text)
    response = client.post(f"{CONSOLE}/{action}", data={"csrf_token": token, "round": "1", **data})
    assert response.status_code == 303 and response.headers["location"] == f"{CONSOLE}?round=1"
    return client.get(response.headers["location"]).text


def test_console_shows_rooms_with_people_and_capacity(rt: App, client: TestClient) -> None:
    page = client.get(CONSOLE).text
    shown = service.show(rt.store, rt.clock, None, 1)
    for room in shown.rooms:
        assert f"{room.assigned} von {room.capacity} Plätzen" in page
    full = page[page.index(f">{FULL}</h3>") - 200 :]
    assert "room-full" in full[:250] and "voll" in full[:600]
    assert "Noch nicht an Zoom übermittelt." in page
    assert "Anleitung für den Host, sobald die Räume übermittelt sind" in page
    assert "Zu vorab zugewiesenen Räumen wiederherstellen" in page and "Recover to pre-assigned" not in page
    placed = sum(r.assigned for r in shown.rooms)
    assert page.count('draggable="true"') == placed + len(shown.unplaced)
    assert '<script src="/static/console.js" defer></script>' in page


def test_move_then_apply_puts_the_person_into_the_zoom_room(rt: App, client: TestClient) -> None:
    person = _candidate(rt, TARGET)
    before = _room_of(rt, person)
    page = _post(client, "move", email=person, room=TARGET)
    assert f"{person} wurde von {before} nach {TARGET} verschoben." in page
    assert _room_of(rt, person) == TARGET
    assert _zoom_rooms(rt) == {}  # Zoom does not hold the round yet: stored only
    rt.emulator.clear_request_log()
    page = _post(client, "apply")
    assert re.search(r"Runde 1 wurde an Zoom übermittelt \(\d+ Räume, \d+ Personen\)\.", page)
    assert "Anleitung für den Host" in page and "Zoom hat genau diese Räume." in page
    assert person in _zoom_rooms(rt)[TARGET]
    assert len(rt.emulator.write_calls()) == 1
    # once Zoom holds the round, a move is re-applied at once
    other = _candidate(rt, TARGET)
    page = _post(client, "move", email=other, room=TARGET)
    assert "Zoom wurde aktualisiert." in page
    assert other in _zoom_rooms(rt)[TARGET]
    # applying an unchanged round sends nothing
    rt.emulator.clear_request_log()
    page = _post(client, "apply")
    assert "nichts wurde gesendet" in page and rt.emulator.write_calls() == []


def test_full_room_needs_force_and_swap_exchanges_rooms(rt: App, client: TestClient) -> None:
    person = _candidate(rt, FULL)
    before = _room_of(rt, person)
    page = _post(client, "move", email=person, room=FULL)
    assert "voll (60 von 60 Plätzen)" in page and _room_of(rt, person) == before
    assert "kreuzen Sie „Auch einteilen, wenn der Raum voll ist“ an" in page and "--force" not in page
    page = _post(client, "move", email=person, room=FULL, force="1")
    assert _room_of(rt, person) == FULL and "trotz Hinweis eingeteilt" in page
    rooms = service.show(rt.store, rt.clock, None, 1).rooms
    a = next(p.email for r in rooms if r.room == TARGET for p in r.people)
    room_a = _room_of(rt, a)
    shown = service.show(rt.store, rt.clock, None, 1)
    candidates = [p.email for r in shown.rooms if r.room not in (TARGET, FULL) for p in r.people]
    for b in candidates:
        room_b = _room_of(rt, b)
        page = _post(client, "swap", email_a=a, email_b=b)
        if "Getauscht" in page:
            assert _room_of(rt, a) == room_b and _room_of(rt, b) == room_a
            break
    else:
        pytest.fail("no swap partner found")
    page = _post(client, "swap", email_a=a, email_b=a)
    assert "Bitte wählen Sie zwei verschiedene Personen." in page


def test_moderator_link_session_can_move_and_apply(rt: App) -> None:
    client = client_for(rt)
    client.get(moderator_link(rt))
    person = _candidate(rt, TARGET)
    _post(client, "move", email=person, room=TARGET)
    _post(client, "apply")
    assert person in _zoom_rooms(rt)[TARGET]


def test_english_console(rt: App, client: TestClient) -> None:
    page = client.get(CONSOLE).text
    client.post("/language", data={"lang": "en", "next": CONSOLE, "csrf_token": csrf_of(page)})
    english = client.get(CONSOLE).text
    assert "Move a person" in english and "Apply to Zoom" in english and "Instruction for the host" in english
    assert "Recover to pre-assigned rooms" in english
