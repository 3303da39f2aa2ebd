"""Scheduled job: one registrant sync pass (new imports, Zoom-page registrations, cancellations)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from orchestrator.db.lease import LeaseBusy
from orchestrator.registrants.results import SyncResult, SyncSkipped
from orchestrator.registrants.service import SyncOptions, ZoomAccess, sync_registrants

if TYPE_CHECKING:
    from orchestrator.app import App

log = logging.getLogger(__name__)


def zoom_access(app: App) -> ZoomAccess:
    """The registrant services' Zoom collaborators, from the composition root."""
    return ZoomAccess(store=app.store, zoom=app.zoom, clock=app.clock, plan=app.settings.zoom_plan)


def run(app: App, event_key: str | None) -> SyncResult | SyncSkipped:
    """Run one sync pass for the event; returns the sync report (no join links).

    When another sync of the event is running (a CLI run, the dashboard's button, another
    instance), this tick is skipped quietly: that sync or the next tick registers everyone.
    """
    try:
        return sync_registrants(
            zoom_access(app), event_key, SyncOptions(purpose="scheduled sync (orchestrator run)")
        )
    except LeaseBusy as busy:
        log.info(
            "registrant sync skipped: another sync is running",
            extra={"lease": busy.info.name, "holder": busy.info.holder_label},
        )
        return SyncSkipped(skipped=True, reason="another sync is running", holder=busy.info.holder_label)
