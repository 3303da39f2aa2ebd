"""The stored plan at a glance: per round and room the seats taken and how many got which wish.

Read-only (the browser's breakouts page); planning itself is :mod:`orchestrator.breakouts.plan`.
A person's wish rank is counted the way the solver counts it: their wishes that name a workshop of
the event, without repeats, first three (:func:`~orchestrator.breakouts.people.solver_wishes`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from orchestrator.breakouts.people import moderator_emails, plannable_people, solver_wishes
from orchestrator.breakouts.results import WishCounts
from orchestrator.breakouts.rounds import phase
from orchestrator.breakouts.store import plan_version, round_rows
from orchestrator.db.models import Event
from orchestrator.db.models.person import PersonStatus

RANKS = 3


@dataclass(frozen=True)
class RoomOverview:
    room: str
    capacity: int
    assigned: int
    wishes: WishCounts
    moderators: tuple[str, ...]


@dataclass(frozen=True)
class RoundOverview:
    """One round: its rooms, the plan's version (None: never planned) and who has no room."""

    round: int
    title: str
    start: datetime
    end: datetime
    phase: str
    version: int | None
    rooms: tuple[RoomOverview, ...]
    wishes: WishCounts
    unplaced: int


@dataclass(frozen=True)
class PlanOverview:
    event: str
    timezone: str
    people: int
    rounds: tuple[RoundOverview, ...]


def plan_overview(session: Session, event: Event, now: datetime) -> PlanOverview:
    """Every round of ``event`` as stored now (nothing is planned or changed)."""
    workshops = [room.name for r in event.rounds for room in r.rooms]
    plannable = {p.id for p in plannable_people(session, event)}
    moderators = moderator_emails(event)
    rounds: list[RoundOverview] = []
    for round_row in sorted(event.rounds, key=lambda r: r.number):
        ranks: dict[str, Counter[int]] = {room.name: Counter() for room in round_row.rooms}
        placed: set[int] = set()
        for row, person in round_rows(session, round_row):
            if person.status != PersonStatus.ACTIVE or person.email in moderators:
                continue
            placed.add(person.id)
            wishes = solver_wishes(person.wishes or [], workshops, RANKS)
            rank = wishes.index(row.room_name) if row.room_name in wishes else RANKS
            ranks.setdefault(row.room_name, Counter())[rank] += 1
        rooms = tuple(
            RoomOverview(
                room=room.name,
                capacity=room.capacity,
                assigned=sum(ranks[room.name].values()),
                wishes=_counts(ranks[room.name]),
                moderators=tuple(str(m.get("name", "")) for m in room.moderators),
            )
            for room in round_row.rooms
        )
        version = plan_version(session, round_row)
        rounds.append(
            RoundOverview(
                round=round_row.number,
                title=round_row.title,
                start=round_row.start_utc,
                end=round_row.end_utc,
                phase=phase(round_row, now),
                version=version.version if version is not None else None,
                rooms=rooms,
                wishes=_counts(sum(ranks.values(), Counter())),
                unplaced=len(plannable - placed),
            )
        )
    return PlanOverview(event.key, event.timezone, len(plannable), tuple(rounds))


def _counts(ranks: Counter[int]) -> WishCounts:
    return WishCounts(first=ranks[0], second=ranks[1], third=ranks[2], none=ranks[RANKS])
