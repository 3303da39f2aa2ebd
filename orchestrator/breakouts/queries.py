"""Small read-only questions other parts (room mails, web console) ask about stored breakout plans."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.db.models import BreakoutAssignment, BreakoutRoundRecord, Person
from orchestrator.db.models.person import PersonStatus


def assignments_for_round(session: Session, event_id: int, round_number: int) -> dict[int, str]:
    """Person id → room name for the active people placed in round ``round_number`` (empty if unplanned)."""
    query = (
        select(BreakoutAssignment.person_id, BreakoutAssignment.room_name)
        .join(BreakoutRoundRecord, BreakoutRoundRecord.id == BreakoutAssignment.round_id)
        .join(Person, Person.id == BreakoutAssignment.person_id)
        .where(
            BreakoutRoundRecord.event_id == event_id,
            BreakoutRoundRecord.number == round_number,
            Person.status == PersonStatus.ACTIVE,
        )
    )
    return {person_id: room for person_id, room in session.execute(query)}


def room_for_person(session: Session, event_id: int, round_number: int, person_id: int) -> str | None:
    """The room of one person in round ``round_number``, or None (not placed, cancelled, no such round)."""
    query = (
        select(BreakoutAssignment.room_name)
        .join(BreakoutRoundRecord, BreakoutRoundRecord.id == BreakoutAssignment.round_id)
        .join(Person, Person.id == BreakoutAssignment.person_id)
        .where(
            BreakoutRoundRecord.event_id == event_id,
            BreakoutRoundRecord.number == round_number,
            BreakoutAssignment.person_id == person_id,
            Person.status == PersonStatus.ACTIVE,
        )
    )
    return session.scalar(query)
