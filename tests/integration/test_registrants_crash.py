"""kill -9 of ``orchestrator registrants sync`` at random moments; a rerun registers everyone once.

The CLI runs as a subprocess with the built-in emulator (Pro limits, real time) whose state file is
shared between processes. See benchmarks/registrants_crash.py for the 10-kill version.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
from collections import Counter
from pathlib import Path

from tests.conftest import REPO_ROOT, SAMPLE_AGENDA
from tests.support.waiting import wait_for

CLI = REPO_ROOT / ".venv" / "bin" / "orchestrator"
PEOPLE = 300


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORCHESTRATOR_")}
    env.update(
        ORCHESTRATOR_DATABASE_URL=f"sqlite:///{tmp_path / 'store.db'}",
        ORCHESTRATOR_ZOOM="emulator",
        ORCHESTRATOR_ZOOM_EMULATOR_STATE=str(tmp_path / "zoom.json"),
        ORCHESTRATOR_LANGUAGE="en",
    )
    return env


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(CLI), *args],
        env=_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _started_count(tmp_path: Path) -> int:
    """Registrations the sync has sent or is sending (read beside the writer: SQLite WAL)."""
    try:
        with sqlite3.connect(tmp_path / "store.db", timeout=30) as connection:
            row = connection.execute(
                "SELECT count(*) FROM zoom_registration WHERE state IN ('intent', 'registered')"
            ).fetchone()
    except sqlite3.OperationalError:  # the store is being created or is briefly locked
        return 0
    return int(row[0])


def test_sync_killed_three_times_then_rerun_registers_everyone_once(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    rows = ["Vorname;Nachname;E-Mail;Datenschutz akzeptiert"]
    rows += [f"V{i};N{i};crash{i:04d}@example.org;ja" for i in range(PEOPLE)]
    export.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
    _run(tmp_path, "db", "upgrade")
    _run(tmp_path, "meeting", "setup", str(SAMPLE_AGENDA), "--allow-past")
    _run(tmp_path, "registrants", "import", str(export))

    rng = random.Random(20250827)
    killed_mid_sync = 0
    for _ in range(3):
        proc = subprocess.Popen(
            [str(CLI), "registrants", "sync"],
            env=_env(tmp_path),
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Kill at a random point of the sync: once a random number of people are on their way.
        target = rng.randrange(1, PEOPLE // 2)
        wait_for(
            lambda t=target: proc.poll() is not None or _started_count(tmp_path) >= t,
            120,
            "the sync to make progress",
        )
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed_mid_sync += 1
        proc.wait()
    assert killed_mid_sync >= 1

    final = json.loads(_run(tmp_path, "registrants", "sync", "--json").stdout)["result"]
    assert final["states"] == {"registered": PEOPLE}

    data = json.loads((tmp_path / "zoom.json").read_text(encoding="utf-8"))
    registrants = [r for regs in data["registrants"].values() for r in regs]
    per_email = Counter(r["email"] for r in registrants)
    assert len(per_email) == PEOPLE and max(per_email.values()) == 1
    assert all(r["status"] == "approved" for r in registrants)
    with sqlite3.connect(tmp_path / "store.db") as db:
        stored = dict(
            db.execute(
                "select p.email, r.zoom_registrant_id from person p "
                "join zoom_registration r on r.person_id = p.id"
            ).fetchall()
        )
    assert stored == {r["email"]: r["id"] for r in registrants}
