"""What the web app's routes need (store, clock, secrets), handed in by whoever builds the app."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import Request
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from orchestrator.clock import Clock

if TYPE_CHECKING:
    from orchestrator.app import App


@dataclass
class WebContext:
    """Collaborators of the HTTP service; routers reach it via :func:`web_context`."""

    sessions: sessionmaker[Session]
    clock: Clock
    webhook_secret: SecretStr | None
    default_language: str = "de"
    # Set whenever a new webhook event was stored, so the worker processes it at once.
    wake: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def from_runtime(cls, rt: App) -> WebContext:
        """The context for ``orchestrator run`` (the runtime has read the settings)."""
        return cls(
            sessions=rt.sessions,
            clock=rt.clock,
            webhook_secret=rt.settings.zoom_webhook_secret,
            default_language=rt.settings.language,
        )


def web_context(request: Request) -> WebContext:
    """FastAPI dependency: the :class:`WebContext` of the app serving ``request``."""
    context: WebContext = request.app.state.web
    return context
