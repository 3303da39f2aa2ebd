"""Several ``orchestrator registrants sync`` processes at once on one store and one emulated Zoom.

Used by tests/integration/test_concurrent_sync.py (reduced size) and benchmarks/concurrent_sync.py
(the full 900 people, 2 and 4 processes, 5 repetitions). Each round imports fresh people, then
starts ``processes`` syncs together and waits for all of them. The emulator's state is a JSON file
shared by the processes, so they all meet the same Zoom. Afterwards the outcome is read from the
emulator's file and the store: every person should be in Zoom exactly once, approved, with a join
link in the store, nobody cancelled, and no process may have failed or printed a traceback.

``code_root`` runs the CLI from another source tree (e.g. an export of an older commit), to show
what the scenario does to code without the fix.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from tests.support.waiting import wait_for

REPO_ROOT = Path(__file__).resolve().parents[2]
AGENDA = REPO_ROOT / "config" / "fachtag-2025.yaml"
CLI_TIMEOUT = 600


@dataclass
class Outcome:
    """What the concurrent rounds left behind (counts of people unless said otherwise)."""

    backend: str
    processes: int
    people: int
    rounds: int
    in_zoom: int = 0  # distinct e-mails Zoom holds (any status)
    zoom_duplicates: int = 0
    zoom_cancelled: int = 0
    zoom_not_approved: int = 0
    store_registered_with_link: int = 0
    store_cancelled: int = 0  # registrations or people cancelled in the store
    store_matches_zoom: bool = False
    failed_processes: int = 0
    tracebacks: int = 0
    integrity_errors: int = 0
    sync_seconds: float = 0.0  # wall time of the concurrent sync phases
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.in_zoom == self.people
            and self.zoom_duplicates == 0
            and self.zoom_cancelled == 0
            and self.zoom_not_approved == 0
            and self.store_registered_with_link == self.people
            and self.store_cancelled == 0
            and self.store_matches_zoom
            and self.failed_processes == 0
            and self.tracebacks == 0
        )

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def cli_env(workdir: Path, database_url: str, code_root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORCHESTRATOR_")}
    env.update(
        PYTHONPATH=str(code_root),
        ORCHESTRATOR_DATABASE_URL=database_url,
        ORCHESTRATOR_ZOOM="emulator",
        ORCHESTRATOR_ZOOM_EMULATOR_STATE=str(workdir / "zoom.json"),
        ORCHESTRATOR_LANGUAGE="en",
    )
    return env


def _command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from orchestrator.cli import main; main()", *args]


# A sync process that has imported everything, says so (ready file), and starts the command only
# when the go file appears: the processes of a round start their syncs within milliseconds of each
# other, as syncs "started together" do once the interpreter's start-up is behind them.
_STARTER = """
import os, sys, time
import orchestrator.cli, orchestrator.cli.registrants_cmd
import orchestrator.registrants.sync, orchestrator.zoom.emulator
ready, go = sys.argv.pop(1), sys.argv.pop(1)
open(ready, "w").close()
deadline = time.monotonic() + 300
while not os.path.exists(go) and time.monotonic() < deadline:
    time.sleep(0.002)
orchestrator.cli.main()
"""


def cli(workdir: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        _command(*args),
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"orchestrator {' '.join(args)} failed: {done.stdout}{done.stderr}")
    return done


def write_export(path: Path, first: int, count: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["Vorname", "Nachname", "E-Mail", "Datenschutz akzeptiert"])
        for i in range(first, first + count):
            writer.writerow([f"Vorname{i}", f"Nachname{i}", f"parallel{i:05d}@example.org", "ja"])


def run_scenario(
    workdir: Path,
    database_url: str,
    *,
    backend: str,
    processes: int,
    people: int,
    rounds: int,
    code_root: Path = REPO_ROOT,
) -> Outcome:
    """Set up a fresh event in ``database_url`` and run the concurrent rounds (see module docstring)."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = cli_env(workdir, database_url, code_root)
    cli(workdir, env, "db", "upgrade")
    cli(workdir, env, "meeting", "setup", str(AGENDA), "--allow-past")
    outcome = Outcome(backend, processes, people, rounds)
    per_round = -(-people // rounds)
    imported = 0
    for round_number in range(rounds):
        count = min(per_round, people - imported)
        export = workdir / f"round{round_number}.csv"
        write_export(export, imported, count)
        cli(workdir, env, "registrants", "import", str(export))
        imported += count
        go = workdir / f"round{round_number}.go"
        running = []
        for index in range(processes):
            name = f"round{round_number}-sync{index}"
            ready = workdir / f"{name}.ready"
            command = [sys.executable, "-c", _STARTER, str(ready), str(go), "registrants", "sync", "--json"]
            process = subprocess.Popen(
                command,
                env=env,
                cwd=workdir,
                stdout=(workdir / f"{name}.out").open("wb"),
                stderr=(workdir / f"{name}.err").open("wb"),
            )
            running.append((name, ready, process))
        readies = [ready for _name, ready, _process in running]
        wait_for(
            lambda: all(path.exists() for path in readies), CLI_TIMEOUT, "the sync processes to be ready"
        )
        started = time.perf_counter()
        go.touch()
        for name, _ready, process in running:
            code = process.wait(timeout=CLI_TIMEOUT)
            err = (workdir / f"{name}.err").read_text(encoding="utf-8", errors="replace")
            out = (workdir / f"{name}.out").read_text(encoding="utf-8", errors="replace")
            if code != 0:
                outcome.failed_processes += 1
                outcome.problems.append(f"{name}: exit {code}: {_last_line(out + err)}")
            outcome.tracebacks += err.count("Traceback")
            outcome.integrity_errors += (out + err).count("IntegrityError")
        outcome.sync_seconds += time.perf_counter() - started
    _verify(workdir, database_url, outcome)
    outcome.sync_seconds = round(outcome.sync_seconds, 2)
    return outcome


def _last_line(text_: str) -> str:
    """The error of a failed ``--json`` run (its message), else the last line printed."""
    try:
        error = json.loads(text_[: text_.rindex("}") + 1])["error"]
        return str(error["message"])[:300]
    except (ValueError, KeyError, TypeError):
        lines = [line for line in text_.strip().splitlines() if line.strip()]
        return lines[-1][:300] if lines else ""


def _verify(workdir: Path, database_url: str, outcome: Outcome) -> None:
    data = json.loads((workdir / "zoom.json").read_text(encoding="utf-8"))
    registrants = [r for regs in data["registrants"].values() for r in regs]
    per_email = Counter(r["email"].lower() for r in registrants)
    outcome.in_zoom = len(per_email)
    outcome.zoom_duplicates = sum(n - 1 for n in per_email.values())
    outcome.zoom_cancelled = sum(1 for r in registrants if r["status"] == "cancelled")
    outcome.zoom_not_approved = sum(1 for r in registrants if r["status"] not in ("approved", "cancelled"))
    zoom_ids = {r["email"].lower(): r["id"] for r in registrants if r["status"] != "cancelled"}
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "select p.email, p.status, r.state, r.zoom_status, r.zoom_registrant_id, "
                    "r.join_url is not null from person p left join zoom_registration r on r.person_id = p.id"
                )
            ).all()
    finally:
        engine.dispose()
    outcome.store_cancelled = sum(1 for row in rows if row[1] == "cancelled" or row[2] == "cancelled")
    good = {
        row[0]: row[4]
        for row in rows
        if row[1] == "active" and row[2] == "registered" and row[3] == "approved" and row[5]
    }
    outcome.store_registered_with_link = len(good)
    outcome.store_matches_zoom = good == zoom_ids and len(rows) == outcome.people
