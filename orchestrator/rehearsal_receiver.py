"""The rehearsal's webhook endpoint in a process of its own, as the service runs beside Zoom.

The demo's process plays Zoom (the emulator, its signed notifications); the endpoint that receives
them runs in a second process on the demo's store, so receiving and storing (HTTP, signature
check, the inbox insert) happen on another core while Zoom's side sends the next ones. Both see
the same virtual time through a :class:`~orchestrator.clock.SharedClock`: the endpoint checks
each signature's timestamp against it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from dataclasses import replace
from multiprocessing.connection import Connection
from typing import Any

from pydantic import SecretStr

from orchestrator.clock import SharedClock, SharedClockReader
from orchestrator.errors import OperationFailed
from orchestrator.i18n import _
from orchestrator.settings import Settings

START_SECONDS = 60.0


class ReceiverProcess:
    """``/zoom/webhook`` of the demo's store, served by a child process on a free local port."""

    def __init__(self, settings: Settings, secret: str, clock: SharedClock) -> None:
        context = multiprocessing.get_context("spawn")
        self._control, child_end = context.Pipe()
        self._process = context.Process(
            target=_serve,
            args=(settings, secret, clock.shared, child_end),
            name="rehearsal-webhook-endpoint",
            daemon=True,
        )
        self._process.start()
        child_end.close()
        if not self._control.poll(START_SECONDS):
            self.close()
            raise OperationFailed(_("The rehearsal's webhook endpoint did not start."))
        answer = self._control.recv()
        if not isinstance(answer, int):
            self.close()
            raise OperationFailed(_("The rehearsal's webhook endpoint did not start: {why}", why=str(answer)))
        self.port = answer

    def close(self) -> None:
        """Stop the endpoint (it finishes the requests in flight) and wait for the process."""
        with contextlib.suppress(OSError):  # the process may be gone already
            self._control.send("stop")
        self._process.join(15)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5)
        self._control.close()


def _serve(settings: Settings, secret: str, shared_time: Any, control: Connection) -> None:
    """The child: serve until told to stop (or until the demo's process is gone)."""
    from orchestrator.app import App
    from orchestrator.web.app import create_app
    from orchestrator.web.context import WebContext
    from orchestrator.web.serve import HttpServer

    rt = App(settings, clock=SharedClockReader(shared_time))
    try:
        context = replace(WebContext.from_runtime(rt), webhook_secret=SecretStr(secret))
        server = HttpServer(create_app(context, process_in_background=False), "127.0.0.1", 0)
        server.start()
    except Exception as exc:  # reported to the parent, which names it
        control.send(type(exc).__name__)
        rt.close()
        return
    control.send(server.port)
    with contextlib.suppress(EOFError):  # EOF: the demo's process ended without saying stop
        control.recv()
    server.stop()
    rt.close()
