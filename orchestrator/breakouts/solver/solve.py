"""Breakout room assignment: every participant gets one room per round, optimally and reproducibly.

``solve(problem)`` validates the problem, places everyone not fixed with an exact method and returns
a :class:`Plan` with per-round and per-room wish statistics. The objective is the total cost of all
placements (see :class:`RankCosts`); among equally good plans a name-derived lottery decides
(see ``tiebreak``), so the same input always gives the same plan, in any input order.

Method: a min-cost flow plus an exact round split when every round offers the same rooms and free
seats to people free in all rounds (``flow``); otherwise an integer program solved to proven
optimality by CP-SAT (``cpsat``). Both are exact for the same objective.
"""

from __future__ import annotations

from orchestrator.breakouts.solver import DEFAULT_MAX_SECONDS
from orchestrator.breakouts.solver.cpsat import solve_by_cpsat
from orchestrator.breakouts.solver.flow import flow_applies, solve_by_flow
from orchestrator.breakouts.solver.model import Plan, Problem
from orchestrator.breakouts.solver.prepare import prepare
from orchestrator.breakouts.solver.stats import assignment_cost, wish_stats


def solve(problem: Problem, *, max_seconds: float = DEFAULT_MAX_SECONDS) -> Plan:
    """Return an optimal plan for ``problem``.

    Raises ``InvalidProblem`` or ``InfeasiblePlan`` (both ``BadInput``) for unusable input, and
    ``OperationFailed`` if the general method cannot prove optimality within ``max_seconds``.
    """
    prepared = prepare(problem)
    assignment = dict(prepared.fixed)
    method = "fixed"
    if prepared.free:
        if flow_applies(prepared):
            method = "flow"
            assignment.update(solve_by_flow(prepared, problem.costs))
        else:
            method = "cp-sat"
            assignment.update(solve_by_cpsat(prepared, problem.costs, max_seconds))
    assignment = dict(sorted(assignment.items()))
    per_round, per_room = wish_stats(prepared.participants, assignment, prepared.capacity)
    return Plan(
        assignment=assignment,
        objective=assignment_cost(prepared.participants, assignment, problem.costs),
        per_round=per_round,
        per_room=per_room,
        method=method,
    )
