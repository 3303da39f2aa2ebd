"""Benchmark: the full import of a 5,000-row export (parse + store, one transaction), time and RSS.

Uses the parser benchmark's generator (fixture dialect and noise). Each measurement is a fresh child
process on a fresh SQLite store (after ``db upgrade`` and the seed event), so the peak RSS is that
import's own; a second import of the same file into the same store measures a no-op re-import.

Run: .venv/bin/python benchmarks/registrants_import.py [rows]
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def child(workdir: str, csv_path: str) -> None:
    from orchestrator.app import App
    from orchestrator.registrants.service import import_registrations
    from orchestrator.results import to_jsonable
    from orchestrator.settings import Settings

    rt = App(Settings(database_url=f"sqlite:///{workdir}/store.db", _env_file=None))
    started = time.perf_counter()
    result = import_registrations(rt.store, rt.clock, None, Path(csv_path))
    elapsed = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "rss_mb": rss, "counts": to_jsonable(result.counts)}))


def prepare(workdir: Path) -> None:
    from orchestrator.agenda import load_agenda
    from orchestrator.app import App
    from orchestrator.db import migrate
    from orchestrator.events import upsert_event
    from orchestrator.settings import Settings

    url = f"sqlite:///{workdir}/store.db"
    migrate.upgrade(url)
    rt = App(Settings(database_url=url, _env_file=None))
    with rt.session() as session:
        upsert_event(session, load_agenda(REPO / "config" / "fachtag-2025.yaml", allow_past=True))
        session.commit()
    rt.close()


def run_child(workdir: Path, csv_path: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(workdir), str(csv_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    from import_parse import generate, write_csv  # the parser benchmark's generator

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "export.csv"
        write_csv(csv_path, generate(rows))
        first, again = [], []
        for run in range(3):
            workdir = Path(tmp) / f"run{run}"
            workdir.mkdir()
            prepare(workdir)
            first.append(run_child(workdir, csv_path))
            again.append(run_child(workdir, csv_path))
        print("counts:", first[0]["counts"])
        for name, runs in (("first import", first), ("re-import (no change)", again)):
            seconds = statistics.median(float(r["seconds"]) for r in runs)  # type: ignore[arg-type]
            rss = max(float(r["rss_mb"]) for r in runs)  # type: ignore[arg-type]
            print(f"{name}: median {seconds:.2f} s, peak RSS {rss:.0f} MB (3 runs, {rows} rows)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
