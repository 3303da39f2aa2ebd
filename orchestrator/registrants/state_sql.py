"""A person's one-word registration state as a SQL expression (the same rule as ``report.person_state``).

Lists of thousands of people filter and count by state in the database with this; a test checks
that it agrees with :func:`orchestrator.registrants.report.person_state` for every combination.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, or_

from orchestrator.db.models import Person, ZoomRegistration
from orchestrator.db.models.person import PersonStatus, RegistrationState

State = RegistrationState


def person_state_sql(person: Any = Person, registration: Any = ZoomRegistration) -> ColumnElement[str]:
    """``person_state`` for rows of ``person`` LEFT JOINed with ``registration`` (NULL: none)."""
    reg_state = registration.state
    no_registration = reg_state.is_(None)
    return case(
        (reg_state == State.CANCEL_INTENT, "cancelling"),
        (
            and_(
                person.status == PersonStatus.CANCELLED,
                or_(no_registration, reg_state.in_([State.CANCELLED, State.PENDING, State.FAILED])),
            ),
            "cancelled",
        ),
        (person.status == PersonStatus.CANCELLED, "cancelling"),
        (or_(no_registration, reg_state == State.PENDING), "new"),
        (reg_state == State.INTENT, "sending"),
        (reg_state == State.FAILED, "failed"),
        (reg_state == State.CANCELLED, "cancelled"),
        (registration.zoom_status == "approved", "approved"),
        (registration.zoom_status == "denied", "denied"),
        else_="pending_approval",
    )
