"""Mail throughput: 3,000 personalised mails with .ics to aiosmtpd on loopback.

(a) naive loop (render + the standard-library MIME build + a new SMTP connection per
    mail, sequential) vs ParallelSender (``MailBuild`` jobs: render + the fast wire-bytes build in
    the workers, each worker reusing one connection); target ratio >= 2.5
(b) ParallelSender with the provider limit at 50 mails/s: total seconds; target <= 66 s (1.1 x 60 s)
(c) a server adding 50 ms before every SMTP reply ("distant provider"): ParallelSender vs the naive
    loop; the naive loop runs on a subset and its rate is extrapolated (said so in the output);
    target ratio >= 10

The SMTP server runs in a separate process (multiprocessing, spawn) so its CPU does not share
the GIL with the sender. The machine's load average is printed before and after each part:
other processes on the machine change these figures.
Run: .venv/bin/python benchmarks/mail_throughput.py [--mails N] [--repeat N] [--skip bc]
"""

from __future__ import annotations

import argparse
import os
import smtplib
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from orchestrator.mail import (  # noqa: E402
    EventInfo,
    MailBuild,
    MailRenderer,
    Occasion,
    Outcome,
    ParallelSender,
    ProgrammeItem,
    Recipient,
    SendJob,
    message_bytes,
)
from orchestrator.mail.prepared import PreparedMessage  # noqa: E402
from orchestrator.mail.transports import SmtpTransport  # noqa: E402
from tests.support.smtp_servers import ProcessServer, ServerBehaviour, smtp_server_process  # noqa: E402
from tests.unit.mail.stdlib_reference import stdlib_message  # noqa: E402

SENDER = "Forum Seniorenarbeit NRW <info@forum-seniorenarbeit.de>"
EVENT = EventInfo(
    key="fachtag-2025",
    title="Leitbild Caring Community: Miteinander sorgen, gemeinsam wirken – Wege zur lebendigen Sorgekultur",
    organiser_name="Forum Seniorenarbeit NRW",
    contact_email="info@forum-seniorenarbeit.de",
    contact_phone="Lena Kukowka: 030 / 221 8298 – 38",
    extra_contacts=("Dr. Katrin Alert: 030 / 221 8298 – 42",),
    timezone="Europe/Berlin",
    start_utc=datetime(2025, 8, 27, 7, 30, tzinfo=UTC),
    end_utc=datetime(2025, 8, 27, 12, 15, tzinfo=UTC),
    zoom_meeting_id="85512345678",
    programme=(
        ProgrammeItem("09:30", "09:45", "Begrüßung"),
        ProgrammeItem("09:45", "10:30", "Keynote: Dr. Tobias Wörle (Hochschule Kempten)"),
        ProgrammeItem("10:30", "11:30", "Praxisbeispiele: ALIA, Wohnen statt Unterbringung – reloaded"),
        ProgrammeItem("11:30", "12:30", "Mittagspause"),
        ProgrammeItem("12:30", "13:30", "Breakout-Sessions"),
        ProgrammeItem("13:30", "14:15", "Ausblick und Abschluss"),
    ),
)
REMINDER = Occasion(reminder_offset=timedelta(days=1))


def make_jobs(renderer: MailRenderer, count: int, run: str) -> list[SendJob]:
    """``MailBuild`` jobs: ``job.build()`` is the fast form, ``standard(job.build)`` the stdlib one."""
    jobs = []
    for i in range(count):
        person = Recipient(
            email=f"person{i:05d}@example.org",
            first_name="Elif" if i % 2 else "Jonas",
            last_name=f"Teilnehmende {i}",
            language="de" if i % 4 else "en",
            join_url=f"https://zoom.us/w/85512345678?tk=tok{i:05d}-{run}&uuid=WN_{i}",
        )
        build = MailBuild(
            renderer, "reminder", EVENT, person, REMINDER, SENDER, f"<{run}-{i}@fachtag.example.org>"
        )
        jobs.append(SendJob(job_id=i, build=build))
    return jobs


def standard(build: MailBuild) -> Message:
    """The mail of ``build`` built with the standard ``email`` package (the naive loop's build)."""
    rendered = build.renderer.render(build.kind, build.event, build.recipient, build.occasion)
    return stdlib_message(
        rendered, sender=build.sender, recipient=build.recipient, message_id=build.message_id
    )


class _Prebuilt:
    def __init__(self, msg: PreparedMessage) -> None:
        self.msg = msg

    def __call__(self) -> PreparedMessage:
        return self.msg

    def message(self) -> PreparedMessage:
        return self.msg


def naive_loop(server: ProcessServer, jobs: list[SendJob]) -> float:
    """Render + standard MIME build + new connection per mail, one after another. Returns mails/s."""
    started = time.perf_counter()
    for job in jobs:
        build = job.build
        assert isinstance(build, MailBuild | _Prebuilt)
        msg = build.message() if isinstance(build, _Prebuilt) else standard(build)
        if isinstance(msg, PreparedMessage):  # (a0): built beforehand
            rcpt, data = msg.recipients[0], msg.data
        else:
            rcpt, data = str(msg["To"]).split("<")[-1].rstrip(">"), message_bytes(msg)
        with smtplib.SMTP(server.host, server.port, timeout=30) as conn:
            conn.sendmail("info@forum-seniorenarbeit.de", [rcpt], data)
    return len(jobs) / (time.perf_counter() - started)


def parallel(
    server: ProcessServer, jobs: list[SendJob], workers: int, rate: float | None = None
) -> tuple[float, float]:
    """ParallelSender run; returns (mails/s, seconds). Fails loudly if any mail did not go out."""
    outcomes: dict[object, Outcome] = {}

    def on_result(job_id: object, outcome: Outcome) -> None:
        outcomes[job_id] = outcome

    sender = ParallelSender(
        lambda: SmtpTransport(server.host, server.port, security="none", timeout=30),
        workers=workers,
        rate_limit_per_minute=rate,
    )
    report = sender.send_all(jobs, on_result)
    if report.sent != len(jobs):
        raise SystemExit(f"only {report.sent} of {len(jobs)} sent: {report}")
    return len(jobs) / report.seconds, report.seconds


def print_build_times(renderer: MailRenderer, count: int = 500) -> None:
    """Single-thread cost per mail: render (incl. .ics) alone, + standard build, + fast build."""
    builds = [job.build for job in make_jobs(renderer, count, "probe")]
    assert all(isinstance(b, MailBuild) for b in builds)
    for build in builds[:20]:  # warm caches (templates, VTIMEZONE, catalogues)
        build()
    timings = {}
    for label, work in (
        ("render incl. .ics", lambda b: renderer.render(b.kind, b.event, b.recipient, b.occasion)),
        ("render + standard-library build + serialise", lambda b: message_bytes(standard(b))),
        ("render + fast build (MailBuild())", lambda b: b()),
    ):
        started = time.perf_counter()
        for build in builds:
            work(build)
        timings[label] = (time.perf_counter() - started) / count * 1000
    for label, ms in timings.items():
        print(f"  single thread, {label}: {ms:.3f} ms/mail")


def print_load(when: str) -> None:
    one, five, fifteen = os.getloadavg()
    print(f"  load average ({when}): {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mails", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=4, help="workers for (a) and (b)")
    parser.add_argument("--distant-workers", type=int, default=16, help="workers for (c)")
    parser.add_argument("--distant-naive-subset", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of (a); medians are reported")
    parser.add_argument("--skip", default="", help="letters of parts to skip, e.g. 'bc'")
    args = parser.parse_args()
    renderer = MailRenderer()
    print(
        f"mail throughput benchmark: {args.mails} personalised mails (text + HTML + .ics), "
        f"aiosmtpd on 127.0.0.1 in a separate process; {os.cpu_count()} CPUs"
    )
    sample = make_jobs(renderer, 1, "sample")[0].build
    assert isinstance(sample, MailBuild)
    standard_size, fast_size = len(message_bytes(standard(sample))), len(sample().data)
    print(f"one message: {standard_size:,} bytes standard, {fast_size:,} fast")
    print_build_times(renderer)
    print_load("start")

    if "a" not in args.skip:
        with smtp_server_process(ServerBehaviour(record_messages=False)) as server:
            naive_rates, par_rates, ratios = [], [], []
            for rep in range(args.repeat):
                naive = naive_loop(server, make_jobs(renderer, args.mails, f"naive{rep}"))
                par, _ = parallel(server, make_jobs(renderer, args.mails, f"par{rep}"), args.workers)
                naive_rates.append(naive)
                par_rates.append(par)
                ratios.append(par / naive)
                print(
                    f"  (a) run {rep + 1}: naive {naive:7.1f} mails/s, ParallelSender({args.workers}) "
                    f"{par:7.1f} mails/s, ratio {par / naive:.2f}"
                )
            # Same comparison with the messages built beforehand: what connection reuse alone gives.
            pre_jobs = make_jobs(renderer, args.mails, "pre")
            prebuilt = [SendJob(j.job_id, _Prebuilt(j.build())) for j in pre_jobs]  # type: ignore[arg-type]
            naive_pre = naive_loop(server, prebuilt)
            par_pre, _ = parallel(server, prebuilt, args.workers)
            print(
                f"  (a0) messages built beforehand (transport only): naive {naive_pre:.1f} mails/s, "
                f"ParallelSender({args.workers}) {par_pre:.1f} mails/s, ratio {par_pre / naive_pre:.2f}"
            )
            stats = server.stats()
            print(
                f"(a) naive loop {statistics.median(naive_rates):.1f} mails/s; "
                f"ParallelSender(workers={args.workers}) "
                f"{statistics.median(par_rates):.1f} mails/s; ratio (median of {args.repeat}) "
                f"{statistics.median(ratios):.2f}  [target >= 2.5]  "
                f"(server accepted {stats['accepted']}, connections {stats['connections']})"
            )
            print_load("after (a)")

    if "b" not in args.skip:
        with smtp_server_process(ServerBehaviour(record_messages=False)) as server:
            _, seconds = parallel(server, make_jobs(renderer, args.mails, "rate"), args.workers, rate=50 * 60)
            bound = args.mails / 50
            print(
                f"(b) rate limit 50 mails/s: {args.mails} mails in {seconds:.2f} s "
                f"(lower bound {bound:.0f} s, target <= {1.1 * bound:.0f} s)"
            )
            print_load("after (b)")

    if "c" not in args.skip:
        with smtp_server_process(ServerBehaviour(record_messages=False, reply_delay=0.05)) as server:
            subset = min(args.distant_naive_subset, args.mails)
            naive = naive_loop(server, make_jobs(renderer, subset, "dnaive"))
            par, seconds = parallel(server, make_jobs(renderer, args.mails, "dpar"), args.distant_workers)
            print(
                f"(c) 50 ms per SMTP reply: naive loop {naive:.2f} mails/s (measured on {subset} mails, "
                f"extrapolated to {args.mails}: {args.mails / naive:.0f} s); ParallelSender(workers="
                f"{args.distant_workers}) {par:.1f} mails/s ({args.mails} mails in {seconds:.1f} s); "
                f"ratio {par / naive:.1f}  [target >= 10]"
            )
            print_load("after (c)")


if __name__ == "__main__":
    main()
