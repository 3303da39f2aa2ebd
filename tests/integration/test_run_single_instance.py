"""A second ``orchestrator run`` on the same SQLite store is refused; the lock dies with its holder.

Real processes: the first service runs, a second start is refused with exit code 1 and a message
naming the first one's PID; after SIGTERM (and after ``kill -9``) the store can be served again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, SAMPLE_AGENDA
from tests.support.waiting import wait_for

pytestmark = pytest.mark.slow

RUNNING = "Service running for"
_STARTED: list[subprocess.Popen[bytes]] = []


@pytest.fixture(autouse=True)
def _no_orphans() -> Iterator[None]:
    """Whatever a failing test leaves running is killed (only the processes this module started)."""
    yield
    while _STARTED:
        process = _STARTED.pop()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def _env(tmp_path: Path, language: str = "en") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORCHESTRATOR_")}
    env.update(
        PYTHONPATH=str(REPO_ROOT),
        ORCHESTRATOR_LANGUAGE=language,
        ORCHESTRATOR_DATABASE_URL=f"sqlite:///{tmp_path / 'store.db'}",
        ORCHESTRATOR_ZOOM="emulator",
        ORCHESTRATOR_ZOOM_EMULATOR_STATE=str(tmp_path / "zoom.json"),
        ORCHESTRATOR_MAIL_TRANSPORT="eml",
        ORCHESTRATOR_MAIL_EML_DIR=str(tmp_path / "mails"),
    )
    return env


def _command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from orchestrator.cli import main; main()", *args]


def _cli(tmp_path: Path, *args: str, language: str = "en") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _command(*args),
        env=_env(tmp_path, language),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _start(tmp_path: Path, name: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        _command("run", "--no-http", "--job", "webhooks-process"),
        env=_env(tmp_path),
        cwd=tmp_path,
        stdout=(tmp_path / f"{name}.out").open("wb"),
        stderr=(tmp_path / f"{name}.err").open("wb"),
    )
    _STARTED.append(process)
    return process


def _running(tmp_path: Path, name: str) -> Callable[[], bool]:
    return lambda: RUNNING in (tmp_path / f"{name}.out").read_text(encoding="utf-8", errors="replace")


def test_second_run_on_a_sqlite_store_is_refused(tmp_path: Path) -> None:
    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    assert _cli(tmp_path, "meeting", "setup", str(SAMPLE_AGENDA), "--allow-past").returncode == 0

    first = _start(tmp_path, "first")
    wait_for(_running(tmp_path, "first"), 120, "the first service to run")

    second = _cli(tmp_path, "run", "--no-http", "--job", "webhooks-process")
    assert second.returncode == 1, second.stdout + second.stderr
    message = " ".join(second.stderr.split())
    assert f"Another service (PID {first.pid} on" in message
    assert "For more than one instance use PostgreSQL." in message
    assert RUNNING not in second.stdout
    german = _cli(tmp_path, "run", "--once", "--job", "webhooks-process", language="de")
    assert german.returncode == 1
    assert f"Ein anderer Dienst (PID {first.pid} auf" in " ".join(german.stderr.split())
    assert "Traceback" not in second.stderr + german.stderr
    assert first.poll() is None  # the first service is unaffected

    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=60) == 0, (tmp_path / "first.err").read_text()

    # Stopped cleanly: the store can be served again; a killed service does not block it either.
    again = _start(tmp_path, "again")
    wait_for(_running(tmp_path, "again"), 120, "a new service after the first stopped")
    again.kill()
    again.wait(timeout=30)
    after_kill = _start(tmp_path, "after_kill")
    wait_for(_running(tmp_path, "after_kill"), 120, "a new service after kill -9")
    after_kill.send_signal(signal.SIGTERM)
    assert after_kill.wait(timeout=60) == 0
