"""Operations of the web service: health proves a write, 500 page, stale uploads, import time limit,
JSON logs from uvicorn, moderator links that expire (``users moderator-link --valid-for``)."""

from __future__ import annotations

import html
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from orchestrator.app import App
from orchestrator.cli import state as cli_state
from orchestrator.cli.users_cmd import app as users_app
from orchestrator.clock import FrozenClock
from orchestrator.db.models import ModeratorLink, Person
from orchestrator.db.session import make_engine, make_sessionmaker
from orchestrator.logsafety import configure_logging
from orchestrator.web import WebContext, create_app
from orchestrator.web.security_headers import SECURITY_HEADERS
from orchestrator.web.serve import HttpServer
from orchestrator.web.ui import create_ui_app
from orchestrator.web.ui.uploads import WORKSPACE_PREFIX
from tests.conftest import FIXTURE_CSV
from tests.integration.test_web_ui_support import (
    EVENT_KEY,
    ORGANISER,
    add_account,
    client_for,
    csrf_of,
    event_runtime,
    login,
)

DASHBOARD = f"/events/{EVENT_KEY}"
DEADLINE = 30.0


@pytest.fixture
def rt(sqlite_url: str, tmp_path: Path) -> App:
    runtime = event_runtime(sqlite_url, tmp_path)
    add_account(runtime, ORGANISER, "organiser")
    return runtime


def slow_parser(path: Path) -> None:
    """A parser stuck in a file (run in the child process by the import's time limit)."""
    Path(os.environ["SLOW_PARSER_PID_FILE"]).write_text(str(os.getpid()))
    time.sleep(600)


# --- /healthz -------------------------------------------------------------------------------


def test_health_is_degraded_when_the_store_is_read_only(rt: App, tmp_path: Path) -> None:
    writable = TestClient(create_app(WebContext.from_runtime(rt), process_in_background=False))
    assert writable.get("/healthz").json() == {"status": "ok", "store": "ok"}
    read_only = make_engine(f"sqlite:///file:{tmp_path / 'store.db'}?mode=ro&uri=true")
    context = WebContext(sessions=make_sessionmaker(read_only), clock=rt.clock, webhook_secret=None)
    answer = TestClient(create_app(context, process_in_background=False)).get("/healthz")
    assert answer.status_code == 503
    assert answer.json() == {"status": "degraded", "store": "read-only"}


# --- 500 page -------------------------------------------------------------------------------


def _failing_router() -> APIRouter:
    router = APIRouter()

    @router.get("/boom")
    def boom() -> None:
        raise RuntimeError("simulated failure with secret detail")

    return router


def test_an_unexpected_error_gives_a_short_page_with_the_security_headers(rt: App) -> None:
    app = create_ui_app(rt, secure_cookies=False, process_in_background=False)
    app.include_router(_failing_router())
    answer = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("text/html")
    for name, value in SECURITY_HEADERS.items():
        assert answer.headers[name] == value
    assert "Bei uns ist ein Fehler aufgetreten" in html.unescape(answer.text)
    assert "secret detail" not in answer.text and "Traceback" not in answer.text


# --- uploads --------------------------------------------------------------------------------


def test_uploads_left_by_a_killed_import_are_removed_at_start(rt: App, tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    stale = uploads / f"{WORKSPACE_PREFIX}killed"
    stale.mkdir(parents=True)
    (stale / "upload.csv").write_text("E-Mail\nperson@example.org\n")
    old = (datetime.now(UTC) - timedelta(hours=1)).timestamp()
    os.utime(stale, (old, old))
    unrelated = uploads / "keep-me.txt"
    unrelated.write_text("not ours")
    os.utime(unrelated, (old, old))
    fresh = uploads / f"{WORKSPACE_PREFIX}running"  # a newer service's upload in progress
    fresh.mkdir()
    future = (datetime.now(UTC) + timedelta(minutes=5)).timestamp()
    os.utime(fresh, (future, future))
    create_ui_app(rt, secure_cookies=False, process_in_background=False, upload_dir=uploads)
    assert not stale.exists()
    assert unrelated.exists() and fresh.exists()


def test_a_web_import_leaves_nothing_in_the_upload_directory(rt: App, tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    client = TestClient(
        create_ui_app(rt, secure_cookies=False, process_in_background=False, upload_dir=uploads),
        follow_redirects=False,
    )
    login(client)
    token = csrf_of(client.get(DASHBOARD).text)
    answer = client.post(
        f"{DASHBOARD}/import",
        data={"csrf_token": token, "dry_run": "1"},
        files={"file": ("anmeldungen.csv", FIXTURE_CSV.read_bytes(), "text/csv")},
    )
    assert answer.status_code == 200
    assert list(uploads.iterdir()) == []


def test_a_web_import_stops_at_its_time_limit(
    rt: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uploads = tmp_path / "uploads"
    pid_file = tmp_path / "slow-parser.pid"
    monkeypatch.setenv("SLOW_PARSER_PID_FILE", str(pid_file))
    app = create_ui_app(rt, secure_cookies=False, process_in_background=False, upload_dir=uploads)
    app.state.ui.import_seconds = 3.0
    app.state.ui.import_parser = f"{__name__}:slow_parser"
    client = TestClient(app, follow_redirects=False)
    login(client)
    token = csrf_of(client.get(DASHBOARD).text)
    started = time.monotonic()
    answer = client.post(
        f"{DASHBOARD}/import",
        data={"csrf_token": token},
        files={"file": ("anmeldungen.csv", FIXTURE_CSV.read_bytes(), "text/csv")},
    )
    assert answer.status_code == 303 and time.monotonic() - started < DEADLINE
    page = html.unescape(client.get(DASHBOARD).text)
    assert "Das Lesen der Datei dauerte länger als 3 Sekunden" in page
    assert list(uploads.iterdir()) == []  # the upload is gone ...
    if pid_file.exists():  # ... and so is the stuck reader (if it got as far as starting to read)
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid_file.read_text()), 0)
    with rt.session() as session:
        assert session.scalars(select(Person)).all() == []  # nothing was imported


# --- --log-json -----------------------------------------------------------------------------


@pytest.fixture
def json_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, threading.excepthook)
    configure_logging(logging.WARNING, json_lines=True)  # what --log-json does
    try:
        yield
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        threading.excepthook = saved[2]


@pytest.mark.usefixtures("json_logging")
def test_uvicorn_tracebacks_are_json_lines_with_log_json(rt: App, capsys: pytest.CaptureFixture[str]) -> None:
    app = create_ui_app(rt, secure_cookies=False, process_in_background=False)
    app.include_router(_failing_router())
    server = HttpServer(app, "127.0.0.1", 0)
    server.start()
    stderr = ""
    try:
        assert httpx.get(f"http://127.0.0.1:{server.port}/boom", timeout=DEADLINE).status_code == 500
        deadline = time.monotonic() + DEADLINE
        while "Exception in ASGI application" not in stderr:
            assert time.monotonic() < deadline, stderr
            time.sleep(0.02)
            stderr += capsys.readouterr().err
    finally:
        server.stop()
    stderr += capsys.readouterr().err
    records = [json.loads(line) for line in stderr.splitlines() if line.strip()]  # every line is JSON
    failure = next(r for r in records if r["message"].startswith("Exception in ASGI application"))
    assert failure["logger"] == "uvicorn.error" and failure["level"] == "ERROR"
    assert "Traceback" in failure["exception"] and "RuntimeError" in failure["exception"]


# --- users moderator-link --valid-for -------------------------------------------------------


@pytest.fixture
def cli_rt(rt: App) -> Iterator[App]:
    cli_state.set_runtime(rt)
    yield rt
    cli_state.set_runtime(None)


def _link(args: list[str]) -> dict[str, object]:
    result = CliRunner().invoke(
        users_app, ["moderator-link", "--event", EVENT_KEY, "--json", *args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    payload: dict[str, object] = json.loads(result.output)["result"]
    return payload


def test_moderator_link_valid_for_a_duration_or_until_a_day(cli_rt: App) -> None:
    clock = cli_rt.clock
    assert isinstance(clock, FrozenClock)
    issued = _link(["--valid-for", "2h"])
    assert issued["expires_at"] == (clock.now() + timedelta(hours=2)).isoformat()
    path = str(issued["url"]).split("8080", 1)[1]
    client = client_for(cli_rt)
    assert client.get(path).status_code == 303
    clock.advance(timedelta(hours=2))
    assert client.get(f"{DASHBOARD}/console").status_code == 303  # the session ended with the link
    assert client_for(cli_rt).get(path).status_code == 404
    until_day = _link(["--valid-for", "2025-08-28"])  # end of that day in Berlin (CEST)
    assert until_day["expires_at"] == "2025-08-28T22:00:00+00:00"
    unlimited = _link([])
    assert unlimited["expires_at"] is None


def test_moderator_link_valid_for_refuses_nonsense(cli_rt: App) -> None:
    for value in ("soon", "0h", "2025-07-01"):  # the last one lies before the frozen clock's now
        result = CliRunner().invoke(users_app, ["moderator-link", "--event", EVENT_KEY, "--valid-for", value])
        assert result.exit_code != 0
    with cli_rt.session() as session:
        assert session.scalars(select(ModeratorLink)).all() == []
