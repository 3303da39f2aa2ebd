"""Parallel send pipeline: N worker threads, each with its own reused transport.

Each job carries a ``build()`` callable; the *worker* builds the message, so building does not
sit single-threaded in front of the sockets. Python threads share one GIL, though, so the build
must also be cheap: :class:`MailBuild` writes wire bytes directly
(:func:`orchestrator.mail.fastmime.build_prepared`, ~0.05 ms instead of ~0.55 ms with the
``email`` package; ``benchmarks/mail_build.py``). A shared rate limiter spaces sends to the
provider's limit. Outcomes are handed to ``on_result`` in the calling thread, so the caller can
update its database session without locking. Retrying deferred messages is the caller's
decision; :func:`orchestrator.mail.outbox.backoff_delay` suggests when.
"""

from __future__ import annotations

import contextvars
import logging
import queue
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Literal

from orchestrator.clock import Clock, SystemClock
from orchestrator.errors import OrchestratorError
from orchestrator.i18n import translate
from orchestrator.mail.fastmime import build_prepared
from orchestrator.mail.prepared import OutgoingMail, PreparedMessage
from orchestrator.mail.render import EventInfo, MailRenderer, Occasion, Recipient
from orchestrator.mail.transports.base import (
    Handover,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
    Transport,
    TransportError,
)
from orchestrator.pacing import Pacer

log = logging.getLogger(__name__)

JobId = Hashable

# After this many failed connection attempts in a row the remaining jobs are deferred untried.
_MAX_OPEN_FAILURES = 3


@dataclass(frozen=True)
class SendJob:
    """One message to send; ``build`` runs in a worker thread, ``handover`` goes to the transport."""

    job_id: JobId
    build: Callable[[], OutgoingMail]
    handover: Handover | None = None


@dataclass(frozen=True)
class Sent:
    result: SendResult
    status: Literal["sent"] = "sent"


@dataclass(frozen=True)
class Deferred:
    """Temporary failure (4xx, connection): send again later (the outbox's ``backoff_delay``)."""

    code: int | None
    reason: str
    status: Literal["deferred"] = "deferred"


@dataclass(frozen=True)
class Failed:
    """Permanent failure: the server refused it (5xx) or the message could not be built."""

    code: int | None
    reason: str
    stage: Literal["build", "send"]
    status: Literal["failed"] = "failed"


Outcome = Sent | Deferred | Failed


@dataclass
class SendReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.sent + self.deferred + self.failed


@dataclass(frozen=True)
class MailBuild:
    """A picklable ``build()`` for :class:`SendJob`: render one mail and write its wire bytes.

    Calling it returns a :class:`PreparedMessage` (the wire bytes and the envelope).
    """

    renderer: MailRenderer
    kind: str
    event: EventInfo
    recipient: Recipient
    occasion: Occasion | None
    sender: str
    message_id: str
    reply_to: str | None = None

    def __call__(self) -> PreparedMessage:
        rendered = self.renderer.render(self.kind, self.event, self.recipient, self.occasion)
        return build_prepared(
            rendered,
            sender=self.sender,
            recipient=self.recipient,
            message_id=self.message_id,
            reply_to=self.reply_to,
        )


def provider_pacer(per_minute: float, clock: Clock, burst: int = 1) -> Pacer:
    """The provider's limit in messages per minute, shared by all workers; ``burst`` slots may be
    used back to back after an idle period."""
    if per_minute <= 0:
        raise ValueError("rate limit must be positive")
    return Pacer(60.0 / per_minute, clock, burst=burst)


class _Exchange:
    """The queues between the calling thread and the workers of one ``send_all``, and its report."""

    def __init__(self, size: int, on_result: Callable[[JobId, Outcome], None]) -> None:
        self.job_q: queue.Queue[SendJob | None] = queue.Queue(maxsize=size)
        self.result_q: queue.SimpleQueue[tuple[JobId, Outcome]] = queue.SimpleQueue()
        self.report = SendReport()
        self._on_result = on_result

    def deliver(self, block: bool) -> int:
        """Hand the finished outcomes to ``on_result``; with ``block``, wait briefly for the first."""
        count = 0
        while True:
            try:
                job_id, outcome = self.result_q.get(block=block and count == 0, timeout=0.05)
            except queue.Empty:
                return count
            count += 1
            setattr(self.report, outcome.status, getattr(self.report, outcome.status) + 1)
            self._on_result(job_id, outcome)

    def put(self, item: SendJob | None) -> int:
        """Queue ``item`` (None: a worker's end), delivering outcomes while the queue is full."""
        delivered = 0
        while True:
            try:
                self.job_q.put(item, timeout=0.05)
                return delivered
            except queue.Full:
                delivered += self.deliver(block=False)

    def close(self, workers: int) -> None:
        """Tell idle workers to end (best effort: a full queue means they are busy anyway)."""
        for _ in range(workers):
            try:
                self.job_q.put_nowait(None)
            except queue.Full:
                break


class ParallelSender:
    """Send many messages over ``workers`` reused transport connections."""

    def __init__(
        self,
        transport_factory: Callable[[], Transport],
        workers: int = 4,
        rate_limit_per_minute: float | None = None,
        clock: Clock | None = None,
        *,
        burst: int = 1,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self._factory = transport_factory
        self.workers = workers
        self._clock: Clock = clock or SystemClock()
        self._limiter = (
            provider_pacer(rate_limit_per_minute, self._clock, burst) if rate_limit_per_minute else None
        )
        self._state_lock = threading.Lock()
        self._open_failures = 0
        self._down_reason: TransportError | None = None

    def send_all(self, jobs: Iterable[SendJob], on_result: Callable[[JobId, Outcome], None]) -> SendReport:
        """Send every job; ``on_result(job_id, outcome)`` is called in this thread for each one."""
        self._open_failures = 0
        self._down_reason = None
        started = time.perf_counter()
        exchange = _Exchange(self.workers * 8, on_result)
        stop = threading.Event()
        # Each worker runs in a copy of the caller's context, so the caller's language (i18n) and
        # other context variables apply to messages built and reported by the workers.
        threads = [
            threading.Thread(
                target=contextvars.copy_context().run,
                args=(self._worker, exchange.job_q, exchange.result_q, stop),
                name=f"mail-sender-{i}",
                daemon=True,
            )
            for i in range(self.workers)
        ]
        for thread in threads:
            thread.start()
        submitted = delivered = 0
        try:
            for job in jobs:
                delivered += exchange.put(job)
                submitted += 1
                delivered += exchange.deliver(block=False)
            for _ in threads:
                delivered += exchange.put(None)
            while delivered < submitted:
                delivered += exchange.deliver(block=True)
        finally:
            if delivered < submitted:  # on_result or the job iterable raised: let workers wind down
                stop.set()
                exchange.close(len(threads))
            for thread in threads:
                thread.join(timeout=60)
        exchange.report.seconds = time.perf_counter() - started
        return exchange.report

    # -- worker side ----------------------------------------------------------------------------
    def _worker(
        self,
        job_q: queue.Queue[SendJob | None],
        result_q: queue.SimpleQueue[tuple[JobId, Outcome]],
        stop: threading.Event,
    ) -> None:
        transport: Transport | None = None
        try:
            while (job := job_q.get()) is not None:
                if stop.is_set():
                    continue
                outcome, transport = self._process(job, transport)
                result_q.put((job.job_id, outcome))
        finally:
            if transport is not None:
                transport.close()

    def _process(self, job: SendJob, transport: Transport | None) -> tuple[Outcome, Transport | None]:
        try:
            msg = job.build()
        except OrchestratorError as exc:
            return Failed(None, exc.message, "build"), transport
        except Exception as exc:  # a broken template or data must not stop the other mails
            log.warning("mail build failed", extra={"job_id": str(job.job_id), "error": type(exc).__name__})
            return Failed(
                None, translate("Building the mail failed: {why}", why=type(exc).__name__), "build"
            ), transport

        if transport is None:
            transport, failure = self._open()
            if failure is not None:
                return Deferred(failure.code, failure.reason), None
        assert transport is not None
        if self._limiter is not None:
            self._limiter.acquire()
        try:
            if job.handover is None:
                return Sent(transport.send(msg)), transport
            return Sent(transport.send(msg, job.handover)), transport
        except TemporaryFailure as exc:
            return Deferred(exc.code, exc.reason), transport
        except PermanentFailure as exc:
            return Failed(exc.code, exc.reason, "send"), transport
        except Exception as exc:
            # A transport bug must not kill the worker (send_all would wait for its results
            # forever). Whether the message left is unknown, so it is not retried: "failed".
            log.warning(
                "mail transport crashed", extra={"job_id": str(job.job_id), "error": type(exc).__name__}
            )
            transport.close()
            return Failed(None, type(exc).__name__, "send"), None

    def _open(self) -> tuple[Transport | None, TransportError | None]:
        with self._state_lock:
            if self._down_reason is not None:
                return None, self._down_reason
        transport = self._factory()
        try:
            transport.open()
        except TransportError as exc:
            with self._state_lock:
                self._open_failures += 1
                if isinstance(exc, PermanentFailure) or self._open_failures >= _MAX_OPEN_FAILURES:
                    self._down_reason = TemporaryFailure(exc.code, exc.reason)
            log.warning("mail transport unavailable", extra={"code": exc.code, "reason": exc.reason})
            return None, TemporaryFailure(exc.code, exc.reason)
        with self._state_lock:
            self._open_failures = 0
        return transport, None
