"""``orchestrator run`` as a real process: clean stop on SIGTERM, two instances, kill -9 mid-dispatch."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from orchestrator.db.models import OutboxMessage
from tests.conftest import REPO_ROOT
from tests.support.smtp_servers import RunningServer, ServerBehaviour, smtp_server
from tests.support.waiting import wait_for
from tests.unit.mail_outbox.support import future_event

pytestmark = pytest.mark.slow


def _env(rt, tmp_path: Path, **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORCHESTRATOR_")}
    env.update(
        {
            "PYTHONPATH": str(REPO_ROOT),
            "ORCHESTRATOR_LANGUAGE": "en",
            "ORCHESTRATOR_DATABASE_URL": rt.settings.database_url,
            "ORCHESTRATOR_ZOOM": "emulator",
            "ORCHESTRATOR_ZOOM_EMULATOR_STATE": str(tmp_path / "zoom-emulator.json"),
            "ORCHESTRATOR_MAIL_TRANSPORT": "eml",
            "ORCHESTRATOR_MAIL_EML_DIR": str(tmp_path / "service-mails"),
            "ORCHESTRATOR_DISPATCH_INTERVAL_SECONDS": "1",
        }
    )
    env.update(extra)
    return env


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


def _start(env: dict[str, str], tmp_path: Path, name: str, *args: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", "from orchestrator.cli import main; main()", "run", *args]
    process = subprocess.Popen(
        command,
        env=env,
        cwd=tmp_path,
        stdout=(tmp_path / f"{name}.out").open("wb"),
        stderr=(tmp_path / f"{name}.err").open("wb"),
    )
    _STARTED.append(process)
    return process


def _stop(process: subprocess.Popen[bytes], tmp_path: Path, name: str) -> None:
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=60)
    assert code == 0, (tmp_path / f"{name}.err").read_text()


def _states(rt) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with rt.session() as session:
        rows = session.execute(
            select(OutboxMessage.state, func.count())
            .where(OutboxMessage.occasion == "confirmation")
            .group_by(OutboxMessage.state)
        )
        return {state: int(count) for state, count in rows}


def _received(server: RunningServer) -> Counter[str]:
    return Counter(str(m.parsed()["Message-ID"]) for m in list(server.messages))


def test_run_sends_due_mails_serves_http_and_stops_cleanly_on_sigterm(
    sqlite_url: str, tmp_path: Path
) -> None:
    import socket
    import urllib.request

    rt = future_event(sqlite_url, tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = _env(rt, tmp_path, ORCHESTRATOR_HTTP_PORT=str(port))
    process = _start(env, tmp_path, "service", "--job", "mail-dispatch")
    mails = tmp_path / "service-mails"
    wait_for(lambda: _states(rt).get("sent") == 235, 240, "235 confirmations")

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
                return response.status == 200
        except OSError:  # not listening yet, or answered 503 while the machine is loaded
            return False

    wait_for(healthy, 60, "/healthz to answer 200")
    _stop(process, tmp_path, "service")
    assert "Service stopped." in (tmp_path / "service.out").read_text()
    assert len(list(mails.glob("*.eml"))) == 235
    assert _states(rt) == {"sent": 235}
    err = (tmp_path / "service.err").read_text()
    assert "zoom.us/w" not in err


def test_two_instances_on_postgresql_send_each_mail_exactly_once(postgres_url: str, tmp_path: Path) -> None:
    rt = future_event(postgres_url, tmp_path, fixture_people=False, extra_people=1000)
    with smtp_server() as server:
        env = _env(
            rt,
            tmp_path,
            ORCHESTRATOR_MAIL_TRANSPORT="smtp",
            ORCHESTRATOR_SMTP_HOST=server.host,
            ORCHESTRATOR_SMTP_PORT=str(server.port),
            ORCHESTRATOR_SMTP_SECURITY="none",
            ORCHESTRATOR_MAIL_BATCH_SIZE="20",
        )
        first = _start(env, tmp_path, "one", "--no-http", "--job", "mail-dispatch")
        second = _start(env, tmp_path, "two", "--no-http", "--job", "mail-dispatch")
        wait_for(lambda: server.stats.accepted >= 1000, 180, "1000 mails at the SMTP server")
        # Both stopped cleanly: anything still on its way (a late duplicate) has arrived by now.
        _stop(first, tmp_path, "one")
        _stop(second, tmp_path, "two")
        received = _received(server)
    assert len(received) == 1000
    assert max(received.values()) == 1
    assert _states(rt) == {"sent": 1000}


@pytest.mark.parametrize("workers", [1, 4])
def test_kill_9_during_dispatch_loses_nothing(sqlite_url: str, tmp_path: Path, workers: int) -> None:
    """Declared rule: at most one duplicate per crash (the delivery gate), never a lost mail.

    No provider rate limit, so with 4 workers several messages are on their way at every moment:
    without the gate a kill would often leave more than one delivered but unrecorded.
    """
    total = 600
    rt = future_event(sqlite_url, tmp_path, fixture_people=False, extra_people=total)
    kills = 3
    rng = random.Random(1234 + workers)
    with smtp_server(ServerBehaviour()) as server:
        env = _env(
            rt,
            tmp_path,
            ORCHESTRATOR_MAIL_TRANSPORT="smtp",
            ORCHESTRATOR_SMTP_HOST=server.host,
            ORCHESTRATOR_SMTP_PORT=str(server.port),
            ORCHESTRATOR_SMTP_SECURITY="none",
            ORCHESTRATOR_MAIL_WORKERS=str(workers),
            ORCHESTRATOR_MAIL_LEASE_SECONDS="2",
            ORCHESTRATOR_MAIL_BATCH_SIZE="20",
        )
        for round_ in range(kills):
            before = server.stats.accepted
            process = _start(env, tmp_path, f"kill{round_}", "--no-http", "--job", "mail-dispatch")
            # Kill at a random point of the dispatch: after a random number of further deliveries.
            target = before + 1 + rng.randrange(0, 60)
            wait_for(lambda t=target: server.stats.accepted >= t, 60, "dispatch under way")  # type: ignore[misc]
            process.kill()
            process.wait(timeout=30)
        assert server.stats.accepted < total, "the kills came too late to interrupt the dispatch"
        final = _start(env, tmp_path, "final", "--no-http", "--job", "mail-dispatch")
        wait_for(lambda: _states(rt) == {"sent": total}, 120, "every mail sent after the restarts")
        _stop(final, tmp_path, "final")
        received = _received(server)
    with rt.session() as session:
        expected = set(
            session.scalars(select(OutboxMessage.message_id).where(OutboxMessage.occasion == "confirmation"))
        )
        resends = int(session.scalar(select(func.sum(OutboxMessage.crash_resends))) or 0)
    duplicates = sum(received.values()) - len(received)
    assert set(received) == expected and len(expected) == total  # no mail lost
    assert duplicates <= kills  # at most one per kill
    assert duplicates <= resends
    print(f"workers={workers}: {kills} kills, {duplicates} duplicates, {resends} rows resent after a crash")
