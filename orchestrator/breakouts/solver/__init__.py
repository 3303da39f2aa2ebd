"""The breakout assignment solver (pure: no store, no Zoom).

``solve`` turns a :class:`Problem` (people with ranked wishes, room slots per round) into an
optimal :class:`Plan`. Modules: ``model`` (problem and plan types), ``prepare`` (checks and fixed
placements), ``flow`` (exact joint min-cost flow, OR-tools), ``cpsat`` (CP-SAT fallback when rounds
differ in free seats), ``tiebreak`` (deterministic ties), ``stats``, ``replan`` (kept placements
and moves), ``errors``.

Importing this package stays cheap: OR-tools and NumPy load only when ``solve`` runs.
"""

from __future__ import annotations

from orchestrator.breakouts.solver.errors import InfeasiblePlan, InvalidProblem
from orchestrator.breakouts.solver.model import (
    Participant,
    Plan,
    Problem,
    RankCosts,
    RoomSlot,
    RoomStats,
    WishStats,
)
from orchestrator.breakouts.solver.replan import Move, kept_placements, moves

DEFAULT_MAX_SECONDS = 60.0


def solve(problem: Problem, *, max_seconds: float = DEFAULT_MAX_SECONDS) -> Plan:
    """Return an optimal plan for ``problem`` (see :func:`orchestrator.breakouts.solver.solve.solve`)."""
    from orchestrator.breakouts.solver.solve import solve as solve_optimally

    return solve_optimally(problem, max_seconds=max_seconds)


__all__ = [
    "DEFAULT_MAX_SECONDS",
    "InfeasiblePlan",
    "InvalidProblem",
    "Move",
    "Participant",
    "Plan",
    "Problem",
    "RankCosts",
    "RoomSlot",
    "RoomStats",
    "WishStats",
    "kept_placements",
    "moves",
    "solve",
]
