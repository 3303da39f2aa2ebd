"""Who sits in which room of a round, as moderators and organisers see it (no e-mails, no links)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from orchestrator.breakouts.people import people_by_email
from orchestrator.breakouts.store import round_rows
from orchestrator.db.models import BreakoutRoundRecord, Event
from orchestrator.db.models.person import PersonStatus


@dataclass(frozen=True)
class RosterLine:
    """One person in a room: moderator or participant."""

    role: str  # "moderator" | "participant"
    name: str
    organisation: str
    cancelled: bool = False


@dataclass
class RosterRoom:
    """A room of the round with its capacity and people (moderators first, then by last name)."""

    name: str
    capacity: int
    lines: list[RosterLine] = field(default_factory=list)

    @property
    def participants(self) -> int:
        return sum(1 for line in self.lines if line.role == "participant")


def roster(session: Session, event: Event, round_row: BreakoutRoundRecord) -> list[RosterRoom]:
    """The round's rooms in agenda order with moderators (cancelled ones marked) and active participants."""
    everyone = people_by_email(session, event)
    rooms = {room.name: RosterRoom(room.name, room.capacity) for room in round_row.rooms}
    for room in round_row.rooms:
        for moderator in room.moderators:
            person = everyone.get(str(moderator["email"]).strip().lower())
            rooms[room.name].lines.append(
                RosterLine(
                    "moderator",
                    str(moderator["name"]),
                    (person.organisation or "") if person else "",
                    cancelled=person is not None and person.status == PersonStatus.CANCELLED,
                )
            )
    placed = sorted(
        (
            (row, person)
            for row, person in round_rows(session, round_row)
            if person.status == PersonStatus.ACTIVE
        ),
        key=lambda item: (item[1].last_name.casefold(), item[1].first_name.casefold(), item[1].email),
    )
    for row, person in placed:
        if row.room_name in rooms:
            rooms[row.room_name].lines.append(
                RosterLine("participant", person.full_name, person.organisation or "")
            )
    return list(rooms.values())
