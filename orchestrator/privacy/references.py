"""Finding every stored row about a person, generically over all tables of the store.

Tables of every domain (registrations, mails, breakouts, attendance …) refer to a person through a
foreign key to ``person.id``; walking ``Base.metadata`` finds them all, including tables added
later, so export and forget never miss a domain.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Table, select
from sqlalchemy.orm import Session

import orchestrator.db.models  # noqa: F401  (registers every table)
from orchestrator.db.base import Base
from orchestrator.db.models import Person, WebhookEvent


def person_columns() -> list[tuple[Table, Column[Any]]]:
    """(table, column) for every column with a foreign key to ``person.id``."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == Person.__tablename__ for fk in column.foreign_keys):
                found.append((table, column))
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def rows_about(session: Session, person_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table that refers to the person, as plain dicts, by table name."""
    result: dict[str, list[dict[str, Any]]] = {}
    for table, column in person_columns():
        rows = session.execute(select(table).where(column == person_id)).mappings().all()
        if rows:
            result.setdefault(table.name, []).extend({k: _plain(v) for k, v in row.items()} for row in rows)
    return result


def webhook_events_mentioning(session: Session, needles: list[str]) -> list[WebhookEvent]:
    """Stored (not yet processed) webhook payloads that contain any of ``needles`` (case-insensitive)."""
    wanted = [n.lower() for n in needles if n]
    found = []
    for row in session.scalars(select(WebhookEvent).where(WebhookEvent.payload.is_not(None))):
        text = json.dumps(row.payload, ensure_ascii=False).lower()
        if any(n in text for n in wanted):
            found.append(row)
    return found
