"""Dispatcher: one pass sends every due outbox row of an event, in parallel, exactly once.

Per pass: apply the crash rule to expired leases, skip rows whose deadline passed, then claim due
rows in short transactions (batches) and feed them to :class:`~orchestrator.mail.sender.ParallelSender`.
Each worker thread renders and builds its message, marks the row ``sending`` (conditional on its
claim) — in the same commit recording its previous accepted message as ``sent`` — and hands it to
its own reused transport connection; see :mod:`orchestrator.mail.outbox` for the crash rule. 4xx
answers are retried later with backoff, 5xx answers fail that row with the server's reason while
the rest continue. A stop request (SIGTERM) ends the pass after the messages in flight; rows
claimed but not started are given back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from orchestrator.agenda import Agenda
from orchestrator.breakouts.queries import assignments_for_round
from orchestrator.clock import Clock, SystemClock
from orchestrator.db.models import Event, OutboxMessage, Person, ZoomRegistration
from orchestrator.events import agenda_of
from orchestrator.mail import outbox
from orchestrator.mail.compose import event_info, occasion_of, recipient_of
from orchestrator.mail.deadlines import round_of
from orchestrator.mail.fastmime import build_prepared
from orchestrator.mail.marks import WorkerMarks
from orchestrator.mail.outbox import Reason
from orchestrator.mail.planner import can_receive
from orchestrator.mail.prepared import OutgoingMail, PreparedMessage
from orchestrator.mail.render import EventInfo, MailRenderer, Occasion, Recipient
from orchestrator.mail.sender import Deferred, Failed, Outcome, ParallelSender, SendJob, Sent
from orchestrator.mail.transports.base import SendResult, Transport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchConfig:
    """How the dispatcher sends (from settings)."""

    sender: str
    reply_to: str | None = None
    workers: int = 4
    rate_per_minute: float | None = None
    lease: timedelta = timedelta(minutes=5)
    batch_size: int = 200
    max_attempts: int = 8
    message_id_domain: str | None = None

    @property
    def domain(self) -> str:
        return self.message_id_domain or outbox.domain_of(self.sender)


@dataclass
class DispatchReport:
    event: str
    recovered_claimed: int = 0
    resent_after_crash: int = 0
    skipped_overdue: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    cancelled: int = 0
    taken_by_other: int = 0
    released: int = 0
    sent_by_occasion: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "recovered_claimed": self.recovered_claimed,
            "resent_after_crash": self.resent_after_crash,
            "skipped_overdue": dict(self.skipped_overdue),
            "sent": self.sent,
            "deferred": self.deferred,
            "failed": self.failed,
            "cancelled": self.cancelled,
            "taken_by_other": self.taken_by_other,
            "released": self.released,
            "sent_by_occasion": dict(self.sent_by_occasion),
            "failures": list(self.failures),
            "seconds": round(self.seconds, 3),
        }


class LeaseLost(Exception):
    """Another dispatcher took the row over (our lease expired); this worker must not send it."""


@dataclass(frozen=True)
class _RowBuild:
    """``SendJob.build`` for one row: render + MIME in the worker, then mark the row ``sending``."""

    dispatcher: Dispatcher
    row_id: int
    token: str
    kind: str
    event: EventInfo
    recipient: Recipient
    occasion: Occasion
    message_id: str

    def __call__(self) -> PreparedMessage:
        d = self.dispatcher
        rendered = d.renderer.render(self.kind, self.event, self.recipient, self.occasion)
        msg = build_prepared(
            rendered,
            sender=d.config.sender,
            recipient=self.recipient,
            message_id=self.message_id,
            reply_to=d.config.reply_to,
            date=d.clock.now(),
        )
        claimed = d.mark_sending(self.row_id, self.token, self.message_id)
        if not claimed:
            d.note_lost(self.row_id)
            raise LeaseLost(self.row_id)
        return msg


class _MarkingTransport:
    """Wraps a transport: reports each accepted message (and the end of the worker) to the dispatcher."""

    def __init__(
        self, inner: Transport, on_accepted: Callable[[str], None], on_close: Callable[[], None]
    ) -> None:
        self.inner = inner
        self._on_accepted = on_accepted
        self._on_close = on_close

    def open(self) -> None:
        self.inner.open()

    def send(self, msg: OutgoingMail) -> SendResult:
        result = self.inner.send(msg)
        self._on_accepted(result.message_id)
        return result

    def close(self) -> None:
        try:
            self.inner.close()
        finally:
            self._on_close()


class Dispatcher:
    """Sends due outbox rows; one instance may serve many passes (not two at the same time)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        renderer: MailRenderer,
        transport_factory: Callable[[], Transport],
        config: DispatchConfig,
        *,
        send_clock: Clock | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.renderer = renderer
        self.config = config
        self._transport_factory = transport_factory
        # The provider's rate limit is real time, also when the business clock is virtual.
        self._send_clock = send_clock or SystemClock()
        self.stop = stop or threading.Event()
        self._lock = threading.Lock()
        self._row_of_message: dict[str, int] = {}
        self._lost: set[int] = set()
        self._unmarked: set[int] = set()
        self._local = threading.local()
        self._engine: Engine = sessions.kw["bind"]
        self._domain = config.domain
        # SQLite has one writer at a time and its busy handler sleeps in steps of milliseconds when
        # workers collide; taking turns in-process is much faster. PostgreSQL needs no such lock.
        self._marks = WorkerMarks(self._engine)
        self._write_lock: threading.Lock | None = (
            threading.Lock() if self._engine.dialect.name == "sqlite" else None
        )

    # -- called from worker threads -------------------------------------------------------------
    def note_lost(self, row_id: int) -> None:
        with self._lock:
            self._lost.add(row_id)

    def mark_sending(self, row_id: int, token: str, message_id: str) -> bool:
        """In a worker: record this thread's last accepted message as sent and mark ``row_id`` sending.

        Both go into one commit, so each worker connection has at most one message that the server
        accepted but the store does not know as sent: the bound of the crash rule.
        """
        now = self.clock.now()
        pending = getattr(self._local, "pending", None)
        with self._worker_marks() as marks:
            claimed = marks.record(
                sent_row=pending,
                sending_row=row_id,
                token=token,
                message_id=message_id,
                now=now,
                lease=self.config.lease,
            )
        self._local.pending = None
        return claimed

    @contextmanager
    def _worker_marks(self) -> Iterator[WorkerMarks]:
        """The marks, one writer at a time on SQLite."""
        with self._write_lock or nullcontext():
            yield self._marks

    def _accepted(self, message_id: str) -> None:
        """In a worker: the server accepted ``message_id``; recorded with the next mark or at close."""
        with self._lock:
            row_id = self._row_of_message.get(message_id)
        if row_id is not None:
            self._local.pending = row_id

    def _flush(self) -> None:
        """In a worker, when its transport closes: record its last accepted message as sent."""
        pending: int | None = getattr(self._local, "pending", None)
        try:
            if pending is not None:
                with self._worker_marks() as marks:
                    marks.record(sent_row=pending, sending_row=None, now=self.clock.now())
                self._local.pending = None
        except Exception:  # SQLAlchemy or driver errors: the worker must still end cleanly
            # The main thread retries after the pass; if that fails too the crash rule applies.
            log.warning("could not record a sent mail", extra={"outbox_id": pending})
            if pending is not None:
                with self._lock:
                    self._unmarked.add(pending)

    # -- one pass ----------------------------------------------------------------------------------
    def dispatch(self, event_id: int) -> DispatchReport:
        """Send everything of ``event_id`` that is due now; returns what happened."""
        started = time.perf_counter()
        with self.sessions() as session:
            event = session.get(Event, event_id)
            if event is None:
                raise ValueError(f"no event {event_id}")
            report = DispatchReport(event=event.key)
            agenda = agenda_of(event)
            now = self.clock.now()
            report.recovered_claimed, report.resent_after_crash = outbox.recover_expired(session, now)
            report.skipped_overdue = outbox.skip_overdue(session, event_id, now)
            session.commit()
            info = event_info(session, event, agenda)
            session.commit()

            tokens: list[str] = []
            occasion_of_row: dict[int, str] = {}
            sent_by: Counter[str] = Counter()

            def on_result(job_id: object, outcome: Outcome) -> None:
                assert isinstance(job_id, int)
                self._record(session, job_id, outcome, report)
                if isinstance(outcome, Sent):
                    sent_by[occasion_of_row[job_id]] += 1

            sender = ParallelSender(
                lambda: _MarkingTransport(self._transport_factory(), self._accepted, self._flush),
                workers=self.config.workers,
                rate_limit_per_minute=self.config.rate_per_minute,
                clock=self._send_clock,
            )
            try:
                sender.send_all(
                    self._jobs(session, event, agenda, info, tokens, occasion_of_row, report), on_result
                )
            finally:
                with self.sessions.begin() as release_session:
                    report.released = sum(outbox.release(release_session, token) for token in tokens)
            with self._lock:
                unmarked, self._unmarked = self._unmarked, set()
            for row_id in unmarked:
                outbox.mark_sent(session, row_id, self.clock.now())
            session.commit()
            report.sent_by_occasion = dict(sent_by)
        report.seconds = time.perf_counter() - started
        with self._lock:
            self._row_of_message.clear()
            self._lost.clear()
        log.info(
            "mail dispatch pass",
            extra={
                "event": report.event,
                "sent": report.sent,
                "deferred": report.deferred,
                "failed": report.failed,
                "seconds": round(report.seconds, 2),
            },
        )
        return report

    def _jobs(
        self,
        session: Session,
        event: Event,
        agenda: Agenda,
        info: EventInfo,
        tokens: list[str],
        occasion_of_row: dict[int, str],
        report: DispatchReport,
    ) -> Iterator[SendJob]:
        rooms: dict[int, dict[int, str]] = {}
        while not self.stop.is_set():
            token = outbox.new_token()
            ids = outbox.claim_due(
                session,
                event.id,
                self.clock.now(),
                lease=self.config.lease,
                limit=self.config.batch_size,
                token=token,
            )
            session.commit()
            if not ids:
                return
            tokens.append(token)
            rows = session.execute(
                select(OutboxMessage, Person, ZoomRegistration)
                .join(Person, Person.id == OutboxMessage.person_id)
                .outerjoin(ZoomRegistration, ZoomRegistration.person_id == Person.id)
                .where(OutboxMessage.id.in_(ids))
                .order_by(OutboxMessage.due_at, OutboxMessage.id)
            ).all()
            session.commit()
            for row, person, registration in rows:
                if self.stop.is_set():
                    return
                room: str | None = None
                reason: str | None = None
                if not can_receive(person, registration):
                    reason = Reason.PERSON_CANCELLED if not person.is_active else Reason.NOT_REGISTERED
                elif row.kind == "breakout_room":
                    number = round_of(row.occasion)
                    if number not in rooms:
                        rooms[number] = assignments_for_round(session, event.id, number)
                        session.commit()
                    room = rooms[number].get(person.id)
                    reason = None if room else Reason.NO_ROOM
                if reason is not None:
                    outbox.mark_cancelled(session, row.id, reason)
                    session.commit()
                    report.cancelled += 1
                    continue
                message_id = outbox.message_id_for(row.id, event.key, self._domain)
                with self._lock:
                    self._row_of_message[message_id] = row.id
                occasion_of_row[row.id] = row.occasion
                yield SendJob(
                    row.id,
                    _RowBuild(
                        self,
                        row.id,
                        token,
                        row.kind,
                        info,
                        recipient_of(person, registration, agenda),
                        occasion_of(row.kind, row.occasion, agenda, room),
                        message_id,
                    ),
                )

    def _record(self, session: Session, row_id: int, outcome: Outcome, report: DispatchReport) -> None:
        """Record a worker's outcome in this (the calling) thread."""
        now = self.clock.now()
        with self._lock:
            lost = row_id in self._lost
        if isinstance(outcome, Sent):
            report.sent += 1  # recorded in the store by the worker (see mark_sending)
            return
        if lost:
            report.taken_by_other += 1
            return
        elif isinstance(outcome, Deferred):
            state = outbox.mark_deferred(
                session,
                row_id,
                now,
                _reason(outcome.code, outcome.reason),
                max_attempts=self.config.max_attempts,
            )
            if state == "failed":
                report.failed += 1
                report.failures.append({"id": row_id, "reason": outcome.reason, "code": outcome.code})
            else:
                report.deferred += 1
        elif isinstance(outcome, Failed):
            outbox.mark_failed(session, row_id, _reason(outcome.code, outcome.reason))
            report.failed += 1
            report.failures.append({"id": row_id, "reason": outcome.reason, "code": outcome.code})
            log.warning(
                "mail failed", extra={"outbox_id": row_id, "code": outcome.code, "stage": outcome.stage}
            )
        session.commit()


def _reason(code: int | None, reason: str) -> str:
    return reason if code is None or str(code) in reason else f"{code} {reason}"
