"""Concurrent syncs: 2 and 4 ``registrants sync`` processes at once, SQLite and PostgreSQL.

Each repetition sets up a fresh event and imports 900 people in 3 rounds of 300; in every round
the processes start their syncs together against the same store and the same emulated Zoom (a
state file shared by the processes). Afterwards: every person exactly once in Zoom, approved, with
a join link in the store; nobody cancelled; no failed process, no traceback. Prints one line per
repetition and a summary with wall times.

Run: .venv/bin/python benchmarks/concurrent_sync.py [--repetitions 5] [--people 900] [--rounds 3]
     [--processes 2 4] [--backends sqlite postgresql] [--code-root DIR]
PostgreSQL needs ORCHESTRATOR_TEST_POSTGRES_URL (each repetition gets its own schema).
``--code-root`` runs the CLI from another source tree (e.g. ``git archive`` of an older commit).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from tests.support.concurrent_sync import Outcome, run_scenario  # noqa: E402


def postgres_schema_url(base: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(make_url(base).set(drivername="postgresql+psycopg"))
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = (
        make_url(base)
        .set(drivername="postgresql+psycopg")
        .update_query_dict({"options": f"-csearch_path={schema}"})
    )
    return url.render_as_string(hide_password=False), schema


def drop_schema(base: str, schema: str) -> None:
    engine = create_engine(make_url(base).set(drivername="postgresql+psycopg"))
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def one(backend: str, processes: int, people: int, rounds: int, code_root: Path) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="concurrent-sync-") as tmp:
        workdir = Path(tmp)
        if backend == "sqlite":
            return run_scenario(
                workdir,
                f"sqlite:///{workdir / 'store.db'}",
                backend=backend,
                processes=processes,
                people=people,
                rounds=rounds,
                code_root=code_root,
            )
        base = os.environ.get("ORCHESTRATOR_TEST_POSTGRES_URL")
        if not base:
            raise SystemExit("PostgreSQL needs ORCHESTRATOR_TEST_POSTGRES_URL")
        url, schema = postgres_schema_url(base)
        try:
            return run_scenario(
                workdir,
                url,
                backend=backend,
                processes=processes,
                people=people,
                rounds=rounds,
                code_root=code_root,
            )
        finally:
            drop_schema(base, schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--people", type=int, default=900)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--processes", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--code-root", type=Path, default=REPO)
    args = parser.parse_args()
    started = time.perf_counter()
    failures = 0
    for backend in args.backends:
        for processes in args.processes:
            totals = {"cancelled": 0, "failed_processes": 0, "tracebacks": 0, "integrity_errors": 0}
            wall = 0.0
            for repetition in range(1, args.repetitions + 1):
                t0 = time.perf_counter()
                outcome = one(backend, processes, args.people, args.rounds, args.code_root)
                elapsed = time.perf_counter() - t0
                wall += elapsed
                totals["cancelled"] += outcome.store_cancelled
                totals["failed_processes"] += outcome.failed_processes
                totals["tracebacks"] += outcome.tracebacks
                totals["integrity_errors"] += outcome.integrity_errors
                failures += not outcome.ok
                print(
                    f"{backend:10} processes={processes} rep={repetition}: "
                    f"in_zoom={outcome.in_zoom}/{outcome.people} duplicates={outcome.zoom_duplicates} "
                    f"approved_with_link={outcome.store_registered_with_link} "
                    f"cancelled_store={outcome.store_cancelled} cancelled_zoom={outcome.zoom_cancelled} "
                    f"failed_processes={outcome.failed_processes} tracebacks={outcome.tracebacks} "
                    f"integrity_errors={outcome.integrity_errors} sync_phases={outcome.sync_seconds:.1f}s "
                    f"wall={elapsed:.1f}s {'PASS' if outcome.ok else 'FAIL'}",
                    *(f"\n    {p}" for p in outcome.problems[:3]),
                    flush=True,
                )
            print(f"== {backend} processes={processes}: {totals}, wall {wall:.1f}s", flush=True)
    print(f"total {time.perf_counter() - started:.1f}s; {'PASS' if failures == 0 else f'FAIL ({failures})'}")
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
