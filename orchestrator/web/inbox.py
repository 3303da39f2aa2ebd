"""The webhook inbox: store a verified notification once (fast path), process stored ones later.

Storing is one ``INSERT … ON CONFLICT (dedup_key) DO NOTHING`` in its own short transaction, so
the HTTP handler can acknowledge within Zoom's 3 s even at hundreds of requests per second, and a
retried delivery is a no-op. Processing (:func:`drain`) runs in a worker thread or a scheduler job.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from orchestrator.clock import Clock
from orchestrator.db.models import WebhookEvent
from orchestrator.db.models.web import WebhookState
from orchestrator.zoom.webhooks import dedup_key, notification_facts

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
Handler = Callable[[Session, dict[str, Any], datetime], str]


@functools.cache  # one statement per dialect: building it per webhook cost a third of the insert
def _insert_ignoring_duplicates(dialect: str) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING id``: a row comes back only when it is new."""
    if dialect == "postgresql":
        statement: Any = postgresql.insert(WebhookEvent).on_conflict_do_nothing(index_elements=["dedup_key"])
    elif dialect == "sqlite":
        statement = sqlite.insert(WebhookEvent).on_conflict_do_nothing(index_elements=["dedup_key"])
    else:
        raise NotImplementedError(f"webhook inbox on {dialect}")
    return statement.returning(WebhookEvent.id)


def store_notification(session: Session, notification: dict[str, Any], received_at: datetime) -> bool:
    """Insert ``notification`` unless it is stored already; True when it is new. Commits."""
    facts = notification_facts(notification)
    values = {
        "dedup_key": dedup_key(notification),
        "event_type": facts.event_type,
        "event_ts": facts.event_ts,
        "zoom_meeting_id": facts.zoom_meeting_id,
        "received_at": received_at,
        "state": WebhookState.PENDING,
        "attempts": 0,
        "payload": notification,
    }
    new_id = session.execute(_insert_ignoring_duplicates(session.get_bind().dialect.name), values).scalar()
    session.commit()
    return new_id is not None


@dataclass
class DrainReport:
    """What one drain did (counts per outcome; the handlers name outcomes)."""

    processed: int = 0
    failed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"processed": self.processed, "failed": self.failed, "outcomes": dict(self.outcomes)}


# SQLite has one writer at a time. Writers in this process take turns on a Python lock, which hands
# over in microseconds, instead of colliding in SQLite, whose busy handler sleeps for milliseconds
# (that made webhook acknowledgements wait up to a second under load).
_locks: dict[tuple[str, int], threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock(kind: str, sessions: sessionmaker[Session]) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault((kind, id(sessions)), threading.Lock())


def _drain_lock(sessions: sessionmaker[Session]) -> threading.Lock:
    return _lock("drain", sessions)


def write_lock(sessions: sessionmaker[Session]) -> AbstractContextManager[object]:
    """A lock around one short write transaction on SQLite; no lock on PostgreSQL."""
    bind = sessions.kw.get("bind")
    if bind is not None and bind.dialect.name == "sqlite":
        return _lock("write", sessions)
    return nullcontext()


@dataclass(frozen=True)
class _Step:
    event_id: int
    outcome: str | None  # None: the handler raised
    error: str | None = None


BATCH_SIZE = 50
# Pause between batches so that acknowledgements waiting for the SQLite write lock get it first.
YIELD_SECONDS = 0.002


def drain(
    sessions: sessionmaker[Session],
    clock: Clock,
    handle: Handler,
    *,
    limit: int | None = None,
) -> DrainReport:
    """Process stored notifications in arrival order.

    ``handle(session, notification, now)`` applies one notification and returns an outcome name.
    Notifications are applied in batches of ``BATCH_SIZE`` per transaction (few commits, short
    write locks); when one of a batch fails, the batch is rolled back and redone one by one, so a
    failing notification is recorded (and retried by later drains, at most ``MAX_ATTEMPTS``) without
    holding up the others. Rows are claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
    instances can drain at once; handlers are idempotent in any case (a crash before commit replays).
    """
    report = DrainReport()
    with _drain_lock(sessions):
        last_id = 0
        while limit is None or report.processed + report.failed < limit:
            size = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - report.processed - report.failed)
            steps = _process_batch(sessions, clock, handle, last_id, size)
            if steps is None:  # something failed: the same rows, one transaction each
                steps = _one_by_one(sessions, clock, handle, last_id, size)
            if not steps:
                break
            for step in steps:
                last_id = max(last_id, step.event_id)
                if step.outcome is None:
                    _record_failure(sessions, step.event_id, step.error or "")
                    report.failed += 1
                else:
                    report.processed += 1
                    report.outcomes[step.outcome] = report.outcomes.get(step.outcome, 0) + 1
            time.sleep(YIELD_SECONDS)
    return report


def _pending(after_id: int, size: int) -> Any:
    return (
        select(WebhookEvent)
        .where(WebhookEvent.state.in_((WebhookState.PENDING, WebhookState.FAILED)))
        .where(WebhookEvent.attempts < MAX_ATTEMPTS)
        .where(WebhookEvent.id > after_id)
        .order_by(WebhookEvent.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    )


def _one_by_one(
    sessions: sessionmaker[Session], clock: Clock, handle: Handler, after_id: int, size: int
) -> list[_Step]:
    steps: list[_Step] = []
    while len(steps) < size:
        step = _process_next(sessions, clock, handle, after_id)
        if step is None:
            break
        steps.append(step)
        after_id = step.event_id
    return steps


def _mark_done(row: WebhookEvent, outcome: str, now: datetime) -> None:
    row.state = WebhookState.DONE
    row.outcome = outcome[:60]
    row.processed_at = now
    row.attempts += 1
    row.error = None
    row.payload = None  # processed: the facts live in their tables; drop the personal payload


def _process_batch(
    sessions: sessionmaker[Session], clock: Clock, handle: Handler, after_id: int, size: int
) -> list[_Step] | None:
    """Apply up to ``size`` notifications in one transaction; None (rolled back) if one raised."""
    with write_lock(sessions), sessions() as session:
        steps = []
        for row in session.scalars(_pending(after_id, size)).all():
            try:
                outcome = handle(session, row.payload or {}, clock.now())
            except Exception:
                session.rollback()
                return None
            _mark_done(row, outcome, clock.now())
            steps.append(_Step(row.id, outcome))
        session.commit()
        return steps


def _process_next(
    sessions: sessionmaker[Session], clock: Clock, handle: Handler, after_id: int
) -> _Step | None:
    """Claim and apply the next pending notification after ``after_id`` in its own transaction."""
    with write_lock(sessions), sessions() as session:
        row = session.scalar(_pending(after_id, 1))
        if row is None:
            return None
        event_id, event_type = row.id, row.event_type
        try:
            outcome = handle(session, row.payload or {}, clock.now())
            _mark_done(row, outcome, clock.now())
            session.commit()
        except Exception as exc:  # one bad notification must not stop the others
            session.rollback()
            context = {"webhook_event": event_id, "event_type": event_type, "error": type(exc).__name__}
            log.warning("webhook processing failed", extra=context)
            return _Step(event_id, None, f"{type(exc).__name__}: {exc}")
        return _Step(event_id, outcome)


def _record_failure(sessions: sessionmaker[Session], event_id: int, error: str) -> None:
    with write_lock(sessions), sessions() as session:
        session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == event_id)
            .values(state=WebhookState.FAILED, attempts=WebhookEvent.attempts + 1, error=error[:2000])
        )
        session.commit()
