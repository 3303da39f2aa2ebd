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
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# The product is imported in main(), not here: worker processes (spawned) import this module as
# their __main__, and should carry only what they need, as under the ``orchestrator`` command.

SPENT: dict[str, float] = defaultdict(float)
CPU: dict[str, float] = defaultdict(float)  # this process's CPU time (all threads; not child processes)
RISE: dict[str, float] = defaultdict(float)  # how much this process's peak RSS rose during the phase


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


ACTIVE: list[str] = []


def timed(phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` with its time added to ``phase`` (nested phases count for the outer one only)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if ACTIVE:
            return function(*args, **kwargs)
        ACTIVE.append(phase)
        peak_before = _peak_mb()
        start, cpu_start = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[phase] += time.perf_counter() - start
            CPU[phase] += time.process_time() - cpu_start
            RISE[phase] += _peak_mb() - peak_before
            ACTIVE.pop()

    return wrapper


class RssSampler(threading.Thread):
    """Samples the RSS of this process and of its child processes (Linux ``/proc``).

    ``ru_maxrss`` of children is no use here: a spawned worker is forked before it execs, and that
    moment counts this whole process as the child's.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.workers_peak_mb = 0.0
        self.total_peak_mb = 0.0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.2):
            own = _rss_mb(os.getpid())
            workers = sum(_rss_mb(pid) for pid in set(_children()))
            self.workers_peak_mb = max(self.workers_peak_mb, workers)
            self.total_peak_mb = max(self.total_peak_mb, own + workers)

    def stop(self) -> None:
        self._done.set()
        self.join()


def _children(pid: int | None = None) -> list[int]:
    """Every descendant process (a pool's workers may hang below a helper process)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid or os.getpid()}/task").glob("*"):
        try:
            direct = [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in direct:
            found += [child, *_children(child)]
    return found


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def instrument() -> Any:
    """Wrap the demo's phases; returns the demo command module."""
    from orchestrator import rehearsal
    from orchestrator.cli import demo_cmd
    from orchestrator.jobs import breakouts as breakouts_job
    from orchestrator.jobs import mail as mail_job
    from orchestrator.jobs import registrants as registrants_job

    demo_cmd.import_registrations = timed("import", demo_cmd.import_registrations)
    demo_cmd.sync_registrants = timed("Zoom sync", demo_cmd.sync_registrants)
    demo_cmd.plan_all = timed("breakout plan", demo_cmd.plan_all)
    demo_cmd._attendance = timed("attendance + certificates", demo_cmd._attendance)
    registrants_job.run = timed("Zoom sync", registrants_job.run)
    breakouts_job.run = timed("breakout apply", breakouts_job.run)
    mail_job.run = timed("mails (plan, render, .eml)", mail_job.run)
    rehearsal._meeting_entries = timed("meeting (webhooks, report)", rehearsal._meeting_entries)
    return demo_cmd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=4999)
    parser.add_argument("--keep", type=Path, help="run in this directory and keep it")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the dropped-webhook warnings are expected (the outage)
    demo_cmd = instrument()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="rehearsal-"))
    sampler = RssSampler()
    sampler.start()
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        result = demo_cmd.run_demo(workdir, args.people)
    finally:
        wall = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        sampler.stop()
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
    RISE["other"] = max(0.0, peak_mb - sum(RISE.values()))
    print(f"  {'phase':<28} {'wall':>9} {'share':>7} {'CPU here':>10} {'peak RSS rise':>14}")
    for phase, seconds in sorted(SPENT.items(), key=lambda item: -item[1]):
        print(
            f"  {phase:<28} {seconds:7.1f} s {100 * seconds / wall:5.1f} % {CPU[phase]:8.1f} s "
            f"{RISE[phase]:10.0f} MB"
        )
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"  CPU: {cpu:.1f} s in this process, {children.ru_utime + children.ru_stime:.1f} s in its worker "
        f"processes (mail rendering, certificates); RSS sampled every 0.2 s: worker processes at most "
        f"{sampler.workers_peak_mb:.0f} MB together, this process and its workers at most "
        f"{sampler.total_peak_mb:.0f} MB together"
    )


if __name__ == "__main__":
    main()
