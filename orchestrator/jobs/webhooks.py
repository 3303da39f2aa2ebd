"""Job: apply stored Zoom webhook events (the HTTP worker does this at once; this is the safety net)."""

from __future__ import annotations

from typing import Any

from orchestrator.app import App
from orchestrator.web.inbox import drain
from orchestrator.web.notification_router import make_handler


def run(rt: App, event_key: str | None = None, *, limit: int | None = None) -> dict[str, Any]:
    """Process every pending webhook event in arrival order; returns the counts per outcome.

    Events are not tied to one store event (the Zoom meeting id decides), so ``event_key`` is
    accepted for the common job signature and otherwise unused.
    """
    rt.require_current_schema()
    report = drain(rt.sessions, rt.clock, make_handler(rt.settings.language), limit=limit)
    return report.as_dict()
