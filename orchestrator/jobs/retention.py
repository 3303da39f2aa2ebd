"""Scheduled job (daily): purge personal data past the retention period (``privacy-retention``).

A thin adapter to :func:`orchestrator.privacy.service.retention_purge`; the period comes from the
settings (``ORCHESTRATOR_RETENTION_DAYS``). It purges every expired event, whichever is configured.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orchestrator.privacy.service import RetentionReport, retention_purge

if TYPE_CHECKING:
    from orchestrator.app import App


def run(rt: App, event_key: str | None = None) -> RetentionReport:
    """Purge what has passed the retention period (``event_key`` is ignored: every event expires)."""
    return retention_purge(rt.store, rt.clock, rt.settings.retention_days)
