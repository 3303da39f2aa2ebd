"""Properties that hold for every plan: seats, one room per round, no repeat, fixed kept, determinism."""

from __future__ import annotations

from random import Random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestrator.breakouts import Problem, solve
from orchestrator.errors import BadInput
from tests.unit.breakouts.breakouts_solver_strategies import assert_valid, problems

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


@SETTINGS
@given(problems(max_people=25, max_rooms=6, max_rounds=3), st.randoms(use_true_random=False))
def test_plans_are_valid_and_independent_of_input_order(problem: Problem, random: Random) -> None:
    try:
        plan = solve(problem)
    except BadInput:
        return
    assert_valid(problem, plan.assignment)
    rooms, people, fixed = list(problem.rooms), list(problem.participants), list(problem.fixed.items())
    random.shuffle(rooms)
    random.shuffle(people)
    random.shuffle(fixed)
    shuffled = solve(Problem(rooms=rooms, participants=people, fixed=dict(fixed), costs=problem.costs))
    assert shuffled.assignment == plan.assignment
    assert shuffled.objective == plan.objective


@SETTINGS
@given(problems(max_people=25, max_rooms=6, max_rounds=3))
def test_statistics_add_up(problem: Problem) -> None:
    try:
        plan = solve(problem)
    except BadInput:
        return
    people = len(problem.participants)
    for round_number, stats in plan.per_round.items():
        assert stats.total == people
        in_rooms = [s for (r, _room), s in plan.per_room.items() if r == round_number]
        assert sum(s.assigned for s in in_rooms) == people
        assert all(s.assigned <= s.capacity for s in in_rooms)
        assert sum(s.none for s in in_rooms) == stats.none
    assert plan.overall.total == people * len(plan.per_round)
