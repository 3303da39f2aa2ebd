"""A background thread that processes stored webhook events as soon as they arrive."""

from __future__ import annotations

import logging
import threading

from orchestrator.web.context import WebContext
from orchestrator.web.inbox import Handler, drain

log = logging.getLogger(__name__)


class WebhookWorker:
    """Drains the inbox when woken (a new event) and every ``poll_seconds`` (other instances' events)."""

    def __init__(self, ctx: WebContext, handler: Handler, *, poll_seconds: float = 5.0) -> None:
        self._ctx = ctx
        self._handler = handler
        self._poll = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="webhook-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._ctx.wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._ctx.wake.wait(self._poll)
            self._ctx.wake.clear()
            if self._stop.is_set():
                break
            try:
                drain(self._ctx.sessions, self._ctx.clock, self._handler)
            except Exception:  # keep serving; the next wake or poll tries again
                log.exception("webhook worker: drain failed")
