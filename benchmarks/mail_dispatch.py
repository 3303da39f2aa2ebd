"""The real dispatcher: 3,000 outbox rows claimed from the store, rendered (+ .ics), sent, marked.

(a) dispatcher throughput ÷ a naive loop (render + build + a new SMTP connection per mail, one after
    another, no store) in the same run; target >= 2.5
(b) provider limit 50 mails/s: all 3,000 leave within 1.1 x the 60 s bound (<= 66 s)
(c) a server adding 50 ms before every SMTP reply ("distant provider"): dispatcher ÷ naive loop;
    the naive loop runs on a subset and is extrapolated (said so in the output); target >= 10.
    Run with the default of one message between final dot and "sent" record at a time (at most
    one duplicate per crash, which caps the rate at one message per reply round trip) and with
    a raised ``max_unconfirmed`` (at most that many duplicates per crash).

Each dispatcher run starts from 3,000 queued confirmation rows in the store (SQLite file by
default, or --database-url), so the figures include claiming, the per-message "sent" commit
inside the delivery gate and the outcome bookkeeping. aiosmtpd runs in a separate process.
Run: .venv/bin/python benchmarks/mail_dispatch.py [--mails N] [--skip bc] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import smtplib
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import func, select, update  # noqa: E402

from orchestrator.app import App  # noqa: E402
from orchestrator.db.models import Event, OutboxMessage, Person, ZoomRegistration  # noqa: E402
from orchestrator.events import agenda_of  # noqa: E402
from orchestrator.jobs import mail as mail_job  # noqa: E402
from orchestrator.mail.compose import event_info, recipient_of  # noqa: E402
from orchestrator.mail.dispatch import DispatchConfig, Dispatcher  # noqa: E402
from orchestrator.mail.fastmime import build_prepared  # noqa: E402
from orchestrator.mail.render import Occasion  # noqa: E402
from orchestrator.mail.transports import SmtpTransport  # noqa: E402
from tests.support.smtp_servers import ProcessServer, ServerBehaviour, smtp_server_process  # noqa: E402
from tests.unit.mail.stdlib_reference import stdlib_bytes  # noqa: E402
from tests.unit.mail_outbox.support import future_event  # noqa: E402

SENDER = "Forum Seniorenarbeit NRW <info@forum-seniorenarbeit.de>"


def reset_outbox(rt: App) -> int:
    """Every confirmation row back to queued (a fresh batch of due mails)."""
    with rt.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.occasion == "confirmation")
            .values(
                state="queued",
                attempts=0,
                sent_at=None,
                sending_at=None,
                message_id=None,
                claimed_by=None,
                lease_until=None,
                next_attempt_at=None,
                last_error=None,
            )
        )
        session.commit()
        return int(
            session.scalar(
                select(func.count()).where(
                    OutboxMessage.state == "queued", OutboxMessage.occasion == "confirmation"
                )
            )
            or 0
        )


def dispatcher_run(
    rt: App,
    server: ProcessServer,
    workers: int,
    rate: float | None = None,
    max_unconfirmed: int = 1,
) -> tuple[float, float]:
    """One dispatcher pass over the queued rows; returns (mails/s, seconds)."""
    count = reset_outbox(rt)
    with rt.session() as session:
        event_id = session.scalars(select(Event.id)).one()
    config = DispatchConfig(
        sender=SENDER,
        workers=workers,
        rate_per_minute=rate,
        batch_size=200,
        max_unconfirmed=max_unconfirmed,
    )
    dispatcher = Dispatcher(
        rt.sessions,
        rt.clock,
        mail_job.mail_service(rt).renderer(),
        lambda: SmtpTransport(server.host, server.port, security="none", timeout=30),
        config,
    )
    started = time.perf_counter()
    report = dispatcher.dispatch(event_id)
    seconds = time.perf_counter() - started
    if report.sent != count:
        raise SystemExit(f"dispatcher sent {report.sent} of {count}: {report}")
    return count / seconds, seconds


def naive_loop(
    rt: App, server: ProcessServer, limit: int | None = None, *, fast_build: bool = False
) -> float:
    """Render + build + a new SMTP connection per mail, sequentially, no store. Returns mails/s.

    The naive loop builds with the standard library (``email`` package), as a straightforward
    sender would; ``fast_build`` uses our own fast MIME writer instead (a stricter baseline).
    """
    renderer = mail_job.mail_service(rt).renderer()
    with rt.session() as session:
        event = session.scalars(select(Event)).one()
        agenda = agenda_of(event)
        info = event_info(session, event, agenda)
        people = session.execute(
            select(Person, ZoomRegistration).join(ZoomRegistration).order_by(Person.id).limit(limit)
        ).all()
        recipients = [recipient_of(p, r, agenda) for p, r in people]
    started = time.perf_counter()
    for i, recipient in enumerate(recipients):
        rendered = renderer.render("confirmation", info, recipient, Occasion())
        if fast_build:
            prepared = build_prepared(
                rendered, sender=SENDER, recipient=recipient, message_id=f"<naive-{i}@bench>", eight_bit=True
            )
            envelope_from, envelope_to, data = prepared.sender, list(prepared.recipients), prepared.data
        else:
            data = stdlib_bytes(rendered, sender=SENDER, recipient=recipient, message_id=f"<naive-{i}@bench>")
            envelope_from, envelope_to = "info@forum-seniorenarbeit.de", [recipient.email]
        with smtplib.SMTP(server.host, server.port, timeout=30) as conn:
            conn.sendmail(envelope_from, envelope_to, data)
    return len(recipients) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mails", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=8, help="dispatcher workers for (a) and (b)")
    parser.add_argument("--distant-workers", type=int, default=16, help="dispatcher workers for (c)")
    parser.add_argument(
        "--distant-max-unconfirmed",
        type=int,
        default=16,
        help="(c) also runs with this ORCHESTRATOR_MAIL_MAX_UNCONFIRMED (the default, 1, allows "
        "one final dot per reply round trip: about 20 mails/s at 50 ms)",
    )
    parser.add_argument("--distant-naive-subset", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of (a); medians are reported")
    parser.add_argument("--skip", default="", help="letters of parts to skip, e.g. 'bc'")
    parser.add_argument(
        "--database-url", default=None, help="store URL (default: an SQLite file in a temp dir)"
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="mail-dispatch-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'store.db'}"
    rt = future_event(url, tmp, fixture_people=False, extra_people=args.mails)
    planned = mail_job.plan(rt, None)
    print(
        f"mail dispatch benchmark: {args.mails} personalised confirmations (text + HTML + .ics) "
        "from the outbox "
        f"({url.split(':')[0]}), aiosmtpd on 127.0.0.1 in a separate process; {os.cpu_count()} CPUs; "
        f"planned {planned.created} rows"
    )

    if "a" not in args.skip:
        with smtp_server_process(ServerBehaviour(record_messages=False)) as server:
            naive_rates, fast_naive_rates, rates, ratios, fast_ratios = [], [], [], [], []
            for rep in range(args.repeat):
                naive = naive_loop(rt, server)
                fast_naive = naive_loop(rt, server, fast_build=True)
                rate, seconds = dispatcher_run(rt, server, args.workers)
                naive_rates.append(naive)
                fast_naive_rates.append(fast_naive)
                rates.append(rate)
                ratios.append(rate / naive)
                fast_ratios.append(rate / fast_naive)
                print(
                    f"  (a) run {rep + 1}: naive {naive:7.1f} mails/s "
                    f"(with our fast build {fast_naive:7.1f}), "
                    f"dispatcher({args.workers}) {rate:7.1f} mails/s ({seconds:.2f} s), "
                    f"ratio {rate / naive:.2f} (vs fast-build naive {rate / fast_naive:.2f}); "
                    f"load {os.getloadavg()[0]:.2f}"
                )
            stats = server.stats()
            print(
                f"(a) naive loop {statistics.median(naive_rates):.1f} mails/s; "
                f"dispatcher(workers={args.workers}) "
                f"{statistics.median(rates):.1f} mails/s; ratio (median of {args.repeat}) "
                f"{statistics.median(ratios):.2f}  [target >= 2.5]; against a naive loop that uses our fast "
                f"MIME writer ({statistics.median(fast_naive_rates):.1f} mails/s): "
                f"{statistics.median(fast_ratios):.2f}  (server accepted {stats['accepted']}, "
                f"connections {stats['connections']})"
            )

    if "b" not in args.skip:
        with smtp_server_process(ServerBehaviour(record_messages=False)) as server:
            _, seconds = dispatcher_run(rt, server, args.workers, rate=50 * 60)
            bound = args.mails / 50
            print(
                f"(b) rate limit 50 mails/s: {args.mails} mails in {seconds:.2f} s "
                f"(lower bound {bound:.0f} s, target <= {1.1 * bound:.0f} s)"
            )

    if "c" not in args.skip:
        with smtp_server_process(ServerBehaviour(record_messages=False, reply_delay=0.05)) as server:
            subset = min(args.distant_naive_subset, args.mails)
            naive = naive_loop(rt, server, subset)
            print(
                f"(c) 50 ms per SMTP reply: naive loop {naive:.2f} mails/s (measured on {subset} mails, "
                f"extrapolated to {args.mails}: {args.mails / naive:.0f} s)"
            )
            for unconfirmed in (1, args.distant_max_unconfirmed):
                rate, seconds = dispatcher_run(rt, server, args.distant_workers, max_unconfirmed=unconfirmed)
                print(
                    f"    dispatcher(workers={args.distant_workers}, max_unconfirmed={unconfirmed}) "
                    f"{rate:.1f} mails/s ({args.mails} mails in {seconds:.1f} s); ratio {rate / naive:.1f}"
                    "  [target >= 10]"
                )
    rt.close()


if __name__ == "__main__":
    main()
