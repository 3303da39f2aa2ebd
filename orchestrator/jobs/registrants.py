"""Scheduled job: one registrant sync pass (new imports, Zoom-page registrations, cancellations)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orchestrator.registrants.service import sync_registrants

if TYPE_CHECKING:
    from orchestrator.cli.runtime import Runtime


def run(rt: Runtime, event_key: str | None) -> dict[str, Any]:
    """Run one sync pass for the event; returns the sync report (JSON-able, no join links)."""
    return sync_registrants(rt, event_key)
