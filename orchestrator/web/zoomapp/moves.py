"""Moves the host made in Zoom's own breakout window, as the app reports them.

The app compares the rooms' members with what it saw last and with what it assigned itself; a
difference it did not cause is the host's (or a co-host's) move in Zoom. Each one becomes a
``zoomapp.zoom_move`` row of ``zoom_audit`` (the console lists them). When the person is identified
and the new room is one of the round's rooms, the plan follows Zoom (the same move the console
makes, marked as forced when the room is full): the host's decision in Zoom is what happened, and
the app must not move the person back on its next pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from orchestrator.breakouts.moderate import move_person
from orchestrator.db.models import Event, Person
from orchestrator.db.models.person import PersonStatus
from orchestrator.errors import BadInput
from orchestrator.web.zoomapp import data

MOVE_ACTION = "zoomapp.zoom_move"


@dataclass(frozen=True)
class ZoomMove:
    """One participant now in ``to_room`` (None: the main room) instead of ``from_room``."""

    participant_uuid: str
    person_id: int | None
    from_room: str | None
    to_room: str | None


@dataclass(frozen=True)
class ZoomMovesOutcome:
    recorded: int
    plan_updated: int


def _person(session: Session, event: Event, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    person = session.get(Person, person_id)
    if person is None or person.event_id != event.id or person.status != PersonStatus.ACTIVE:
        return None
    return person


def record_zoom_moves(
    session: Session,
    event: Event,
    round_number: int,
    moves: list[ZoomMove],
    *,
    zoom_user: str,
    meeting_uuid: str,
    now: datetime,
) -> ZoomMovesOutcome:
    """Record each move (and let the plan follow it where possible); the caller commits."""
    rooms = {room.name for r in event.rounds if r.number == round_number for room in r.rooms}
    updated = 0
    for move in moves:
        person = _person(session, event, move.person_id)
        plan = "not_identified" if person is None else "main_room"
        if person is not None and move.to_room is not None:
            if move.to_room not in rooms:
                plan = "not_a_round_room"
            else:
                try:
                    outcome = move_person(
                        session,
                        event,
                        email=person.email,
                        room_name=move.to_room,
                        round_number=round_number,
                        now=now,
                        force=True,
                    )
                except BadInput:
                    plan = "refused"
                else:
                    plan = "moved" if outcome.changed else "unchanged"
                    updated += int(outcome.changed)
        detail: dict[str, object] = {
            "zoom_user": zoom_user,
            "meeting_uuid": meeting_uuid,
            "round": round_number,
            "participant_uuid": move.participant_uuid,
            "from_room": move.from_room,
            "room": move.to_room,
            "plan": plan,
        }
        if person is not None:
            detail["person_id"] = person.id
        entry = data.AppAction(MOVE_ACTION, "onMeetingConfigChanged", "ok", detail)
        data.record(session, event.id, entry, now)
    return ZoomMovesOutcome(recorded=len(moves), plan_updated=updated)
