"""``person export``: everything the store holds about one person (Art. 15 GDPR), as JSON-able data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.db.models import Event, Person
from orchestrator.privacy.references import _plain, rows_about, webhook_events_mentioning


def export_person(session: Session, email: str, event_id: int | None = None) -> dict[str, Any]:
    """The person's rows in every event (or one), with every row referring to them in any table.

    Includes the personal Zoom join link: it is their data. Callers warn that the output is a
    credential-bearing document.
    """
    query = select(Person).where(Person.email == email.strip().lower())
    if event_id is not None:
        query = query.where(Person.event_id == event_id)
    records = []
    for person in session.scalars(query.order_by(Person.event_id)):
        event = session.get(Event, person.event_id)
        records.append(
            {
                "event": {"key": event.key, "title": event.title} if event else None,
                "person": {c.name: _plain(getattr(person, c.key)) for c in Person.__table__.columns},
                "related": rows_about(session, person.id),
            }
        )
    pending = webhook_events_mentioning(session, [email.strip().lower()])
    return {
        "email": email.strip().lower(),
        "records": records,
        "unprocessed_zoom_notifications": [
            {"event_type": row.event_type, "received_at": _plain(row.received_at), "payload": row.payload}
            for row in pending
        ],
    }
