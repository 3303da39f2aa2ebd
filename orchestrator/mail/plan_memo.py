"""Skip re-planning the outbox when nothing it depends on has changed.

The mail job plans before every send pass (every minute in ``orchestrator run``, at every moment
of the rehearsed day). With thousands of people a plan loads every person, registration and
outbox row; most passes find nothing to change. :func:`plan_inputs` reads what planning depends
on in four aggregate queries (the agenda, the people, the usable registrations, the breakout
assignments); :class:`PlanMemo` remembers the inputs of the last plan per event and lets an
unchanged one be skipped. Time alone changes no plan (overdue rows are the dispatcher's), and a
memo older than ``max_age`` seconds plans anyway, so a change the aggregates cannot see (a write
that bypasses ``updated_at``) is picked up within minutes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from orchestrator.db.models import BreakoutAssignment, BreakoutRoundRecord, Event, Person, ZoomRegistration
from orchestrator.db.models.person import PersonStatus, RegistrationState

DEFAULT_MAX_AGE = 600.0


@dataclass(frozen=True)
class PlanInputs:
    """Aggregates of everything :func:`~orchestrator.mail.planner.plan_outbox` reads."""

    agenda_hash: str
    event_updated: datetime | None
    people: tuple[Any, ...]
    registrations: tuple[Any, ...]
    assignments: tuple[Any, ...]


def plan_inputs(session: Session, event: Event) -> PlanInputs:
    """The plan inputs of ``event`` as they are in ``session``'s view of the store."""
    people = session.execute(
        select(
            func.count(Person.id),
            func.count(Person.id).filter(Person.status == PersonStatus.ACTIVE),
            func.max(Person.updated_at),
            func.max(Person.id),
        ).where(Person.event_id == event.id)
    ).one()
    usable = and_(
        ZoomRegistration.state == RegistrationState.REGISTERED,
        ZoomRegistration.zoom_status == "approved",
        ZoomRegistration.join_url.is_not(None),
    )
    registrations = session.execute(
        select(
            func.count(ZoomRegistration.id),
            func.count(ZoomRegistration.id).filter(usable),
            func.max(ZoomRegistration.updated_at),
            func.max(ZoomRegistration.registered_at),
        )
        .join(Person, Person.id == ZoomRegistration.person_id)
        .where(Person.event_id == event.id)
    ).one()
    assignments = session.execute(
        select(
            func.count(BreakoutAssignment.id),
            func.max(BreakoutAssignment.updated_at),
            func.max(BreakoutAssignment.id),
        )
        .join(BreakoutRoundRecord, BreakoutRoundRecord.id == BreakoutAssignment.round_id)
        .where(BreakoutRoundRecord.event_id == event.id)
    ).one()
    return PlanInputs(
        event.agenda_hash, event.updated_at, tuple(people), tuple(registrations), tuple(assignments)
    )


class PlanMemo:
    """The inputs of the latest plan per event, in this process (thread-safe)."""

    def __init__(
        self, max_age: float = DEFAULT_MAX_AGE, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._max_age = max_age
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._latest: dict[int, tuple[PlanInputs, float]] = {}

    def unchanged(self, event_id: int, inputs: PlanInputs) -> bool:
        """Whether the last plan of ``event_id`` saw ``inputs`` and is recent enough to trust."""
        with self._lock:
            latest = self._latest.get(event_id)
        if latest is None:
            return False
        seen, at = latest
        return seen == inputs and self._monotonic() - at < self._max_age

    def remember(self, event_id: int, inputs: PlanInputs) -> None:
        """Record that a plan of ``event_id`` ran on ``inputs`` (after its commit)."""
        with self._lock:
            self._latest[event_id] = (inputs, self._monotonic())
