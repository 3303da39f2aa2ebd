"""The browser's audit log: every change a logged-in user makes, with who, what and when.

Routes call :func:`record` inside the transaction of the change itself, so an action that fails
leaves no audit row and a recorded action is never missing from the log. ``detail`` holds ids,
counts and field names, never join links, secrets or mail bodies.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.db.models import Event, WebAuditEntry
from orchestrator.web.ui.principal import Principal


def actor_of(principal: Principal) -> str:
    """How the log names ``principal``: the account's e-mail, or the moderator link's id."""
    if principal.label:
        return principal.label
    return f"moderator-link:{principal.link_id}" if principal.link_id is not None else principal.role


def record(
    db: Session,
    principal: Principal,
    action: str,
    *,
    at: datetime,
    event: Event | None = None,
    detail: dict[str, Any] | None = None,
) -> WebAuditEntry:
    """Add one audit row (the caller commits together with the change it describes)."""
    entry = WebAuditEntry(
        at=at,
        event_id=event.id if event is not None else None,
        actor=actor_of(principal)[:200],
        action=action[:60],
        detail=dict(detail or {}),
    )
    db.add(entry)
    db.flush()
    return entry


def recent(db: Session, event: Event, *, limit: int = 50) -> Sequence[WebAuditEntry]:
    """The event's latest audit rows, newest first."""
    query = (
        select(WebAuditEntry)
        .where(WebAuditEntry.event_id == event.id)
        .order_by(WebAuditEntry.at.desc(), WebAuditEntry.id.desc())
        .limit(limit)
    )
    return db.scalars(query).all()
