"""Request bodies are limited by the bytes received, chunked or not (real uvicorn, raw sockets).

The decisive check: the server answers 413 as soon as the limit is passed, while the client has
not even finished its body. A server that reads the whole body first would not answer at all here.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from orchestrator.app import App
from orchestrator.web.body_limit import BodyLimits
from orchestrator.web.serve import HttpServer
from orchestrator.web.ui import create_ui_app
from tests.integration.test_web_ui_support import (
    EVENT_KEY,
    ORGANISER,
    PASSWORD,
    add_account,
    csrf_of,
    event_runtime,
)

ANSWER_DEADLINE = 20.0  # seconds; the answer comes in milliseconds


@pytest.fixture
def rt(sqlite_url: str, tmp_path: Path) -> App:
    runtime = event_runtime(sqlite_url, tmp_path)
    runtime.settings.zoom_webhook_secret = SecretStr("test-webhook-secret")
    add_account(runtime, ORGANISER, "organiser")
    return runtime


@pytest.fixture
def app(rt: App, tmp_path: Path) -> FastAPI:
    return create_ui_app(rt, secure_cookies=False, process_in_background=False, upload_dir=tmp_path / "up")


@pytest.fixture
def port(app: FastAPI) -> Iterator[int]:
    server = HttpServer(app, "127.0.0.1", 0)
    server.start()
    try:
        yield server.port
    finally:
        server.stop()


def _chunked_without_end(
    port: int, path: str, body_bytes: int, content_type: str, *, cookie: str = "", prefix: bytes = b""
) -> str:
    """Send ``body_bytes`` as chunks but never the final chunk; return the status line answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_DEADLINE) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            f"Transfer-Encoding: chunked\r\n{cookie}\r\n"
        )
        sock.sendall(head.encode())
        if prefix:
            sock.sendall(b"%x\r\n" % len(prefix) + prefix + b"\r\n")
        chunk = 16 * 1024
        for _ in range(body_bytes // chunk):
            sock.sendall(b"%x\r\n" % chunk + b"a" * chunk + b"\r\n")
        # No "0\r\n\r\n": the body is unfinished. Only a server that stops reading at its limit answers.
        return _status_line(sock)


def _status_line(sock: socket.socket) -> str:
    received = b""
    while b"\r\n" not in received:
        data = sock.recv(4096)  # times out (test fails) if the server waits for the rest of the body
        if not data:
            break
        received += data
    return received.split(b"\r\n", 1)[0].decode("latin-1")


def test_a_chunked_webhook_body_is_refused_at_the_limit_without_reading_the_rest(port: int) -> None:
    limit = BodyLimits().webhook_bytes
    status = _chunked_without_end(port, "/zoom/webhook", limit + 64 * 1024, "application/json")
    assert status.startswith("HTTP/1.1 413")


def test_a_chunked_form_is_refused_at_the_form_limit(port: int) -> None:
    status = _chunked_without_end(
        port, "/login", BodyLimits().form_bytes + 32 * 1024, "application/x-www-form-urlencoded"
    )
    assert status.startswith("HTTP/1.1 413")


def test_a_chunked_upload_is_refused_at_the_upload_limit(app: FastAPI, port: int) -> None:
    app.state.body_limits.upload_bytes = 200 * 1024
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=False) as client:
        token = csrf_of(client.get("/login").text)
        logged_in = client.post(
            "/login", data={"email": ORGANISER, "password": PASSWORD, "csrf_token": token}
        )
        assert logged_in.status_code == 303
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    status = _chunked_without_end(
        port,
        f"/events/{EVENT_KEY}/import",
        300 * 1024,
        "multipart/form-data; boundary=x",
        cookie=f"Cookie: {cookie}\r\n",
        prefix=b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n",
    )
    assert status.startswith("HTTP/1.1 413")


def test_an_honest_content_length_above_the_limit_is_refused_before_the_body(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_DEADLINE) as sock:
        sock.sendall(
            b"POST /zoom/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 500000000\r\n\r\n"
        )
        assert _status_line(sock).startswith("HTTP/1.1 413")


def test_a_small_chunked_form_is_still_accepted(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_DEADLINE) as sock:
        body = b"email=a%40example.org&password=x&csrf_token=forged"
        sock.sendall(
            b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
            + b"%x\r\n" % len(body)
            + body
            + b"\r\n0\r\n\r\n"
        )
        assert _status_line(sock).startswith("HTTP/1.1 403")  # read, parsed, refused for its CSRF token


def test_limits_per_kind_of_route() -> None:
    limits = BodyLimits()
    assert limits.for_path("/zoom/webhook") == 256 * 1024
    assert limits.for_path(f"/events/{EVENT_KEY}/import") == 10 * 1024 * 1024
    assert limits.for_path("/login") == limits.for_path(f"/events/{EVENT_KEY}/console/move") == 64 * 1024
    assert limits.for_path(f"/events/{EVENT_KEY}/import/x") == 64 * 1024
