"""Start-up cost of the commands an organiser runs most, against ``import sqlalchemy.orm``.

Each command runs 5 times as a fresh process in a temporary working directory with a migrated
SQLite store and the sample event (so the store-only commands do real work). Prints the median
wall time and the peak RSS of each (the child's own ``ru_maxrss``), and the ratio to the baseline
``python -c "import sqlalchemy.orm"``: wall-clock ratios hold on a noisy machine where absolute
seconds do not.

Targets (issue "A newcomer's clone"): ``--help`` ≤ 1.5× the baseline and ≤ 70 MB; the store-only
commands ≤ 2.5× the baseline.

Run: .venv/bin/python benchmarks/cli_latency.py [runs]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
AGENDA = REPO / "config" / "fachtag-2025.yaml"
COMMANDS: dict[str, list[str]] = {
    "--help": ["--help"],
    "agenda check": ["agenda", "check", str(AGENDA)],
    "meeting show": ["meeting", "show"],
    "registrants list": ["registrants", "list"],
    "registrants report": ["registrants", "report"],
    "mail status": ["mail", "status"],
}
# Runs a command in a child and prints its peak RSS (KiB on Linux) as the last line on stderr.
MEASURE = """
import resource, sys
code = 0
try:
    if sys.argv[1] == "--baseline":
        import sqlalchemy.orm
    else:
        sys.argv = ["orchestrator", *sys.argv[1:]]
        from orchestrator.cli import main
        main()
except SystemExit as stop:
    code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
sys.stderr.write("\\nRSS_KIB=%d\\n" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
sys.exit(code)
"""


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and the exit code of one run."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *argv], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    rss_lines = [line for line in done.stderr.splitlines() if line.startswith("RSS_KIB=")]
    rss_mb = int(rss_lines[-1].split("=", 1)[1]) / 1024 if rss_lines else float("nan")
    return wall, rss_mb, done.returncode


def prepare(workdir: Path, env: dict[str, str]) -> None:
    """A migrated store with the sample event, so store commands have something to show."""
    for args in (["db", "upgrade"], ["meeting", "setup", str(AGENDA), "--allow-past"]):
        timed(args, workdir, env)


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = {
            **os.environ,
            "ORCHESTRATOR_DATABASE_URL": f"sqlite:///{workdir / 'store.db'}",
            "ORCHESTRATOR_ZOOM": "emulator",
            "ORCHESTRATOR_ZOOM_EMULATOR_STATE": str(workdir / "zoom.json"),
        }
        prepare(workdir, env)
        rows: dict[str, dict[str, float]] = {}
        cases = {"baseline: import sqlalchemy.orm": ["--baseline"], **COMMANDS}
        for name, argv in cases.items():
            samples = [timed(argv, workdir, env) for _ in range(runs)]
            codes = sorted({code for _, _, code in samples})
            rows[name] = {
                "median_s": statistics.median(wall for wall, _, _ in samples),
                "peak_rss_mb": max(rss for _, rss, _ in samples),
                "exit_codes": codes,  # type: ignore[dict-item]
            }
        baseline = rows["baseline: import sqlalchemy.orm"]["median_s"]
        print(f"{'command':34} {'median s':>9} {'× base':>7} {'peak MB':>8}  exit")
        for name, row in rows.items():
            ratio = row["median_s"] / baseline
            figures = f"{row['median_s']:9.3f} {ratio:7.2f} {row['peak_rss_mb']:8.1f}"
            print(f"{name:34} {figures}  {row['exit_codes']}")
        print(json.dumps({"runs": runs, "load": os.getloadavg()[0], "rows": rows}))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
