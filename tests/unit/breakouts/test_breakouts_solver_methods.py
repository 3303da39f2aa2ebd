"""The two exact methods agree; fairness, re-planning and the German catalogue."""

from __future__ import annotations

import ast
import random
from pathlib import Path

import pytest

from orchestrator.breakouts import (
    Move,
    Participant,
    Problem,
    RankCosts,
    RoomSlot,
    kept_placements,
    moves,
    solve,
)
from orchestrator.breakouts.solver.cpsat import solve_by_cpsat
from orchestrator.breakouts.solver.flow import flow_applies
from orchestrator.breakouts.solver.prepare import prepare
from orchestrator.breakouts.solver.stats import assignment_cost
from orchestrator.i18n import catalogue
from tests.unit.breakouts.breakouts_solver_strategies import assert_valid

ROOMS = ["R1", "R2", "R3", "R4", "R5", "R6"]


def skewed_problem(seed: int, count: int, seats: int, rounds: int = 3) -> Problem:
    rng = random.Random(seed)
    weights = [1 / (i + 1) for i in range(len(ROOMS))]
    participants = []
    for i in range(count):
        wishes: list[str] = []
        while len(wishes) < 3:
            room = rng.choices(ROOMS, weights)[0]
            if room not in wishes:
                wishes.append(room)
        participants.append(Participant(f"p{i:03d}", tuple(wishes[: rng.choice([0, 2, 3, 3, 3])])))
    slots = [RoomSlot(r, room, seats) for r in range(1, rounds + 1) for room in ROOMS]
    return Problem(rooms=slots, participants=participants)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_flow_and_integer_program_find_the_same_optimum(seed: int) -> None:
    problem = skewed_problem(seed, count=60, seats=11)
    prepared = prepare(problem)
    assert flow_applies(prepared)
    plan = solve(problem)
    assert plan.method == "flow"
    by_program = solve_by_cpsat(prepared, problem.costs, max_seconds=30)
    assert_valid(problem, by_program)
    assert assignment_cost(problem.participants, by_program, problem.costs) == plan.objective


def test_misses_are_shared_between_people() -> None:
    # Two people want the same one-seat workshop each round; one must miss. With convex miss costs
    # nobody misses both rounds: each gets "their" workshop once.
    rooms = [RoomSlot(r, name, 1) for r in (1, 2) for name in ("X", "Y", "Z", "W")]
    a = Participant("a", ("X", "Y"))
    b = Participant("b", ("X", "Y"))
    c = Participant("c", ("X", "Y"))
    plan = solve(Problem(rooms=rooms, participants=[a, b, c], costs=RankCosts((0, 1), 5, 5)))
    # 4 placements in X/Y for 6 person-rounds: 2 misses, never both for the same person.
    misses = {
        key: sum(1 for (k, _r), room in plan.assignment.items() if k == key and room not in "XY")
        for key in "abc"
    }
    assert sorted(misses.values()) == [0, 1, 1]
    linear = solve(Problem(rooms=rooms, participants=[a, b, c], costs=RankCosts((0, 1), 5, 0)))
    assert linear.objective == 1 + 1 + 5 + 5  # same placements are optimal; the extra only breaks ties


def test_late_registrations_do_not_move_anyone() -> None:
    problem = skewed_problem(7, count=50, seats=10)
    first = solve(problem)
    late = [Participant(f"late{i}", ("R1", "R2", "R3")) for i in range(6)]
    everyone = [*problem.participants, *late]
    fixed = kept_placements(
        first.assignment, [p.key for p in everyone], [(s.round_number, s.room) for s in problem.rooms]
    )
    replanned = solve(Problem(rooms=problem.rooms, participants=everyone, fixed=fixed))
    assert replanned.method == "cp-sat"
    assert_valid(Problem(rooms=problem.rooms, participants=everyone, fixed=fixed), replanned.assignment)
    assert moves(first.assignment, replanned.assignment) == []
    assert {(p.key, r) for p in late for r in (1, 2, 3)} <= set(replanned.assignment)


def test_kept_placements_drop_cancelled_people_and_rooms() -> None:
    previous = {("a", 1): "X", ("b", 1): "Y", ("a", 2): "Z"}
    kept = kept_placements(previous, ["a"], [(1, "X"), (1, "Y")])
    assert kept == {("a", 1): "X"}


def test_moves_lists_changed_rooms() -> None:
    before = {("a", 1): "X", ("b", 1): "Y", ("c", 1): "Z"}
    after = {("a", 1): "X", ("b", 1): "Z", ("d", 1): "Y"}
    assert moves(before, after) == [Move("b", 1, "Y", "Z")]


def test_same_plan_every_time_and_wish_counts() -> None:
    problem = skewed_problem(11, count=40, seats=8)
    plans = [solve(problem) for _ in range(2)]
    assert plans[0] == plans[1]
    overall = plans[0].overall
    assert overall.total == 120
    first_wishes = sum(
        1
        for (key, _r), room in plans[0].assignment.items()
        if next(p for p in problem.participants if p.key == key).wishes[:1] == (room,)
    )
    assert overall.first == first_wishes


def test_every_message_has_a_german_translation() -> None:
    german = catalogue("de")
    package = Path(__file__).resolve().parents[3] / "orchestrator" / "breakouts" / "solver"
    literals = [
        node.args[0].value
        for path in sorted(package.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]
    assert len(literals) >= 10
    missing = [text for text in literals if not isinstance(text, str) or not german.get(text)]
    assert missing == []
