"""Breakout rounds: the assignment solver (pure), and later plan service, export and Zoom apply."""

from orchestrator.breakouts.solver import solve
from orchestrator.breakouts.solver_errors import InfeasiblePlan, InvalidProblem
from orchestrator.breakouts.solver_model import (
    Participant,
    Plan,
    Problem,
    RankCosts,
    RoomSlot,
    RoomStats,
    WishStats,
)
from orchestrator.breakouts.solver_replan import Move, kept_placements, moves

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
