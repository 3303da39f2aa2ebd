"""``orchestrator demo --people N`` end to end: wall time, peak memory and each phase's share.

The whole rehearsal in one process, as the command runs it: import of N synthetic registrations,
sync to the emulated Zoom at Pro rate limits on the virtual clock, breakout plan, every mail
written as .eml, the simulated meeting (signed webhooks into the real endpoint, the outage,
Zoom's retries), the participant report merged, attendance and certificates.
Targets for N = 4,999 on a 2-core machine: <= 120 s wall and <= 350 MB peak RSS.

Phases are timed by wrapping the functions the demo calls (no change to the product); "other"
is the rest (agenda, meeting setup, the rehearsal's own bookkeeping).
Run: .venv/bin/python benchmarks/rehearsal.py [--people N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import functools
import logging
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from orchestrator import rehearsal  # noqa: E402
from orchestrator.cli import demo_cmd  # noqa: E402
from orchestrator.jobs import breakouts as breakouts_job  # noqa: E402
from orchestrator.jobs import mail as mail_job  # noqa: E402
from orchestrator.jobs import registrants as registrants_job  # noqa: E402

SPENT: dict[str, float] = defaultdict(float)
CPU: dict[str, float] = defaultdict(float)  # this process's CPU time (all threads; not child processes)
ACTIVE: list[str] = []


def timed(phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` with its time added to ``phase`` (nested phases count for the outer one only)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if ACTIVE:
            return function(*args, **kwargs)
        ACTIVE.append(phase)
        start, cpu_start = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[phase] += time.perf_counter() - start
            CPU[phase] += time.process_time() - cpu_start
            ACTIVE.pop()

    return wrapper


def instrument() -> None:
    demo_cmd.import_registrations = timed("import", demo_cmd.import_registrations)
    demo_cmd.sync_registrants = timed("Zoom sync", demo_cmd.sync_registrants)
    demo_cmd.plan_all = timed("breakout plan", demo_cmd.plan_all)
    demo_cmd._attendance = timed("attendance + certificates", demo_cmd._attendance)
    registrants_job.run = timed("Zoom sync", registrants_job.run)
    breakouts_job.run = timed("breakout apply", breakouts_job.run)
    mail_job.run = timed("mails (plan, render, .eml)", mail_job.run)
    rehearsal._meeting_entries = timed("meeting (webhooks, report)", rehearsal._meeting_entries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=4999)
    parser.add_argument("--keep", type=Path, help="run in this directory and keep it")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the dropped-webhook warnings are expected (the outage)
    instrument()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="rehearsal-"))
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        result = demo_cmd.run_demo(workdir, args.people)
    finally:
        wall = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    steps = {step["step"]: step for step in result["steps"]}
    mails = sum(entry["count"] or 0 for entry in result["timeline"] if entry["kind"] == "mail")
    figures = result["webhooks"]
    attendance = result["attendance"]
    print(
        f"demo --people {args.people}: {wall:.1f} s wall (target <= 120 s), "
        f"peak RSS {peak_mb:.0f} MB (<= 350 MB)"
    )
    print(
        f"  {steps['registrants import']['summary']['people']} people, {mails} mails, "
        f"{figures.sent if figures else 0} webhooks ({figures.dropped if figures else 0} dropped), "
        f"{attendance.attended} attended, {attendance.certificates} certificates"
    )
    SPENT["other"] = max(0.0, wall - sum(SPENT.values()))
    CPU["other"] = max(0.0, cpu - sum(CPU.values()))
    print(f"  {'phase':<28} {'wall':>9} {'share':>7} {'CPU here':>10}")
    for phase, seconds in sorted(SPENT.items(), key=lambda item: -item[1]):
        print(f"  {phase:<28} {seconds:7.1f} s {100 * seconds / wall:5.1f} % {CPU[phase]:8.1f} s")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"  CPU: {cpu:.1f} s in this process, {children.ru_utime + children.ru_stime:.1f} s in worker "
        f"processes; peak RSS of a worker process {children.ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
