"""Breakout rounds: the assignment solver (``solver/``, pure), plan, export, Zoom apply, moderation.

The use cases live in :mod:`orchestrator.breakouts.service`. The solver's public names are
re-exported here; importing them does not load OR-tools (only solving does).
"""

from orchestrator.breakouts.solver import (
    InfeasiblePlan,
    InvalidProblem,
    Move,
    Participant,
    Plan,
    Problem,
    RankCosts,
    RoomSlot,
    RoomStats,
    WishStats,
    kept_placements,
    moves,
    solve,
)

__all__ = [
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
