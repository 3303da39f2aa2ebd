"""Planning breakout rounds from the store: complete, capacity-true, no repeats, stable on re-plan."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select, update

from orchestrator.app import App
from orchestrator.breakouts import service
from orchestrator.breakouts.people import moderator_emails
from orchestrator.breakouts.plan import PlanOptions
from orchestrator.breakouts.queries import assignments_for_round, room_for_person
from orchestrator.breakouts.solver.errors import InfeasiblePlan
from orchestrator.breakouts.solver.model import RankCosts
from orchestrator.db.models import BreakoutAssignment, BreakoutRoom, BreakoutRoundRecord, Event, Person
from orchestrator.errors import BadInput
from tests.integration.test_breakouts_support import (
    ROUND1_START,
    ROUND2_START,
    active_emails,
    add_cancelled,
    add_people,
    at,
    cancel,
    event_runtime,
    minutes,
)


def _placements(rt: App) -> dict[tuple[str, int], str]:
    with rt.session() as session:
        rows = session.execute(
            select(Person.email, BreakoutRoundRecord.number, BreakoutAssignment.room_name)
            .join(Person, Person.id == BreakoutAssignment.person_id)
            .join(BreakoutRoundRecord, BreakoutRoundRecord.id == BreakoutAssignment.round_id)
        )
        return {(email, number): room for email, number, room in rows}


def _capacities(rt: App) -> dict[tuple[int, str], int]:
    with rt.session() as session:
        rows = session.execute(
            select(BreakoutRoundRecord.number, BreakoutRoom.name, BreakoutRoom.capacity).join(
                BreakoutRoundRecord
            )
        )
        return {(number, name): capacity for number, name, capacity in rows}


def _grow_rooms(rt: App, extra: int) -> None:
    with rt.session() as session:
        session.execute(update(BreakoutRoom).values(capacity=BreakoutRoom.capacity + extra))
        session.commit()


def _check_valid(rt: App) -> dict[tuple[str, int], str]:
    placements = _placements(rt)
    people = active_emails(rt)
    with rt.session() as session:
        moderators = moderator_emails(session.scalars(select(Event)).one())
    planned = [p for p in people if p not in moderators]
    assert sorted({email for email, _ in placements}) == planned
    for email in planned:
        rooms = [placements[(email, r)] for r in (1, 2)]
        assert len(set(rooms)) == 2, f"{email} repeats a workshop"
    load = Counter((r, room) for (_e, r), room in placements.items())
    capacities = _capacities(rt)
    assert all(count <= capacities[where] for where, count in load.items())
    return placements


def test_plan_places_everyone_once_per_round_within_capacity(database_url: str, tmp_path: Path) -> None:
    rt = event_runtime(database_url, tmp_path)
    result = service.plan(rt.store, rt.clock, None, PlanOptions())
    placements = _check_valid(rt)
    people = len(active_emails(rt))
    assert result.people == people == 235
    assert result.rounds == [1, 2]
    assert result.placed_new == 2 * people and result.kept == 0 and result.moved == []
    wishes = result.wishes
    assert wishes.total == 2 * people
    assert wishes.first > wishes.none
    assert {r.room for r in result.rooms} == {room for (_n, room) in _capacities(rt)}
    assert sum(r.assigned for r in result.rooms if r.round == 1) == people
    assert result.versions == {1: 1, 2: 1}
    # the queries the room mails use agree with the stored plan
    with rt.session() as session:
        event = session.scalars(select(Event)).one()
        by_id = {p.id: p.email for p in session.scalars(select(Person))}
        for number in (1, 2):
            rooms = assignments_for_round(session, event.id, number)
            assert {by_id[pid]: room for pid, room in rooms.items()} == {
                e: room for (e, r), room in placements.items() if r == number
            }
        someone = next(iter(rooms))
        assert room_for_person(session, event.id, 2, someone) == rooms[someone]
        assert room_for_person(session, event.id, 9, someone) is None


def test_plan_is_deterministic_across_stores(database_url: str, tmp_path: Path) -> None:
    first = event_runtime(database_url, tmp_path / "a")
    second = event_runtime(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "b")
    service.plan(first.store, first.clock, None, PlanOptions())
    service.plan(second.store, second.clock, None, PlanOptions())
    assert _placements(first) == _placements(second)
    again = service.plan(first.store, first.clock, None, PlanOptions(rebalance=True))
    assert again.moved == [] and again.versions == {1: 1, 2: 1}


def test_costs_are_configurable(database_url: str, tmp_path: Path) -> None:
    rt = event_runtime(database_url, tmp_path)
    cheap = service.plan(rt.store, rt.clock, None, PlanOptions(costs=RankCosts(costs=(0, 1, 2), unranked=6)))
    scaled = RankCosts(costs=(0, 10, 20), unranked=60, repeat_miss_extra=30)
    dear = service.plan(rt.store, rt.clock, None, PlanOptions(costs=scaled, rebalance=True))
    # every cost times ten: the same optimal plan, ten times the objective
    assert dear.objective == 10 * cheap.objective and dear.wishes == cheap.wishes
    first_only = service.plan(
        rt.store, rt.clock, None, PlanOptions(costs=RankCosts(costs=(0, 5, 5), unranked=5), rebalance=True)
    )
    assert first_only.wishes.first >= cheap.wishes.first


def test_replan_after_50_late_registrations_moves_nobody(database_url: str, tmp_path: Path) -> None:
    rt = event_runtime(database_url, tmp_path)
    service.plan(rt.store, rt.clock, None, PlanOptions())
    before = _placements(rt)
    _grow_rooms(rt, 10)  # 325 seats per round for 285 people
    late = add_people(rt, 50)
    result = service.plan(rt.store, rt.clock, None, PlanOptions())
    after = _check_valid(rt)
    assert result.moved == []
    assert {k: after[k] for k in before} == before  # 0 already-placed people moved
    assert all((email, r) in after for email in late for r in (1, 2))
    assert result.kept == len(before) and result.placed_new == 100
    assert result.versions == {1: 2, 2: 2}

    rebalanced = service.plan(rt.store, rt.clock, None, PlanOptions(rebalance=True))
    final = _check_valid(rt)
    changed = sorted((e, r) for (e, r), room in after.items() if final[(e, r)] != room)
    assert sorted((m.email, m.round) for m in rebalanced.moved) == changed
    assert rebalanced.objective <= result.objective


def test_cancelled_people_leave_future_rounds(database_url: str, tmp_path: Path) -> None:
    rt = event_runtime(database_url, tmp_path)
    service.plan(rt.store, rt.clock, None, PlanOptions())
    gone = active_emails(rt)[0]
    cancel(rt, gone)
    result = service.plan(rt.store, rt.clock, None, PlanOptions())
    assert sorted((r.email, r.round) for r in result.removed) == [(gone, 1), (gone, 2)]
    assert all(r.reason == "cancelled" for r in result.removed)
    assert not any(email == gone for email, _ in _placements(rt))


def test_impossible_plan_says_how_many_seats_are_missing_and_stores_nothing(
    database_url: str, tmp_path: Path
) -> None:
    rt = event_runtime(database_url, tmp_path)
    _grow_rooms(rt, -10)  # 225 seats for 235 people
    with pytest.raises(InfeasiblePlan) as caught:
        service.plan(rt.store, rt.clock, None, PlanOptions())
    assert "10 seats are missing" in caught.value.message
    assert caught.value.missing_seats == 10
    assert _placements(rt) == {}


def test_one_round_and_rounds_in_progress(database_url: str, tmp_path: Path) -> None:
    rt = event_runtime(database_url, tmp_path)
    service.plan(rt.store, rt.clock, None, PlanOptions())
    before = _placements(rt)
    only_two = service.plan(rt.store, rt.clock, None, PlanOptions(round_number=2, rebalance=True))
    assert only_two.rounds == [2]
    after = _check_valid(rt)
    assert {k: v for k, v in after.items() if k[1] == 1} == {k: v for k, v in before.items() if k[1] == 1}

    at(rt, ROUND1_START + minutes(5))  # round 1 is running
    late = add_people(rt, 3)
    with pytest.raises(BadInput, match="is running"):
        service.plan(rt.store, rt.clock, None, PlanOptions(round_number=1))
    result = service.plan(rt.store, rt.clock, None, PlanOptions())
    assert result.rounds == [2]
    placements = _placements(rt)
    assert all((email, 2) in placements and (email, 1) not in placements for email in late)

    at(rt, ROUND2_START + minutes(60))
    with pytest.raises(BadInput, match="already over"):
        service.plan(rt.store, rt.clock, None, PlanOptions(round_number=2))
    with pytest.raises(BadInput, match="no breakout round 7"):
        service.plan(rt.store, rt.clock, None, PlanOptions(round_number=7))


def test_room_whose_moderator_cancelled_is_flagged(database_url: str, tmp_path: Path) -> None:
    rt = event_runtime(database_url, tmp_path)
    add_cancelled(rt, "paul.hoffmann@example.org", "Paul", "Hoffmann")
    result = service.plan(rt.store, rt.clock, None, PlanOptions())
    assert {(f.round, f.room) for f in result.flagged_rooms} == {
        (1, "Kümmerei Köln"),
        (2, "Kümmerei Köln"),
    }
    assert result.flagged_rooms[0].cancelled_moderators == ["Paul Hoffmann"]
