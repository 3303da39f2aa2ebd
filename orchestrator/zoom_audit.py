"""The audit log of Zoom calls that changed (or may have changed) something."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from orchestrator.clock import Clock
from orchestrator.db.models import Event, ZoomAuditEntry
from orchestrator.zoom.errors import ZoomError

if TYPE_CHECKING:
    from orchestrator.zoom.client import ZoomClient


def record_zoom_call(  # noqa: PLR0913  keyword-only columns of one audit row
    session: Session,
    *,
    at: datetime,
    event_id: int | None,
    action: str,
    method: str,
    path: str,
    status: int | None,
    outcome: str,
    detail: dict[str, Any] | None = None,
    error: ZoomError | None = None,
) -> ZoomAuditEntry:
    """Add one audit row (the caller commits). ``detail`` must hold no join URLs or secrets."""
    entry = ZoomAuditEntry(
        at=at,
        event_id=event_id,
        action=action,
        method=method,
        path=path,
        status=status if error is None else error.status,
        zoom_code=None if error is None else error.code,
        outcome=outcome,
        detail=detail or {},
        message=None if error is None else error.message,
    )
    session.add(entry)
    return entry


@dataclass
class ZoomWriteContext:
    """Session, Zoom client and clock of a service that changes things in Zoom, and its audit."""

    session: Session
    zoom: ZoomClient
    clock: Clock

    def audit(  # noqa: PLR0913  the columns of one audit row
        self,
        event: Event,
        action: str,
        method: str,
        path: str,
        status: int | None,
        outcome: str,
        detail: dict[str, Any] | None = None,
        error: ZoomError | None = None,
    ) -> None:
        """Record one Zoom call that changed (or may have changed) something. No join URLs."""
        record_zoom_call(
            self.session,
            at=self.clock.now(),
            event_id=event.id,
            action=action,
            method=method,
            path=path,
            status=status,
            outcome=outcome,
            detail=detail,
            error=error,
        )
