"""ParallelSender: builds in workers, reuses connections, reports outcomes, honours the rate limit."""

from __future__ import annotations

import itertools
import logging
import random
import threading
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path

import pytest

from orchestrator.clock import FrozenClock
from orchestrator.mail import (
    Deferred,
    EventInfo,
    Failed,
    MailBuild,
    MailRenderer,
    Outcome,
    ParallelSender,
    Recipient,
    SendJob,
    Sent,
    provider_pacer,
)
from orchestrator.mail.outbox import backoff_delay
from orchestrator.mail.prepared import OutgoingMail, as_prepared
from orchestrator.mail.transports import EmlDirectoryTransport, SendResult, SmtpTransport
from tests.support.smtp_servers import ServerBehaviour, free_port, smtp_server

from .conftest import SENDER


def _jobs(renderer: MailRenderer, event: EventInfo, addresses: list[str]) -> list[SendJob]:
    jobs = []
    for i, address in enumerate(addresses):
        person = Recipient(
            address, "Vorname", f"Nachname {i}", "de" if i % 2 else "en", f"https://zoom.us/w/1?tk=SECRET{i}"
        )
        build = MailBuild(
            renderer, "confirmation", event, person, None, SENDER, f"<outbox-{i}@fachtag.example.org>"
        )
        jobs.append(SendJob(job_id=i, build=build))
    return jobs


class Collect:
    def __init__(self) -> None:
        self.outcomes: dict[object, Outcome] = {}
        self.threads: set[int] = set()

    def __call__(self, job_id: object, outcome: Outcome) -> None:
        self.threads.add(threading.get_ident())
        self.outcomes[job_id] = outcome


def test_parallel_smtp_mixed_outcomes(
    renderer: MailRenderer, event: EventInfo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="orchestrator")
    addresses = [f"p{i}@example.org" for i in range(40)]
    addresses[5] = "gone@example.org"
    addresses[17] = "busy@example.org"
    behaviour = ServerBehaviour(
        refuse_rcpt={
            "gone@example.org": (550, "5.1.1 No such user"),
            "busy@example.org": (451, "4.7.1 Greylisted"),
        }
    )
    with smtp_server(behaviour) as server:
        sender = ParallelSender(
            lambda: SmtpTransport(server.host, server.port, security="none", timeout=5), workers=4
        )
        collect = Collect()
        report = sender.send_all(_jobs(renderer, event, addresses), collect)

        assert (report.sent, report.deferred, report.failed) == (38, 1, 1)
        assert collect.threads == {threading.get_ident()}  # callbacks run in the caller's thread
        assert isinstance(collect.outcomes[5], Failed) and collect.outcomes[5].code == 550
        assert collect.outcomes[5].stage == "send" and "5.1.1 No such user" in collect.outcomes[5].reason
        assert isinstance(collect.outcomes[17], Deferred) and collect.outcomes[17].code == 451
        sent = [o for o in collect.outcomes.values() if isinstance(o, Sent)]
        assert {o.result.message_id for o in sent} == {
            f"<outbox-{i}@fachtag.example.org>" for i in range(40) if i not in (5, 17)
        }
        assert len(server.messages) == 38
        assert 1 <= server.stats.connections <= 4  # each worker reuses its own connection
    ours = [r for r in caplog.records if r.name.startswith("orchestrator")]
    assert ours  # the transport did log (debug), yet never a join URL
    assert not any("SECRET" in r.getMessage() or "SECRET" in str(r.__dict__) for r in ours)


def test_build_failure_is_reported_and_others_continue(
    tmp_path: Path, renderer: MailRenderer, event: EventInfo
) -> None:
    jobs = _jobs(renderer, event, ["a@example.org", "b@example.org"])
    evil = Recipient("c@example.org", "Eva\r\nBcc: x@example.net", "M", "de", "https://zoom.us/w/1")
    jobs.append(SendJob("evil", MailBuild(renderer, "confirmation", event, evil, None, SENDER, "<e@x.org>")))

    def explode() -> Message:
        raise RuntimeError("boom")

    jobs.append(SendJob("explode", explode))
    collect = Collect()
    report = ParallelSender(lambda: EmlDirectoryTransport(tmp_path), workers=2).send_all(jobs, collect)
    assert (report.sent, report.failed) == (2, 2)
    assert isinstance(collect.outcomes["evil"], Failed) and collect.outcomes["evil"].stage == "build"
    assert "line break" in collect.outcomes["evil"].reason
    assert collect.outcomes["explode"] == Failed(None, "Building the mail failed: RuntimeError", "build")
    assert len(list(tmp_path.glob("*.eml"))) == 2


def test_server_down_defers_everything_without_hammering(renderer: MailRenderer, event: EventInfo) -> None:
    port = free_port()
    opened: list[int] = []

    def factory() -> SmtpTransport:
        opened.append(1)
        return SmtpTransport("127.0.0.1", port, security="none", timeout=2)

    collect = Collect()
    report = ParallelSender(factory, workers=2).send_all(
        _jobs(renderer, event, [f"p{i}@example.org" for i in range(30)]), collect
    )
    assert report.deferred == 30 and report.sent == 0
    assert all(isinstance(o, Deferred) and "Cannot connect" in o.reason for o in collect.outcomes.values())
    assert len(opened) <= 4  # gives up after a few refused connections


class RecordingTransport:
    """Records the (frozen) clock time of every send."""

    def __init__(self, clock: FrozenClock, log: list[datetime]) -> None:
        self.clock = clock
        self.log = log

    def open(self) -> None:
        return None

    def send(self, msg: OutgoingMail) -> SendResult:
        self.log.append(self.clock.now())
        return SendResult(as_prepared(msg).message_id, (), "250 OK")

    def close(self) -> None:
        return None


def test_rate_limit_spaces_sends(renderer: MailRenderer, event: EventInfo, clock: FrozenClock) -> None:
    times: list[datetime] = []
    sender = ParallelSender(
        lambda: RecordingTransport(clock, times), workers=1, rate_limit_per_minute=120, clock=clock
    )
    start = clock.now()
    report = sender.send_all(_jobs(renderer, event, [f"p{i}@example.org" for i in range(10)]), Collect())
    assert report.sent == 10
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert gaps == [pytest.approx(0.5)] * 9  # 120/min = one every 0.5 s
    assert times[0] == start


def test_provider_pacer_reserves_distinct_slots_across_threads(clock: FrozenClock) -> None:
    limiter = provider_pacer(600, clock, burst=1)  # one per 0.1 s
    slots: list[float] = []
    lock = threading.Lock()

    def reserve() -> None:
        slot = limiter.reserve()
        with lock:
            slots.append(slot)

    threads = [threading.Thread(target=reserve) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=5)
    # every caller got its own slot, 0.1 s apart, the first one at once
    assert sorted(round(s, 6) for s in slots) == [pytest.approx(0.1 * k, abs=1e-5) for k in range(8)]


def test_provider_pacer_burst(clock: FrozenClock) -> None:
    limiter = provider_pacer(60, clock, burst=3)
    start = clock.now()
    for _ in range(5):
        limiter.acquire()
    # three at once, then one per second
    assert clock.now() - start == timedelta(seconds=2)


def test_backoff_delay() -> None:
    assert [backoff_delay(n, jitter=0).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff_delay(20, jitter=0) == timedelta(hours=1)
    jittered = backoff_delay(2, rng=random.Random(7)).total_seconds()
    assert 108 <= jittered <= 132 and jittered != 120
    with pytest.raises(ValueError):
        backoff_delay(0)


def test_eml_transport_through_sender_is_idempotent(
    tmp_path: Path, renderer: MailRenderer, event: EventInfo
) -> None:
    jobs = _jobs(renderer, event, [f"p{i}@example.org" for i in range(6)])
    sender = ParallelSender(lambda: EmlDirectoryTransport(tmp_path), workers=3)
    sender.send_all(jobs, Collect())
    sender.send_all(jobs, Collect())  # a retry of the same rows
    assert len(list(tmp_path.glob("*.eml"))) == 6
    assert not list(tmp_path.glob(".tmp-*"))


def test_frozen_clock_is_not_real_time(clock: FrozenClock) -> None:
    assert clock.now() == datetime(2025, 8, 1, 8, 0, tzinfo=UTC)
