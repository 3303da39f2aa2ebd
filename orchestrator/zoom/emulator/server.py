"""The emulator over real HTTP on loopback: ``orchestrator zoom emulator --port P``.

Zoom's REST paths are served under ``/v2`` and the token endpoint at ``/oauth/token``; registrants'
join links (``/w/<meeting id>?tk=...``) answer whether they would let their holder in.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from socketserver import ThreadingMixIn
from types import FrameType, TracebackType
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from orchestrator.clock import Clock
from orchestrator.i18n import _
from orchestrator.zoom.emulator.app import EmulatorApp
from orchestrator.zoom.emulator.config import EmulatorConfig, Plan
from orchestrator.zoom.emulator.faults import Faults
from orchestrator.zoom.emulator.state import EmulatorState

logger = logging.getLogger(__name__)


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a request held back by a ``slow`` fault must not block shutdown
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # clients that gave up on a slow answer close the socket; that is expected, not an error
        logger.debug("zoom emulator: connection error while answering", exc_info=True)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        # the request line may hold a join link's token in its query: log the path only
        logger.debug("zoom emulator %s", self.path.split("?", 1)[0])


class EmulatorServer:
    """A running loopback server; ``close()`` (or leaving the ``with`` block) stops it cleanly."""

    def __init__(self, app: EmulatorApp, host: str, port: int) -> None:
        self.app = app
        self._server = make_server(
            host, port, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
        )
        self.host = host
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="zoom-emulator", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """Base URL of the REST API (like ``https://api.zoom.us/v2``)."""
        return f"{self.url}/v2"

    @property
    def oauth_url(self) -> str:
        """Token endpoint (like ``https://zoom.us/oauth/token``)."""
        return f"{self.url}/oauth/token"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> EmulatorServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def serve(app: EmulatorApp, host: str = "127.0.0.1", port: int = 8765) -> EmulatorServer:
    """Serve ``app`` over HTTP in a background thread (``port=0`` picks a free port)."""
    return EmulatorServer(app, host, port)


def main_serve(  # noqa: PLR0913  keyword-only server options, each with a default
    *,
    port: int = 8765,
    host: str = "127.0.0.1",
    state_path: Path | None = None,
    fault_specs: Iterable[str] = (),
    plan: Plan = "pro",
    config: EmulatorConfig | None = None,
    clock: Clock | None = None,
    echo: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> None:
    """Run the emulator until Ctrl-C / SIGTERM (or ``stop`` is set); for the CLI command.

    Fault specs are parsed first, so a bad ``--fault`` fails (``BadInput``) before anything listens.
    Join links point at this server so the demo's mails lead somewhere.
    """
    faults = Faults()
    for spec in fault_specs:
        faults.add_spec(spec)
    settings = config or EmulatorConfig(plan=plan)
    state = EmulatorState(state_path)
    stop_event = stop or threading.Event()
    app = EmulatorApp(state, settings, faults, clock)
    with serve(app, host, port) as server:
        settings.join_base_url = server.url
        echo(
            _(
                "Zoom emulator listening on {url} (API {api}, token endpoint {oauth}).",
                url=server.url,
                api=server.api_url,
                oauth=server.oauth_url,
            )
        )
        if state_path is not None:
            echo(_("Emulator state is kept in {path}.", path=state_path))
        restore = _stop_on_sigterm(stop_event)
        try:
            while not stop_event.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            restore()
        echo(_("Zoom emulator stopped."))


def _stop_on_sigterm(stop_event: threading.Event) -> Callable[[], None]:
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: FrameType | None) -> None:
        stop_event.set()

    previous = signal.signal(signal.SIGTERM, handler)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore
