"""Moderators during the event: move, swap, show; capacity and no-repeat re-checked; Zoom re-applied."""

from __future__ import annotations

import logging
from dataclasses import fields
from pathlib import Path

import pytest
from sqlalchemy import select

from orchestrator.app import App
from orchestrator.breakouts import service
from orchestrator.breakouts.limits import ZoomLimits
from orchestrator.breakouts.plan import PlanOptions
from orchestrator.breakouts.results import ZoomApplied, ZoomNotApplied
from orchestrator.db.models import BreakoutAssignment
from orchestrator.errors import BadInput
from orchestrator.jobs.breakouts import work
from tests.integration.test_breakouts_support import (
    ROUND1_START,
    ROUND2_START,
    add_cancelled,
    at,
    event_runtime,
    minutes,
    zoom_meeting_id,
)

LIMITS = ZoomLimits()
FULL = "ALIA – Agil leben im Alter"  # 60 seats, filled by the plan


def _room_of(rt: App, email: str, number: int) -> str:
    shown = service.show(rt.store, rt.clock, None, number)
    return next(room.room for room in shown.rooms if any(p.email == email for p in room.people))


def _people_in(rt: App, room: str, number: int) -> list[str]:
    shown = service.show(rt.store, rt.clock, None, number)
    return [p.email for r in shown.rooms if r.room == room for p in r.people]


def _candidate(rt: App, *, avoid: str) -> str:
    """Someone who is in neither round in room ``avoid``."""
    first = set(_people_in(rt, avoid, 1)) | set(_people_in(rt, avoid, 2))
    everyone = [p.email for r in service.show(rt.store, rt.clock, None, 1).rooms for p in r.people]
    return next(e for e in everyone if e not in first)


@pytest.fixture
def rt(database_url: str, tmp_path: Path) -> App:
    runtime = event_runtime(database_url, tmp_path)
    service.plan(runtime.store, runtime.clock, None, PlanOptions())
    return runtime


def test_move_checks_input(rt: App) -> None:
    person = _candidate(rt, avoid="Kümmerei Köln")
    with pytest.raises(BadInput, match="has no room 'Nowhere'"):
        service.move(work(rt), None, email=person, room="Nowhere", round_number=1, force=False, limits=LIMITS)
    with pytest.raises(BadInput, match="not registered"):
        service.move(
            work(rt),
            None,
            email="nobody@example.org",
            room="Kümmerei Köln",
            round_number=1,
            force=False,
            limits=LIMITS,
        )
    add_cancelled(rt, "gone@example.org", "Gone", "Person")
    with pytest.raises(BadInput, match="cancelled"):
        service.move(
            work(rt),
            None,
            email="gone@example.org",
            room="Kümmerei Köln",
            round_number=1,
            force=False,
            limits=LIMITS,
        )
    with pytest.raises(BadInput, match="moderates a room"):
        service.move(
            work(rt),
            None,
            email="paul.hoffmann@example.org",
            room=FULL,
            round_number=1,
            force=False,
            limits=LIMITS,
        )
    with pytest.raises(BadInput, match="no breakout round 3"):
        service.move(work(rt), None, email=person, room=FULL, round_number=3, force=False, limits=LIMITS)


def test_move_into_full_room_needs_force_which_is_logged(rt: App, caplog: pytest.LogCaptureFixture) -> None:
    assert len(_people_in(rt, FULL, 1)) == 60
    person = _candidate(rt, avoid=FULL)
    before = _room_of(rt, person, 1)
    with pytest.raises(BadInput, match="is full \\(60 of 60 seats\\)"):
        service.move(work(rt), None, email=person, room=FULL, round_number=1, force=False, limits=LIMITS)
    assert _room_of(rt, person, 1) == before
    with caplog.at_level(logging.WARNING, logger="orchestrator.breakouts.moderate"):
        moved = service.move(
            work(rt), None, email=person, room=FULL, round_number=1, force=True, limits=LIMITS
        )
    assert moved.forced is True and moved.before == before and moved.after == FULL
    assert any(r.message == "breakout move forced" for r in caplog.records)
    assert len(_people_in(rt, FULL, 1)) == 61
    # a re-plan keeps everyone, the forced placement included, and adds nobody to the full room
    assert service.plan(rt.store, rt.clock, None, PlanOptions()).moved == []
    assert _room_of(rt, person, 1) == FULL and len(_people_in(rt, FULL, 1)) == 61
    # --rebalance keeps hand-made placements and resolves the overbooking by moving a planned person
    rebalanced = service.plan(rt.store, rt.clock, None, PlanOptions(rebalance=True))
    assert _room_of(rt, person, 1) == FULL and len(_people_in(rt, FULL, 1)) == 60
    assert any(m.before == FULL and m.round == 1 for m in rebalanced.moved)


def test_move_refuses_a_workshop_attended_in_the_other_round(rt: App) -> None:
    person = _candidate(rt, avoid="Kümmerei Köln")
    other = _room_of(rt, person, 2)
    with pytest.raises(BadInput, match="in round 2 as well"):
        service.move(work(rt), None, email=person, room=other, round_number=1, force=False, limits=LIMITS)


def test_move_reapplies_only_while_zoom_holds_the_upcoming_round(rt: App) -> None:
    service.apply(work(rt), None, 1, LIMITS)
    rt.emulator.clear_request_log()
    person = _candidate(rt, avoid="Caring Community Köln")
    result = service.move(
        work(rt), None, email=person, room="Caring Community Köln", round_number=1, force=False, limits=LIMITS
    )
    assert isinstance(result.zoom, ZoomApplied) and result.zoom.zoom_writes == 1
    assert len(rt.emulator.write_calls()) == 1
    meeting = rt.emulator.meeting(zoom_meeting_id(rt))
    assert meeting is not None
    room = next(
        r for r in meeting["settings"]["breakout_room"]["rooms"] if r["name"] == "Caring Community Köln"
    )
    assert person in room["participants"]

    # round 2 is not in Zoom yet: stored only, no write
    person2 = _candidate(rt, avoid="Kommunale Sorgestrukturen")
    later = service.move(
        work(rt),
        None,
        email=person2,
        room="Kommunale Sorgestrukturen",
        round_number=2,
        force=True,
        limits=LIMITS,
    )
    assert isinstance(later.zoom, ZoomNotApplied) and len(rt.emulator.write_calls()) == 1

    at(rt, ROUND1_START + minutes(1))  # round 1 running: stored, Zoom left to the moderators
    person3 = _candidate(rt, avoid="Kümmerei Köln")
    running = service.move(
        work(rt), None, email=person3, room="Kümmerei Köln", round_number=1, force=True, limits=LIMITS
    )
    assert isinstance(running.zoom, ZoomNotApplied) and "started" in running.zoom.reason
    assert len(rt.emulator.write_calls()) == 1

    at(rt, ROUND2_START + minutes(46))
    with pytest.raises(BadInput, match="already over"):
        service.move(work(rt), None, email=person3, room=FULL, round_number=2, force=True, limits=LIMITS)


def test_swap_exchanges_rooms_and_keeps_the_no_repeat_rule(rt: App) -> None:
    shown = service.show(rt.store, rt.clock, None, 1)
    rooms = {r.room: [p.email for p in r.people] for r in shown.rooms}
    a = next(e for e in rooms["Kümmerei Köln"] if _room_of(rt, e, 2) != "Caring Community Köln")
    b = next(e for e in rooms["Caring Community Köln"] if _room_of(rt, e, 2) != "Kümmerei Köln")
    result = service.swap(work(rt), None, email_a=a, email_b=b, round_number=1, limits=LIMITS)
    assert {s.email: s.after for s in result.swapped} == {
        a: "Caring Community Köln",
        b: "Kümmerei Köln",
    }
    assert _room_of(rt, a, 1) == "Caring Community Köln" and _room_of(rt, b, 1) == "Kümmerei Köln"
    with rt.session() as session:
        sources = set(
            session.scalars(select(BreakoutAssignment.source).where(BreakoutAssignment.source == "moved"))
        )
    assert sources == {"moved"}

    c = next(e for e in rooms["ALIA – Agil leben im Alter"] if _room_of(rt, e, 2) == "Kümmerei Köln")
    d = next(e for e in rooms["Kümmerei Köln"] if e != a)
    with pytest.raises(BadInput, match="as well"):
        service.swap(work(rt), None, email_a=c, email_b=d, round_number=1, limits=LIMITS)
    with pytest.raises(BadInput, match="already"):
        service.swap(work(rt), None, email_a=b, email_b=d, round_number=1, limits=LIMITS)


def test_show_lists_rooms_people_and_moderators(rt: App) -> None:
    shown = service.show(rt.store, rt.clock, None, 2)
    assert next(r.room for r in shown.rooms) == FULL
    assert sum(r.assigned for r in shown.rooms) == 235 and shown.unplaced == []
    first = shown.rooms[0]
    assert [m.name for m in first.moderators] == ["Anna Berger", "Jonas Keller"]
    assert all(
        {f.name for f in fields(p)} == {"name", "email", "organisation", "source", "forced"}
        for p in first.people
    )
