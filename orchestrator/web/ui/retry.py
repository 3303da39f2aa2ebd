"""Retrying refused Zoom registrations from the dashboard: back to "pending", then one sync pass."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from orchestrator.db.models import Person, ZoomRegistration
from orchestrator.db.models.person import PersonStatus, RegistrationState
from orchestrator.events import resolve_event
from orchestrator.registrants.service import sync_registrants

if TYPE_CHECKING:
    from orchestrator.app import App


def retry_registrations(rt: App, event_key: str, emails: Sequence[str] | None) -> dict[str, Any]:
    """Re-queue the failed registrations of ``emails`` (all failed ones with ``None``) and sync once.

    Only active people in state ``failed`` are touched; the sync pass keeps Zoom's limits (3 adds
    per person and day, the registrant cap), so a retry can never register anyone twice.
    """
    with rt.session() as session:
        event = resolve_event(session, event_key)
        query = (
            select(ZoomRegistration)
            .join(Person)
            .where(
                Person.event_id == event.id,
                Person.status == PersonStatus.ACTIVE,
                ZoomRegistration.state == RegistrationState.FAILED,
            )
        )
        if emails is not None:
            query = query.where(Person.email.in_([e.strip().lower() for e in emails]))
        requeued = 0
        for registration in session.scalars(query):
            registration.state = RegistrationState.PENDING
            registration.last_error = None
            requeued += 1
        session.commit()
    # With another sync running this raises ``LeaseBusy``; the rows stay ``pending`` for that sync
    # (or the next one) to send.
    result = sync_registrants(rt, event_key, purpose="dashboard: retry failed registrations")
    return {"requeued": requeued, "sync": result}
