"""Errors of the breakout assignment solver (the organiser sees them; nothing was applied)."""

from __future__ import annotations

from orchestrator.errors import BadInput


class InvalidProblem(BadInput):
    """The rooms, participants, fixed placements or costs contradict themselves."""


class InfeasiblePlan(BadInput):
    """No plan can seat everyone: ``missing_seats`` placements are lacking (in ``round_number``,
    when the shortage is one round's; ``None`` when only the no-repeat rule makes it impossible)."""

    def __init__(
        self,
        message: str,
        *,
        round_number: int | None,
        missing_seats: int,
        details: list[str] | None = None,
    ) -> None:
        super().__init__(message, details=details)
        self.round_number = round_number
        self.missing_seats = missing_seats
