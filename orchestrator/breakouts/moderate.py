"""Changes during the event: move one person to another room, swap two people, show a round.

Changes are stored as hand-made placements (kept by every later re-plan, even ``--rebalance``).
A move into a full room, or into a workshop the person attends in another round, is refused
unless ``force``; a forced move is logged and marked on the row. Re-applying to Zoom is the
caller's decision (see ``orchestrator.breakouts.service``).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.breakouts.people import moderator_emails, people_by_email
from orchestrator.breakouts.plan import flagged_rooms
from orchestrator.breakouts.results import (
    MoveOutcome,
    RoundShow,
    ShownModerator,
    ShownPerson,
    ShownRoom,
    SwappedPerson,
)
from orchestrator.breakouts.rounds import find_room, find_round, phase, require_not_over
from orchestrator.breakouts.store import record_plan, round_rows
from orchestrator.db.models import BreakoutAssignment, BreakoutRoundRecord, Event, Person
from orchestrator.db.models.breakouts import AssignmentSource
from orchestrator.db.models.person import PersonStatus
from orchestrator.errors import BadInput
from orchestrator.i18n import _

log = logging.getLogger(__name__)


def registered_person(session: Session, event: Event, email: str) -> Person:
    """The active, non-moderator person with this e-mail; ``BadInput`` saying why not otherwise."""
    key = email.strip().lower()
    if key in moderator_emails(event):
        raise BadInput(
            _("{email} moderates a room (see the agenda) and is not placed as a participant.", email=email)
        )
    person = people_by_email(session, event).get(key)
    if person is None:
        raise BadInput(_("{email} is not registered for this event.", email=email))
    if person.status != PersonStatus.ACTIVE:
        raise BadInput(_("{email} has cancelled the registration.", email=email))
    return person


def move_person(
    session: Session,
    event: Event,
    *,
    email: str,
    room_name: str,
    round_number: int,
    now: datetime,
    force: bool,
) -> MoveOutcome:
    """Place ``email`` into ``room_name`` in round ``round_number`` (the caller commits)."""
    round_row = find_round(event, round_number)
    require_not_over(round_row, now)
    room = find_room(round_row, room_name)
    person = registered_person(session, event, email)
    rows = _rows_by_person(session, round_row)
    row = rows.get(person.id)
    before = row.room_name if row else None
    if before == room.name:
        return MoveOutcome(
            round_number, person.email, before, room.name, changed=False, forced=False, warnings=[]
        )
    warnings: list[str] = []
    repeat = _repeat_round(session, event, person, room.name, round_number)
    if repeat is not None:
        warnings.append(
            _(
                "{name} attends {room} in round {other} as well.",
                name=person.full_name,
                room=room.name,
                other=repeat,
            )
        )
    occupied = _occupied(session, round_row, room.name, exclude=person.id)
    if occupied + 1 > room.capacity:
        warnings.append(
            _(
                "Room {room} in round {round} is full ({count} of {capacity} seats).",
                room=room.name,
                round=round_number,
                count=occupied,
                capacity=room.capacity,
            )
        )
    if warnings and not force:
        raise BadInput(
            warnings[0] + " " + _("Nothing was changed; use --force to place the person anyway."),
            details=warnings[1:],
        )
    if row is None:
        row = BreakoutAssignment(round_id=round_row.id, person_id=person.id, room_name=room.name)
        session.add(row)
    row.room_name = room.name
    row.source = AssignmentSource.MOVED
    row.forced = bool(warnings)
    row.updated_at = now
    if warnings:
        log.warning(
            "breakout move forced",
            extra={
                "event": event.key,
                "round": round_number,
                "person_id": person.id,
                "room": room.name,
                "reasons": len(warnings),
            },
        )
    session.flush()
    record_plan(session, round_row, method="moved", objective=None, now=now)
    return MoveOutcome(
        round_number, person.email, before, room.name, changed=True, forced=bool(warnings), warnings=warnings
    )


def swap_people(
    session: Session, event: Event, *, email_a: str, email_b: str, round_number: int, now: datetime
) -> tuple[SwappedPerson, SwappedPerson]:
    """Exchange the rooms of two people in one round (capacity stays the same; the caller commits)."""
    round_row = find_round(event, round_number)
    require_not_over(round_row, now)
    first = registered_person(session, event, email_a)
    second = registered_person(session, event, email_b)
    rows = _rows_by_person(session, round_row)
    missing = [p.email for p in (first, second) if p.id not in rows]
    if missing:
        raise BadInput(
            _(
                "{email} has no room in round {round} yet; use 'move' instead.",
                email=missing[0],
                round=round_number,
            )
        )
    row_a, row_b = rows[first.id], rows[second.id]
    if row_a.room_name == row_b.room_name:
        raise BadInput(_("Both people are in room {room} already.", room=row_a.room_name))
    for person, room in ((first, row_b.room_name), (second, row_a.room_name)):
        repeat = _repeat_round(session, event, person, room, round_number)
        if repeat is not None:
            raise BadInput(
                _(
                    "{name} attends {room} in round {other} as well.",
                    name=person.full_name,
                    room=room,
                    other=repeat,
                )
                + " "
                + _("Nothing was changed.")
            )
    row_a.room_name, row_b.room_name = row_b.room_name, row_a.room_name
    for row in (row_a, row_b):
        row.source = AssignmentSource.MOVED
        row.updated_at = now
    session.flush()
    record_plan(session, round_row, method="moved", objective=None, now=now)
    return SwappedPerson(first.email, row_a.room_name), SwappedPerson(second.email, row_b.room_name)


def show_round(session: Session, event: Event, *, round_number: int, now: datetime) -> RoundShow:
    """Rooms of a round with capacity, moderators and people; who is still without a room."""
    round_row = find_round(event, round_number)
    everyone = people_by_email(session, event)
    moderators = moderator_emails(event)
    members: dict[str, list[ShownPerson]] = {room.name: [] for room in round_row.rooms}
    placed: set[int] = set()
    for row, person in round_rows(session, round_row):
        if person.status != PersonStatus.ACTIVE or row.room_name not in members:
            continue
        placed.add(person.id)
        members[row.room_name].append(
            ShownPerson(person.full_name, person.email, person.organisation, row.source, row.forced)
        )
    rooms: list[ShownRoom] = []
    for room in round_row.rooms:
        mods: list[ShownModerator] = []
        for moderator in room.moderators:
            registered = everyone.get(str(moderator["email"]).strip().lower())
            cancelled = registered is not None and registered.status == PersonStatus.CANCELLED
            mods.append(ShownModerator(moderator["name"], moderator["email"], cancelled))
        rooms.append(ShownRoom(room.name, room.capacity, len(members[room.name]), mods, members[room.name]))
    unplaced = sorted(
        p.email
        for p in everyone.values()
        if p.status == PersonStatus.ACTIVE and p.id not in placed and p.email not in moderators
    )
    return RoundShow(
        event=event.key,
        timezone=event.timezone,
        round=round_number,
        title=round_row.title,
        phase=phase(round_row, now),
        start=round_row.start_utc,
        end=round_row.end_utc,
        rooms=rooms,
        unplaced=unplaced,
        flagged_rooms=flagged_rooms(session, event, [round_row]),
    )


def _rows_by_person(session: Session, round_row: BreakoutRoundRecord) -> dict[int, BreakoutAssignment]:
    return {
        row.person_id: row
        for row in session.scalars(
            select(BreakoutAssignment).where(BreakoutAssignment.round_id == round_row.id)
        )
    }


def _occupied(session: Session, round_row: BreakoutRoundRecord, room: str, *, exclude: int) -> int:
    return sum(
        1
        for row, person in round_rows(session, round_row)
        if row.room_name == room and person.status == PersonStatus.ACTIVE and person.id != exclude
    )


def _repeat_round(session: Session, event: Event, person: Person, room: str, round_number: int) -> int | None:
    """Another round in which ``person`` already sits in workshop ``room``, if any."""
    query = (
        select(BreakoutRoundRecord.number)
        .join(BreakoutAssignment, BreakoutAssignment.round_id == BreakoutRoundRecord.id)
        .where(
            BreakoutRoundRecord.event_id == event.id,
            BreakoutRoundRecord.number != round_number,
            BreakoutAssignment.person_id == person.id,
            BreakoutAssignment.room_name == room,
        )
        .order_by(BreakoutRoundRecord.number)
    )
    return session.scalars(query).first()
