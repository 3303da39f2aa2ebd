"""``registrants sync`` while another sync runs: waits (saying so once), then runs or gives up."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from orchestrator.cli import app
from orchestrator.cli.state import set_runtime
from orchestrator.clock import SystemClock
from orchestrator.db.lease import new_holder_id, release, try_take
from orchestrator.db.models import Event
from orchestrator.db.session import make_engine, make_sessionmaker
from orchestrator.registrants.service import sync_lease_name
from tests.conftest import SAMPLE_AGENDA
from tests.unit.registrants_sync.conftest import write_export

OTHER = "orchestrator registrants sync (PID 4242, otherhost)"


def _invoke(*args: str) -> tuple[int, str, str]:
    set_runtime(None)
    result = CliRunner().invoke(app, ["--lang", "en", *args])
    set_runtime(None)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def store(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ORCHESTRATOR_DATABASE_URL", database_url)
    monkeypatch.setenv("ORCHESTRATOR_ZOOM", "emulator")
    monkeypatch.setenv("ORCHESTRATOR_ZOOM_EMULATOR_STATE", str(tmp_path / "zoom.json"))
    monkeypatch.chdir(tmp_path)
    assert _invoke("db", "upgrade")[0] == 0
    assert _invoke("meeting", "setup", str(SAMPLE_AGENDA), "--allow-past")[0] == 0
    export = write_export(
        tmp_path / "e.csv", [("Ann", "A", "ann@example.org"), ("Bea", "B", "bea@example.org")]
    )
    assert _invoke("registrants", "import", str(export))[0] == 0
    return database_url


def test_sync_waits_for_the_running_one_then_runs(store: str) -> None:
    engine = make_engine(store)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        name = sync_lease_name(session.scalars(select(Event)).one().id)
    holder = new_holder_id().replace(":", "-")
    assert try_take(sessions, name, holder, OTHER, now=_now()) is None
    # The other sync finishes a moment after ours started waiting.
    finisher = threading.Timer(1.0, release, args=(sessions, name, holder))
    finisher.start()
    try:
        code, out, err = _invoke("registrants", "sync", "--json", "--wait", "60")
    finally:
        finisher.join()
        engine.dispose()
    assert code == 0, out + err
    assert " ".join(err.split()).count(f"Another Zoom sync of this event is running ({OTHER}, since") == 1
    assert '"registered": 2' in out


def test_sync_gives_up_after_waiting_with_exit_code_1(store: str) -> None:
    engine = make_engine(store)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        name = sync_lease_name(session.scalars(select(Event)).one().id)
    assert try_take(sessions, name, new_holder_id().replace(":", "-"), OTHER, now=_now()) is None
    engine.dispose()
    started = time.monotonic()
    code, _out, err = _invoke("registrants", "sync", "--wait", "1")
    assert code == 1
    message = " ".join(err.split())
    assert "waiting up to 1 s" in message
    assert f"is still running after 1 s of waiting ({OTHER}" in message
    assert "Nothing was sent" in message
    assert time.monotonic() - started < 30
    code, _out, err = _invoke("registrants", "sync", "--wait", "0")
    assert code == 1 and "already running" in " ".join(err.split()) and "waiting" not in err


def _now() -> datetime:
    return SystemClock().now()
