"""The dispatcher against real SMTP (aiosmtpd on loopback) and the .eml directory."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from orchestrator.clock import FrozenClock
from orchestrator.db.models import OutboxMessage, Person, ZoomRegistration
from orchestrator.events import resolve_event
from orchestrator.jobs import mail as mail_job
from orchestrator.mail.dispatch import Dispatcher
from orchestrator.mail.status import status as outbox_status
from orchestrator.mail.transports import SmtpTransport
from tests.support.smtp_servers import ServerBehaviour, smtp_server
from tests.unit.mail_outbox.support import event_id, event_with_people, states


def _emails(rt, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    with rt.session() as session:
        return list(session.scalars(select(Person.email).order_by(Person.id).limit(count)))


def _confirmation(rt, email: str) -> OutboxMessage:  # type: ignore[no-untyped-def]
    with rt.session() as session:
        return session.scalars(
            select(OutboxMessage)
            .join(Person)
            .where(Person.email == email, OutboxMessage.occasion == "confirmation")
        ).one()


def test_smtp_4xx_retried_later_5xx_failed_with_reason_rest_sent(sqlite_url: str, tmp_path: Path) -> None:
    rt = event_with_people(sqlite_url, tmp_path)
    refused, greylisted, dropped = _emails(rt, 3)
    behaviour = ServerBehaviour(
        refuse_rcpt={
            refused: (550, "5.1.1 No such user"),
            greylisted: (451, "4.7.1 Greylisted, try again"),
            dropped: (421, "4.3.2 Too busy, closing"),
        },
        refuse_times={greylisted: 1, dropped: 1},
    )
    with smtp_server(behaviour) as server:
        factory = lambda: SmtpTransport(server.host, server.port, security="none", timeout=10)  # noqa: E731
        first = mail_job.run(rt, None, transport_factory=factory)
        assert (first.sent, first.deferred, first.failed) == (232, 2, 1)
        assert len(server.messages) == 232
        # One connection per worker, reused (plus a reconnect after the 421).
        assert server.stats.connections <= rt.settings.mail_workers + 1

        failed = _confirmation(rt, refused)
        assert failed.state == "failed" and "550" in (failed.last_error or "")
        assert "No such user" in (failed.last_error or "")
        retry = _confirmation(rt, greylisted)
        assert retry.state == "queued" and retry.attempts == 1 and "451" in (retry.last_error or "")
        assert retry.next_attempt_at is not None and retry.next_attempt_at > rt.clock.now()

        # Not yet time for the retry: nothing goes out.
        assert mail_job.run(rt, None, transport_factory=factory).sent == 0
        rt.clock.advance(timedelta(minutes=5))
        second = mail_job.run(rt, None, transport_factory=factory)
        assert second.sent == 2
        assert len(server.messages) == 234
    ids = [m.parsed()["Message-ID"] for m in server.messages]
    assert len(set(ids)) == 234
    assert states(rt, "confirmation") == {"sent": 234, "failed": 1}
    # The status view lists the failure with the server's reason.
    with rt.session() as session:
        report = outbox_status(session, resolve_event(session, None))
    assert report.by_kind["confirmation"]["failed"] == 1
    failure = report.failures[0]
    assert failure.email == refused and failure.reason is not None and "550" in failure.reason


def test_crash_rule_for_rows_left_claimed_or_sending(sqlite_url: str, tmp_path: Path) -> None:
    rt = event_with_people(sqlite_url, tmp_path)
    mail_job.plan(rt, None)
    a, b = _emails(rt, 2)
    expired = rt.clock.now() - timedelta(seconds=1)
    with rt.session() as session:
        for email, state in ((a, "claimed"), (b, "sending")):
            row = session.scalars(
                select(OutboxMessage)
                .join(Person)
                .where(Person.email == email, OutboxMessage.occasion == "confirmation")
            ).one()
            row.state, row.claimed_by, row.lease_until = state, "dead-process", expired
        session.commit()
    report = mail_job.run(rt, None)
    # Both were held by a dispatcher that died: queued again and sent (at most one per crash can
    # have reached the server before; the delivery gate allows no more).
    assert report.resent_after_crash == 2
    assert report.sent == 235
    assert _confirmation(rt, a).crash_resends == 1
    assert _confirmation(rt, b).crash_resends == 1
    # .eml files are named by the stable Message-ID: sending a row again replaces its file.
    row = _confirmation(rt, b)
    with rt.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id)
            .values(state="claimed", lease_until=expired, claimed_by="dead")
        )
        session.commit()
    before = sorted(p.name for p in rt.settings.mail_eml_dir.iterdir())
    assert mail_job.run(rt, None).resent_after_crash == 1
    assert sorted(p.name for p in rt.settings.mail_eml_dir.iterdir()) == before
    assert len(before) == 235


def test_unexpired_lease_is_left_alone(sqlite_url: str, tmp_path: Path) -> None:
    rt = event_with_people(sqlite_url, tmp_path)
    mail_job.plan(rt, None)
    (a,) = _emails(rt, 1)
    with rt.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.occasion == "confirmation",
                OutboxMessage.person_id.in_(select(Person.id).where(Person.email == a)),
            )
            .values(
                state="claimed",
                claimed_by="other-instance",
                lease_until=rt.clock.now() + timedelta(minutes=5),
            )
        )
        session.commit()
    report = mail_job.run(rt, None)
    assert report.sent == 234 and report.resent_after_crash == 0
    assert _confirmation(rt, a).state == "claimed"


def test_header_injection_refused_at_render_time_others_sent(sqlite_url: str, tmp_path: Path) -> None:
    rt = event_with_people(sqlite_url, tmp_path)
    (victim,) = _emails(rt, 1)
    with rt.session() as session:
        session.execute(
            update(Person).where(Person.email == victim).values(first_name="Eve\r\nBcc: all@example.com")
        )
        session.commit()
    report = mail_job.run(rt, None)
    assert (report.sent, report.failed) == (234, 1)
    row = _confirmation(rt, victim)
    assert row.state == "failed" and "line break" in (row.last_error or "")
    assert not any("Bcc" in p.read_text("utf-8", "replace") for p in rt.settings.mail_eml_dir.iterdir())


def test_join_links_never_logged(sqlite_url: str, tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    rt = event_with_people(sqlite_url, tmp_path)
    with rt.session() as session:
        links = [u for u in session.scalars(select(ZoomRegistration.join_url)) if u]
    caplog.set_level(logging.DEBUG)
    with smtp_server(ServerBehaviour(refuse_rcpt={_emails(rt, 1)[0]: (550, "rejected")})) as server:
        mail_job.run(
            rt, None, transport_factory=lambda: SmtpTransport(server.host, server.port, security="none")
        )
    # aiosmtpd ("mail.log") is the receiving server here; it logs every DATA line it receives.
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]
    assert links and ours
    text = " ".join(r.getMessage() + str(r.__dict__) for r in ours)
    assert not any(link in text for link in links)


def test_stop_finishes_in_flight_and_gives_back_claimed_rows(sqlite_url: str, tmp_path: Path) -> None:
    rt = event_with_people(sqlite_url, tmp_path)
    mail_job.plan(rt, None)
    stop = threading.Event()
    sent = []

    class StoppingTransport:
        def __init__(self) -> None:
            from orchestrator.mail.transports import EmlDirectoryTransport

            self.inner = EmlDirectoryTransport(rt.settings.mail_eml_dir)

        def open(self) -> None:
            self.inner.open()

        def send(self, msg, handover=None):  # type: ignore[no-untyped-def]
            result = self.inner.send(msg, handover)
            sent.append(result.message_id)
            if len(sent) >= 10:
                stop.set()
            return result

        def close(self) -> None:
            self.inner.close()

    dispatcher = Dispatcher(
        rt.sessions,
        rt.clock,
        mail_job.mail_service(rt).renderer(),
        StoppingTransport,
        rt.mail_options().dispatch,
        stop=stop,
    )
    report = dispatcher.dispatch(event_id(rt))
    assert 10 <= report.sent < 235 and report.sent == len(sent)
    assert report.released > 0
    assert states(rt, "confirmation") == {"sent": report.sent, "queued": 235 - report.sent}


class GateWatchingTransport:
    """Counts messages inside the delivering step at once and checks each is stored as sent there."""

    def __init__(self, rt, inside: list[int], peak: list[int], lock: threading.Lock) -> None:  # type: ignore[no-untyped-def]
        from orchestrator.mail.transports import EmlDirectoryTransport

        self.rt, self.inside, self.peak, self.lock = rt, inside, peak, lock
        self.inner = EmlDirectoryTransport(rt.settings.mail_eml_dir)

    def open(self) -> None:
        self.inner.open()

    def send(self, msg, handover=None):  # type: ignore[no-untyped-def]
        assert handover is not None
        outer = self

        class Watching:
            def __enter__(self) -> None:
                handover.__enter__()
                with outer.lock:
                    outer.inside[0] += 1
                    outer.peak[0] = max(outer.peak[0], outer.inside[0])

            def __exit__(self, *exc) -> None:  # type: ignore[no-untyped-def]
                with outer.lock:
                    outer.inside[0] -= 1
                handover.__exit__(*exc)

            def delivered(self, result) -> None:  # type: ignore[no-untyped-def]
                time.sleep(0.001)  # give the other workers a chance to crowd in
                handover.delivered(result)
                with outer.rt.session() as session:  # committed before the gate opens again
                    state = session.scalar(
                        select(OutboxMessage.state).where(OutboxMessage.id == _row_id(result.message_id))
                    )
                    assert state == "sent"

        return self.inner.send(msg, Watching())

    def close(self) -> None:
        self.inner.close()


def _row_id(message_id: str) -> int:
    return int(message_id.removeprefix("<outbox-").split(".", 1)[0])


def test_one_message_at_a_time_in_the_delivering_step_and_recorded_inside(
    sqlite_url: str, tmp_path: Path
) -> None:
    rt = event_with_people(sqlite_url, tmp_path)
    mail_job.plan(rt, None)
    inside, peak, lock = [0], [0], threading.Lock()
    config = replace(rt.mail_options().dispatch, workers=6)
    dispatcher = Dispatcher(
        rt.sessions,
        rt.clock,
        mail_job.mail_service(rt).renderer(),
        lambda: GateWatchingTransport(rt, inside, peak, lock),
        config,
    )
    report = dispatcher.dispatch(event_id(rt))
    assert report.sent == 235 and peak[0] == 1
    assert states(rt, "confirmation") == {"sent": 235}


def test_rows_whose_lease_ran_short_are_given_back_not_sent(sqlite_url: str, tmp_path: Path) -> None:
    rt = event_with_people(sqlite_url, tmp_path)
    mail_job.plan(rt, None)
    clock = rt.clock
    assert isinstance(clock, FrozenClock)
    sent: list[str] = []

    class SlowTransport:
        """Each send takes (virtual) 20 s: after half of the 5-minute lease the batch stops."""

        def open(self) -> None:
            return None

        def send(self, msg, handover=None):  # type: ignore[no-untyped-def]
            from orchestrator.mail.transports import SendResult

            clock.advance(timedelta(seconds=20))
            result = SendResult(msg.message_id, msg.recipients, "250 OK")
            with handover:
                handover.delivered(result)
            sent.append(msg.message_id)
            return result

        def close(self) -> None:
            return None

    config = replace(rt.mail_options().dispatch, workers=1, lease=timedelta(minutes=5))
    dispatcher = Dispatcher(rt.sessions, clock, mail_job.mail_service(rt).renderer(), SlowTransport, config)
    report = dispatcher.dispatch(event_id(rt))
    # Half of the lease is 150 s, at 20 s per mail: 8 of the first claim (200 rows) are sent, the
    # rest given back; the second claim (the other 35, at 160 s) sends 8 more by the same rule.
    assert report.sent == len(sent) == 16
    assert report.lease_ran_short == 219 and report.failed == 0
    assert states(rt, "confirmation") == {"sent": 16, "queued": 219}
    clock.advance(timedelta(minutes=10))  # the next passes send the rest
    while states(rt, "confirmation").get("queued"):
        dispatcher.dispatch(event_id(rt))
    assert len(sent) == len(set(sent)) == 235
