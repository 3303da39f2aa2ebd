"""What the dashboard and console routes share: the runtime, the lock around Zoom work, login throttling."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import Request

from orchestrator.breakouts.limits import ZoomLimits
from orchestrator.web.ui.throttle import LoginThrottle

if TYPE_CHECKING:
    from orchestrator.cli.runtime import Runtime


@dataclass
class UiState:
    """Collaborators of the web interface (kept on ``app.state.ui`` by ``install_ui``)."""

    runtime: Runtime
    default_language: str = "de"
    limits: ZoomLimits = field(default_factory=ZoomLimits)
    # One Zoom-changing action at a time from the web interface (two moderators clicking "apply" at
    # once would otherwise race on the meeting's single pre-assignment set and on the HTTP session).
    zoom_lock: threading.Lock = field(default_factory=threading.Lock)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    max_upload_bytes: int = 10 * 1024 * 1024


def ui_state(request: Request) -> UiState:
    """FastAPI dependency: the :class:`UiState` of the app serving ``request``."""
    state: UiState = request.app.state.ui
    return state
