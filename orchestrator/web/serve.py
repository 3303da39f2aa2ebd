"""Running the app with uvicorn in a thread, with a clean shutdown (for ``orchestrator run``)."""

from __future__ import annotations

import logging
import threading
import time

import uvicorn
from fastapi import FastAPI

from orchestrator.errors import OperationFailed
from orchestrator.i18n import _

UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")


def route_uvicorn_logs() -> None:
    """Send uvicorn's records (errors with their tracebacks) to the root logger's handlers.

    uvicorn otherwise installs plain-text handlers of its own, which would bypass both the
    redaction and ``--log-json`` (a traceback would arrive as many lines of plain text).
    """
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.propagate = True


class HttpServer:
    """One uvicorn server on ``host:port`` (port 0 picks a free one, see :attr:`port`)."""

    def __init__(self, app: FastAPI, host: str, port: int, *, log_level: str = "warning") -> None:
        route_uvicorn_logs()
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level=log_level,
            access_log=False,
            lifespan="on",
            proxy_headers=True,
            server_header=False,
            log_config=None,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self.host = host

    def start(self, timeout: float = 10.0) -> None:
        """Start serving in a thread; return once the socket listens (or raise OperationFailed)."""
        self._thread = threading.Thread(target=self._server.run, name="http", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise OperationFailed(
                    _(
                        "The HTTP service could not listen on {host}:{port}.",
                        host=self.host,
                        port=self._server.config.port,
                    )
                )
            time.sleep(0.02)

    @property
    def port(self) -> int:
        """The port actually bound."""
        for server in self._server.servers:
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        return int(self._server.config.port)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop accepting, finish open requests, run the lifespan shutdown, join the thread."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)


def serve_http(app: FastAPI, host: str, port: int, stop_event: threading.Event) -> HttpServer:
    """Start serving ``app``; it stops by itself once ``stop_event`` is set."""
    server = HttpServer(app, host, port)
    server.start()

    def stop_when_told() -> None:
        stop_event.wait()
        server.stop()

    threading.Thread(target=stop_when_told, name="http-stop", daemon=True).start()
    return server
