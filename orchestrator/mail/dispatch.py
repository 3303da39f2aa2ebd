"""Dispatcher: one pass sends every due outbox row of an event, in parallel, exactly once.

Per pass: apply the crash rule to expired leases, skip rows whose deadline passed, then claim due
rows in short transactions (batches) and feed them to :class:`~orchestrator.mail.sender.ParallelSender`.
Each worker thread checks that enough of the batch's lease is left, renders and builds its
message (or has a :class:`~orchestrator.mail.render_pool.RenderPool` process do it) and hands it to
its own reused transport connection. The delivering step (SMTP's final
dot and its reply) happens inside a :class:`~orchestrator.mail.transports.base.Handover` that
admits at most ``max_unconfirmed`` messages of this process at a time and commits the row as
``sent`` before it lets the next one in: after a crash at most that many messages (default one)
can have been delivered without the store knowing; see :mod:`orchestrator.mail.outbox` for the
crash rule. 4xx answers are retried later with backoff, 5xx answers fail that row with the
server's reason while the rest continue. A stop request (SIGTERM) ends the pass after the messages
in flight; rows claimed but not started are given back.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor, Future
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from orchestrator.agenda import Agenda
from orchestrator.breakouts.queries import assignments_for_round
from orchestrator.clock import Clock, SystemClock
from orchestrator.db.models import Event, OutboxMessage, Person, ZoomRegistration
from orchestrator.db.models.person import PersonStatus
from orchestrator.errors import OrchestratorError
from orchestrator.events import agenda_of
from orchestrator.i18n import get_language
from orchestrator.mail import outbox
from orchestrator.mail.compose import event_info, occasion_of, recipient_from
from orchestrator.mail.deadlines import round_of
from orchestrator.mail.dispatch_config import DispatchConfig
from orchestrator.mail.marks import WorkerMarks
from orchestrator.mail.outbox import Reason
from orchestrator.mail.planner import registration_usable
from orchestrator.mail.prepared import PreparedMessage
from orchestrator.mail.render import EventInfo, MailRenderer
from orchestrator.mail.render_pool import BuildFailed, MailOrder, RenderPool, build_message
from orchestrator.mail.results import DispatchFailure
from orchestrator.mail.sender import Deferred, Failed, Outcome, ParallelSender, SendJob, Sent
from orchestrator.mail.transports.base import SendResult, Transport

log = logging.getLogger(__name__)


@dataclass
class DispatchReport:
    """What a pass did, filled in while it runs (see :class:`~orchestrator.mail.results.SendDueResult`)."""

    event: str
    resent_after_crash: int = 0
    skipped_overdue: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    cancelled: int = 0
    lease_ran_short: int = 0
    released: int = 0
    sent_by_occasion: dict[str, int] = field(default_factory=dict)
    failures: list[DispatchFailure] = field(default_factory=list)
    seconds: float = 0.0


class LeaseRanShort(OrchestratorError):
    """Less than half of the batch's lease is left: the row is given back, not sent (see outbox)."""


@dataclass(frozen=True)
class _RowBuild:
    """``SendJob.build`` for one row: check the lease, then render + MIME in the worker."""

    dispatcher: Dispatcher
    row_id: int
    send_before: datetime
    order: MailOrder  # its date and language are set when the worker builds it

    def __call__(self) -> PreparedMessage:
        d = self.dispatcher
        now = _check_lease(d, self.row_id, self.send_before)
        assert isinstance(d.renderer, MailRenderer)
        return build_message(d.renderer, replace(self.order, date=now, ui_language=get_language()))


@dataclass(frozen=True)
class _PooledBuild:
    """``SendJob.build`` for one row whose mail a render process builds with its chunk."""

    dispatcher: Dispatcher
    row_id: int
    send_before: datetime
    chunk: Future[list[PreparedMessage | BuildFailed]]
    index: int

    def __call__(self) -> PreparedMessage:
        _check_lease(self.dispatcher, self.row_id, self.send_before)
        try:
            built = self.chunk.result()[self.index]
        except BrokenExecutor:
            # A render process died (killed, out of memory): nothing was sent, the row goes back
            # like one whose lease ran short, and the pool starts new processes for the next pass.
            self.dispatcher.note_lease_ran_short(self.row_id)
            raise LeaseRanShort(f"the render process of outbox row {self.row_id} ended") from None
        if isinstance(built, BuildFailed):
            if built.expected:
                raise OrchestratorError(built.message)
            raise RuntimeError(built.message)
        return built


def _check_lease(d: Dispatcher, row_id: int, send_before: datetime) -> datetime:
    """The clock's time, unless less than half of the batch's lease is left (then the row goes back)."""
    now = d.clock.now()
    if now >= send_before:
        d.note_lease_ran_short(row_id)
        raise LeaseRanShort(f"lease of outbox row {row_id} ran short")
    return now


_POOL_CHUNK = 25


@functools.cache
def delivery_gate(width: int) -> threading.BoundedSemaphore:
    """The gate in front of the delivering step, one per process (and width) for every dispatcher."""
    return threading.BoundedSemaphore(width)


class _Delivery:
    """The :class:`Handover` of one row: through the process's gate, recorded sent inside it."""

    __slots__ = ("_dispatcher", "_gate", "_row_id")

    def __init__(self, dispatcher: Dispatcher, gate: threading.BoundedSemaphore, row_id: int) -> None:
        self._dispatcher = dispatcher
        self._gate = gate
        self._row_id = row_id

    def __enter__(self) -> None:
        self._gate.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._gate.release()

    def delivered(self, result: SendResult) -> None:
        self._dispatcher.record_sent(self._row_id, result.message_id)


class Dispatcher:
    """Sends due outbox rows; one instance may serve many passes (not two at the same time)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        renderer: MailRenderer | RenderPool,
        transport_factory: Callable[[], Transport],
        config: DispatchConfig,
        *,
        send_clock: Clock | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.renderer = renderer  # a pool: its processes render, not the send threads
        self.config = config
        self._transport_factory = transport_factory
        # The provider's rate limit is real time, also when the business clock is virtual.
        self._send_clock = send_clock or SystemClock()
        self.stop = stop or threading.Event()
        self._lock = threading.Lock()
        self._lease_short: set[int] = set()
        self._unmarked: dict[int, str] = {}
        self._gate = delivery_gate(config.max_unconfirmed)
        self._engine: Engine = sessions.kw["bind"]
        self._domain = config.domain
        self._marks = WorkerMarks(self._engine)

    # -- called from worker threads -------------------------------------------------------------
    def note_lease_ran_short(self, row_id: int) -> None:
        with self._lock:
            self._lease_short.add(row_id)

    def record_sent(self, row_id: int, message_id: str) -> None:
        """In a worker, inside the delivery gate: the server accepted ``row_id``; commit it as sent."""
        try:
            self._marks.sent(row_id, self.clock.now(), message_id)
        except Exception:  # SQLAlchemy or driver errors: the worker must go on
            # The main thread retries after the pass; if that fails too the crash rule applies.
            log.warning("could not record a sent mail", extra={"outbox_id": row_id})
            with self._lock:
                self._unmarked[row_id] = message_id

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
            report.resent_after_crash = outbox.recover_expired(session, now)
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
                self._transport_factory,
                workers=self.config.workers,
                rate_limit_per_minute=self.config.rate_per_minute,
                clock=self._send_clock,
            )
            try:
                sender.send_all(
                    self._jobs(session, event, agenda, info, tokens, occasion_of_row, report), on_result
                )
            finally:
                self._marks.close()
                # Sent rows whose mark failed in the worker first, so the release leaves them alone.
                with self._lock:
                    unmarked, self._unmarked = self._unmarked, {}
                for row_id, message_id in unmarked.items():
                    outbox.mark_sent(session, row_id, self.clock.now(), message_id)
                session.commit()
                with self.sessions.begin() as release_session:
                    report.released = sum(outbox.release(release_session, token) for token in tokens)
            report.sent_by_occasion = dict(sent_by)
        report.seconds = time.perf_counter() - started
        with self._lock:
            self._lease_short.clear()
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
            claimed_at = self.clock.now()
            ids = outbox.claim_due(
                session,
                event.id,
                claimed_at,
                lease=self.config.lease,
                limit=self._claim_size(),
                token=token,
            )
            session.commit()
            send_before = claimed_at + self.config.lease / 2
            if not ids:
                return
            tokens.append(token)
            # Plain column rows, not ORM objects: loading thousands of instances costs more CPU
            # (under the GIL the send workers share) than rendering the mails.
            rows = session.execute(
                select(
                    OutboxMessage.id,
                    OutboxMessage.kind,
                    OutboxMessage.occasion,
                    Person.id.label("person_id"),
                    Person.status,
                    Person.email,
                    Person.email_display,
                    Person.first_name,
                    Person.last_name,
                    Person.language,
                    ZoomRegistration.state.label("registration_state"),
                    ZoomRegistration.zoom_status,
                    ZoomRegistration.join_url,
                )
                .join(Person, Person.id == OutboxMessage.person_id)
                .outerjoin(ZoomRegistration, ZoomRegistration.person_id == Person.id)
                .where(OutboxMessage.id.in_(ids))
                .order_by(OutboxMessage.due_at, OutboxMessage.id)
            ).all()
            session.commit()
            orders: list[tuple[int, MailOrder]] = []
            for row in rows:
                if self.stop.is_set():
                    return
                room: str | None = None
                reason: str | None = None
                if row.status != PersonStatus.ACTIVE:
                    reason = Reason.PERSON_CANCELLED
                elif not registration_usable(row.registration_state, row.zoom_status, row.join_url):
                    reason = Reason.NOT_REGISTERED
                elif row.kind == "breakout_room":
                    number = round_of(row.occasion)
                    if number not in rooms:
                        rooms[number] = assignments_for_round(session, event.id, number)
                        session.commit()
                    room = rooms[number].get(row.person_id)
                    reason = None if room else Reason.NO_ROOM
                if reason is not None:
                    outbox.mark_cancelled(session, row.id, reason)
                    session.commit()
                    report.cancelled += 1
                    continue
                message_id = outbox.message_id_for(row.id, event.key, self._domain)
                occasion_of_row[row.id] = row.occasion
                recipient = recipient_from(
                    agenda,
                    email=row.email_display or row.email,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    language=row.language,
                    join_url=row.join_url,
                )
                occasion = occasion_of(row.kind, row.occasion, agenda, room)
                order = MailOrder(
                    row.kind,
                    info,
                    recipient,
                    occasion,
                    message_id=message_id,
                    sender=self.config.sender,
                    reply_to=self.config.reply_to,
                    date=claimed_at,
                    ui_language=get_language(),
                )
                orders.append((row.id, order))
            yield from self._send_jobs(orders, send_before)

    def _send_jobs(self, orders: list[tuple[int, MailOrder]], send_before: datetime) -> Iterator[SendJob]:
        """One job per row; with a render pool, its processes build the mails in chunks meanwhile."""
        pool = self.renderer if isinstance(self.renderer, RenderPool) else None
        # Small chunks: the first mails are ready soon, and the pool works while the threads send.
        for start in range(0, len(orders), _POOL_CHUNK):
            chunk = orders[start : start + _POOL_CHUNK]
            built = pool.build_many([o for _, o in chunk]) if pool is not None else None
            for index, (row_id, order) in enumerate(chunk):
                if self.stop.is_set():
                    return
                build: Callable[[], PreparedMessage] = (
                    _PooledBuild(self, row_id, send_before, built, index)
                    if built is not None
                    else _RowBuild(self, row_id, send_before, order)
                )
                yield SendJob(row_id, build, _Delivery(self, self._gate, row_id))

    def _claim_size(self) -> int:
        """Rows per claim: no more than the provider's rate lets us send in half a lease."""
        size = self.config.batch_size
        if self.config.rate_per_minute:
            half_lease_minutes = self.config.lease.total_seconds() / 120
            size = min(size, max(1, int(self.config.rate_per_minute * half_lease_minutes)))
        return size

    def _record(self, session: Session, row_id: int, outcome: Outcome, report: DispatchReport) -> None:
        """Record a worker's outcome in this (the calling) thread."""
        now = self.clock.now()
        with self._lock:
            lease_short = row_id in self._lease_short
        if isinstance(outcome, Sent):
            report.sent += 1  # recorded in the store by the worker (see record_sent)
            return
        if lease_short:
            report.lease_ran_short += 1  # still claimed by us: given back at the end of the pass
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
                report.failures.append(DispatchFailure(row_id, outcome.reason, outcome.code))
            else:
                report.deferred += 1
        elif isinstance(outcome, Failed):
            outbox.mark_failed(session, row_id, _reason(outcome.code, outcome.reason))
            report.failed += 1
            report.failures.append(DispatchFailure(row_id, outcome.reason, outcome.code))
            log.warning(
                "mail failed", extra={"outbox_id": row_id, "code": outcome.code, "stage": outcome.stage}
            )
        session.commit()


def _reason(code: int | None, reason: str) -> str:
    return reason if code is None or str(code) in reason else f"{code} {reason}"
