"""Reading and writing stored breakout plans: assignment rows and each round's plan version."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.db.models import BreakoutAssignment, BreakoutPlanVersion, BreakoutRoundRecord, Person
from orchestrator.db.models.breakouts import AssignmentSource


@dataclass(frozen=True)
class Placement:
    """A person's room in one round as the planner or a moderator decided it."""

    room: str
    source: str = AssignmentSource.PLANNED
    forced: bool = False


def round_rows(session: Session, round_row: BreakoutRoundRecord) -> list[tuple[BreakoutAssignment, Person]]:
    """The round's assignment rows with their people, ordered by room then e-mail."""
    query = (
        select(BreakoutAssignment, Person)
        .join(Person, Person.id == BreakoutAssignment.person_id)
        .where(BreakoutAssignment.round_id == round_row.id)
        .order_by(BreakoutAssignment.room_name, Person.email)
    )
    return [(row, person) for row, person in session.execute(query)]


def write_round(
    session: Session, round_row: BreakoutRoundRecord, placements: Mapping[int, Placement], now: datetime
) -> bool:
    """Make the round's rows exactly ``placements`` (person id → placement); True when anything changed."""
    existing = {
        row.person_id: row
        for row in session.scalars(
            select(BreakoutAssignment).where(BreakoutAssignment.round_id == round_row.id)
        )
    }
    changed = False
    for person_id, row in existing.items():
        if person_id not in placements:
            session.delete(row)
            changed = True
    for person_id, placement in placements.items():
        current = existing.get(person_id)
        if current is None:
            session.add(
                BreakoutAssignment(
                    round_id=round_row.id,
                    person_id=person_id,
                    room_name=placement.room,
                    source=placement.source,
                    forced=placement.forced,
                    updated_at=now,
                )
            )
            changed = True
        elif (current.room_name, current.source, current.forced) != (
            placement.room,
            placement.source,
            placement.forced,
        ):
            current.room_name = placement.room
            current.source = placement.source
            current.forced = placement.forced
            current.updated_at = now
            changed = True
    session.flush()
    return changed


def plan_hash(pairs: Mapping[str, str]) -> str:
    """Hash of a round's plan: sorted (e-mail, room) pairs."""
    canonical = json.dumps(sorted(pairs.items()), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record_plan(
    session: Session,
    round_row: BreakoutRoundRecord,
    *,
    method: str,
    objective: int | None,
    now: datetime,
) -> BreakoutPlanVersion:
    """Update the round's plan version from its stored rows: the version grows when the plan changed."""
    pairs = {person.email: row.room_name for row, person in round_rows(session, round_row)}
    digest = plan_hash(pairs)
    version = session.scalar(select(BreakoutPlanVersion).where(BreakoutPlanVersion.round_id == round_row.id))
    if version is None:
        version = BreakoutPlanVersion(round_id=round_row.id, version=0, plan_hash="")
        session.add(version)
    if version.plan_hash != digest:
        version.version += 1
        version.plan_hash = digest
        version.changed_at = now
    version.method = method
    version.objective = objective
    session.flush()
    return version


def plan_version(session: Session, round_row: BreakoutRoundRecord) -> BreakoutPlanVersion | None:
    """The round's plan version, or None when it was never planned."""
    return session.scalar(select(BreakoutPlanVersion).where(BreakoutPlanVersion.round_id == round_row.id))
