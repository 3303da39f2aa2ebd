"""What the dashboard and console routes share: the runtime, the Zoom lock, sessions and login throttling."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Request

from orchestrator.breakouts.limits import ZoomLimits
from orchestrator.web.ui.import_deadline import DEFAULT_IMPORT_SECONDS, DEFAULT_PARSER
from orchestrator.web.ui.throttle import LoginThrottle
from orchestrator.web.ui.uploads import default_upload_dir
from orchestrator.web.ui.web_sessions import SessionPolicy

if TYPE_CHECKING:
    from orchestrator.app import App


@dataclass
class UiState:
    """Collaborators of the web interface (kept on ``app.state.ui`` by ``install_ui``)."""

    runtime: App
    default_language: str = "de"
    limits: ZoomLimits = field(default_factory=ZoomLimits)
    # One Zoom-changing action at a time from the web interface (two moderators clicking "apply" at
    # once would otherwise race on the meeting's single pre-assignment set and on the HTTP session).
    zoom_lock: threading.Lock = field(default_factory=threading.Lock)
    max_upload_bytes: int = 10 * 1024 * 1024
    session_policy: SessionPolicy = field(default_factory=SessionPolicy)
    # Uploads wait in their own directory (stale ones are removed at start, see uploads).
    upload_dir: Path = field(default_factory=default_upload_dir)
    # Reading an uploaded file must finish within this time (see import_deadline).
    import_seconds: float = DEFAULT_IMPORT_SECONDS
    import_parser: str = DEFAULT_PARSER
    # Failed logins, counted in the store (see throttle); built from the runtime's store.
    throttle: LoginThrottle = field(init=False)

    def __post_init__(self) -> None:
        self.throttle = LoginThrottle(self.runtime.sessions)


def ui_state(request: Request) -> UiState:
    """FastAPI dependency: the :class:`UiState` of the app serving ``request``."""
    state: UiState = request.app.state.ui
    return state
