"""Scheduled job: one registrant sync pass (new imports, Zoom-page registrations, cancellations)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from orchestrator.db.lease import LeaseBusy
from orchestrator.registrants.service import sync_registrants

if TYPE_CHECKING:
    from orchestrator.app import App

log = logging.getLogger(__name__)


def run(rt: App, event_key: str | None) -> dict[str, Any]:
    """Run one sync pass for the event; returns the sync report (JSON-able, no join links).

    When another sync of the event is running (a CLI run, the dashboard's button, another
    instance), this tick is skipped quietly: that sync or the next tick registers everyone.
    """
    try:
        return sync_registrants(rt, event_key, purpose="scheduled sync (orchestrator run)")
    except LeaseBusy as busy:
        log.info(
            "registrant sync skipped: another sync is running",
            extra={"lease": busy.info.name, "holder": busy.info.holder_label},
        )
        return {"skipped": True, "reason": "another sync is running", "holder": busy.info.holder_label}
