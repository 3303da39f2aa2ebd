"""Finding a breakout round of the stored event and telling whether it is upcoming, running or over."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from orchestrator.db.models import BreakoutRoom, BreakoutRoundRecord, Event
from orchestrator.errors import BadInput
from orchestrator.i18n import _

Phase = Literal["upcoming", "running", "over"]


def find_round(event: Event, number: int) -> BreakoutRoundRecord:
    """The stored round ``number`` of ``event``; ``BadInput`` naming the existing rounds otherwise."""
    for round_row in event.rounds:
        if round_row.number == number:
            return round_row
    known = ", ".join(str(r.number) for r in event.rounds) or "-"
    raise BadInput(
        _("The event has no breakout round {number}. Rounds: {known}.", number=number, known=known)
    )


def find_room(round_row: BreakoutRoundRecord, name: str) -> BreakoutRoom:
    """The room ``name`` of ``round_row`` (exact, else case-insensitive match); ``BadInput`` otherwise."""
    rooms = list(round_row.rooms)
    for room in rooms:
        if room.name == name:
            return room
    folded = [room for room in rooms if room.name.casefold() == name.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    raise BadInput(
        _(
            "Round {round} has no room '{room}'. Rooms: {known}.",
            round=round_row.number,
            room=name,
            known="; ".join(room.name for room in rooms) or "-",
        )
    )


def phase(round_row: BreakoutRoundRecord, now: datetime) -> Phase:
    """Where ``now`` lies relative to the round."""
    if now >= round_row.end_utc:
        return "over"
    if now >= round_row.start_utc:
        return "running"
    return "upcoming"


def require_not_over(round_row: BreakoutRoundRecord, now: datetime) -> None:
    """Refuse to change a round that has ended."""
    if phase(round_row, now) == "over":
        raise BadInput(
            _("Breakout round {round} is already over; it can no longer be changed.", round=round_row.number)
        )


def require_upcoming(round_row: BreakoutRoundRecord, now: datetime) -> None:
    """Refuse to (re-)plan a round that has started: people are in their rooms already."""
    require_not_over(round_row, now)
    if phase(round_row, now) == "running":
        raise BadInput(
            _(
                "Breakout round {round} is running; it is not planned again. "
                "Use 'orchestrator breakouts move' or 'swap' for single changes.",
                round=round_row.number,
            )
        )
