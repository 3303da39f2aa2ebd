"""Scheduled job: read Zoom's participant report once a meeting is over (``attendance-reconcile``).

A thin adapter to :func:`orchestrator.attendance.service.reconcile_ended_meetings`: every event
whose meeting ended a while ago (Zoom needs time for its report) and was not reconciled yet gets
the report merged with what webhooks recorded, so attendance survives a service that was down.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orchestrator.attendance.service import ReconcileResult, reconcile_ended_meetings

if TYPE_CHECKING:
    from orchestrator.app import App


def run(rt: App, event_key: str | None = None) -> list[ReconcileResult]:
    """Reconcile the ended meetings not reconciled yet (every event: ``event_key`` is not needed)."""
    return reconcile_ended_meetings(rt.store, rt.zoom, rt.clock)
