"""What the moderator console shows for one round: rooms, people, capacity, Zoom state, host text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from orchestrator.breakouts.apply import apply_record
from orchestrator.breakouts.instructions import host_instruction
from orchestrator.breakouts.moderate import show_round
from orchestrator.breakouts.payload import participant_count, payload_hash, round_rooms
from orchestrator.breakouts.results import FlaggedRoom, ShownRoom
from orchestrator.breakouts.rounds import find_round
from orchestrator.breakouts.store import plan_version
from orchestrator.db.models import Event


@dataclass(frozen=True)
class PersonOption:
    """A person in the console's pickers (``room`` None: without a room; then ``name`` is the e-mail)."""

    email: str
    name: str
    room: str | None


@dataclass(frozen=True)
class ApplyStatus:
    """What was last sent to Zoom for the round, and whether Zoom holds exactly the stored rooms."""

    state: str | None
    applied_at: datetime | None
    current: bool
    verified: bool
    last_error: str | None
    in_sync: bool


@dataclass(frozen=True)
class RoundLink:
    number: int
    title: str


@dataclass(frozen=True)
class ConsoleView:
    """One round in the console."""

    round: int
    title: str
    phase: str
    start: datetime
    end: datetime
    rooms: list[ShownRoom]
    unplaced: list[str]
    flagged_rooms: list[FlaggedRoom]
    planned: bool
    people_options: list[PersonOption]
    apply: ApplyStatus
    instruction: str
    rounds: list[RoundLink]


def console_view(session: Session, event: Event, round_number: int, now: datetime, lang: str) -> ConsoleView:
    """Rooms with people and capacity; whether Zoom holds this round as stored; the host instruction."""
    round_row = find_round(event, round_number)
    shown = show_round(session, event, round_number=round_number, now=now)
    rooms = round_rooms(session, event, round_row)
    record = apply_record(session, round_row)
    in_zoom = (
        record is not None
        and record.current
        and record.verified
        and record.payload_hash == payload_hash(rooms)
    )
    start = round_row.start_utc.astimezone(ZoneInfo(event.timezone)).strftime("%d.%m.%Y %H:%M")
    placed = sorted(
        (PersonOption(p.email, p.name, room.room) for room in shown.rooms for p in room.people),
        key=lambda p: (p.name.casefold(), p.email),
    )
    return ConsoleView(
        round=shown.round,
        title=shown.title,
        phase=shown.phase,
        start=shown.start,
        end=shown.end,
        rooms=shown.rooms,
        unplaced=shown.unplaced,
        flagged_rooms=shown.flagged_rooms,
        planned=plan_version(session, round_row) is not None,
        people_options=placed + [PersonOption(e, e, None) for e in shown.unplaced],
        apply=ApplyStatus(
            state=record.state if record else None,
            applied_at=record.applied_at if record else None,
            current=bool(record and record.current),
            verified=bool(record and record.verified),
            last_error=record.last_error if record else None,
            in_sync=in_zoom,
        ),
        instruction=host_instruction(
            round_number=round_number,
            title=round_row.title,
            start=start,
            rooms=len(rooms),
            people=participant_count(rooms),
            language=lang,
        ),
        rounds=[RoundLink(r.number, r.title) for r in event.rounds],
    )
