"""The pre-assignment Zoom gets for one round: rooms in agenda order, each with e-mails.

Each room lists its moderators first (from the agenda; a moderator whose registration was
cancelled is left out), then the active people planned into it, sorted by e-mail. Cancelled
people are left out even before anyone re-plans. No join links, only names and e-mails.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.db.models import BreakoutAssignment, BreakoutRoundRecord, Event, Person
from orchestrator.db.models.person import PersonStatus


@dataclass(frozen=True)
class ZoomRoom:
    """One pre-assigned breakout room: its name and the e-mails of the people in it."""

    name: str
    emails: tuple[str, ...]


def round_rooms(session: Session, event: Event, round_row: BreakoutRoundRecord) -> list[ZoomRoom]:
    """The pre-assignment for ``round_row`` from the stored plan (see module docstring)."""
    # Plain columns, not ORM objects: the scheduler asks for this every minute, for thousands.
    members: dict[str, list[str]] = {room.name: [] for room in round_row.rooms}
    placed = session.execute(
        select(BreakoutAssignment.room_name, Person.email)
        .join(Person, Person.id == BreakoutAssignment.person_id)
        .where(BreakoutAssignment.round_id == round_row.id, Person.status == PersonStatus.ACTIVE)
    )
    for room_name, email in placed:
        if room_name in members:
            members[room_name].append(email)
    named = {str(m["email"]).strip().lower() for room in round_row.rooms for m in room.moderators}
    cancelled = set(
        session.scalars(
            select(Person.email).where(
                Person.event_id == event.id,
                Person.status == PersonStatus.CANCELLED,
                Person.email.in_(sorted(named)),
            )
        )
    )
    rooms = []
    for room in round_row.rooms:
        moderators = []
        for moderator in room.moderators:
            email = str(moderator["email"]).strip().lower()
            if email not in cancelled and email not in moderators:
                moderators.append(email)
        rest = [e for e in sorted(members[room.name]) if e not in moderators]
        rooms.append(ZoomRoom(room.name, tuple(moderators + rest)))
    return rooms


def settings_body(rooms: list[ZoomRoom]) -> dict[str, Any]:
    """The PATCH body that replaces the meeting's whole pre-assignment set."""
    return {
        "settings": {
            "breakout_room": {
                "enable": True,
                "rooms": [{"name": room.name, "participants": list(room.emails)} for room in rooms],
            }
        }
    }


def canonical(rooms: list[ZoomRoom]) -> list[tuple[str, tuple[str, ...]]]:
    """Order-independent form for comparing what we sent with what Zoom holds."""
    return sorted((room.name, tuple(sorted(e.strip().lower() for e in room.emails))) for room in rooms)


def payload_hash(rooms: list[ZoomRoom]) -> str:
    """Hash of the pre-assignment (what the apply record stores)."""
    text = json.dumps(canonical(rooms), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rooms_in_meeting(meeting: dict[str, Any]) -> list[ZoomRoom]:
    """The pre-assignment a Zoom meeting object (``GET /meetings/{id}``) holds."""
    settings = meeting.get("settings") or {}
    breakout = settings.get("breakout_room") or {}
    rooms = breakout.get("rooms") or []
    return [
        ZoomRoom(str(room.get("name", "")), tuple(str(e) for e in room.get("participants") or []))
        for room in rooms
        if isinstance(room, dict)
    ]


def participant_count(rooms: list[ZoomRoom]) -> int:
    return sum(len(room.emails) for room in rooms)
