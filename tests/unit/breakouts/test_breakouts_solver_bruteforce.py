"""The solver's objective equals an exhaustive search on small instances (both solution methods)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from orchestrator.breakouts import InfeasiblePlan, Problem, solve
from orchestrator.errors import BadInput
from tests.unit.breakouts.breakouts_solver_strategies import assert_valid, brute_force, person_cost, problems


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(problems(max_people=6, max_rooms=3, max_rounds=2))
def test_objective_equals_brute_force(problem: Problem) -> None:
    best = brute_force(problem)
    try:
        plan = solve(problem)
    except BadInput:
        assert best is None
        return
    assert best is not None
    assert_valid(problem, plan.assignment)
    assert plan.objective == best
    recomputed = sum(
        person_cost(p, [plan.assignment[(p.key, r)] for r in sorted(plan.per_round)], problem.costs)
        for p in problem.participants
    )
    assert recomputed == plan.objective


@settings(
    max_examples=80,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(problems(max_people=4, max_rooms=4, max_rounds=3))
def test_three_rounds_equal_brute_force(problem: Problem) -> None:
    best = brute_force(problem)
    try:
        plan = solve(problem)
    except InfeasiblePlan:
        assert best is None
        return
    except BadInput:
        assert best is None or problem.fixed
        return
    assert plan.objective == best
