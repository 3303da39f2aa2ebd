"""Who is planned into breakout rooms, and how their wishes reach the solver.

Rule: every *active* person of the event is planned, whether or not Zoom registration has
happened yet (the room mail and the rosters work without it; Zoom's pre-assignment simply lists
their e-mail). People named as room moderators in the agenda are not planned as participants:
they are pre-placed in their own room and do not take a participant seat (a room's capacity in
the agenda counts participants only).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.db.models import Event, Person
from orchestrator.db.models.person import PersonStatus


def moderator_emails(event: Event) -> set[str]:
    """E-mails (lower case) of everyone who moderates a room in any round."""
    return {
        str(moderator["email"]).strip().lower()
        for round_row in event.rounds
        for room in round_row.rooms
        for moderator in room.moderators
    }


def people_by_email(session: Session, event: Event) -> dict[str, Person]:
    """All people of the event (any status) by normalised e-mail."""
    return {p.email: p for p in session.scalars(select(Person).where(Person.event_id == event.id))}


def plannable_people(session: Session, event: Event) -> list[Person]:
    """Active people who are not moderators, sorted by e-mail (the solver's key)."""
    moderators = moderator_emails(event)
    return sorted(
        (
            p
            for p in session.scalars(
                select(Person).where(Person.event_id == event.id, Person.status == PersonStatus.ACTIVE)
            )
            if p.email not in moderators
        ),
        key=lambda p: p.email,
    )


def solver_wishes(wishes: Iterable[str], workshops: Iterable[str], ranks: int) -> tuple[str, ...]:
    """The person's wishes that name a workshop of the event, without repeats, best ``ranks`` first.

    Wishes are matched case-insensitively (the import already maps them to agenda names; this only
    guards against older rows). A wish for a workshop that no longer exists is dropped.
    """
    by_fold = {name.casefold(): name for name in workshops}
    result: list[str] = []
    for wish in wishes:
        name = by_fold.get(str(wish).strip().casefold())
        if name is not None and name not in result:
            result.append(name)
    return tuple(result[:ranks])
