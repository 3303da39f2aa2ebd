"""State transitions of outbox rows, each one a short conditional UPDATE the caller commits.

::

    queued ──claim──▶ claimed ─────────────────────────mark_sent──▶ sent
      ▲  ▲              │ stop / our lease running out │ 4xx: mark_deferred (queued, next_attempt_at)
      │  └──────────────┘                              │ 5xx / unbuildable: mark_failed
      └──── crash rule: lease expired in "claimed" ────┘
    queued ──deadline passed──▶ skipped          queued ──not wanted any more──▶ cancelled

(``sending`` is a state older versions wrote before each send; such rows follow the crash rule.)

Claiming: PostgreSQL locks candidate rows with ``SELECT … FOR UPDATE SKIP LOCKED``; on every
backend the UPDATE is conditional (``state = 'queued'``) and the rows claimed are read back by a
per-batch token, so two dispatchers never hold the same row.
Kinds the organiser holds back for the event (``mail_hold``, see :mod:`orchestrator.mail.holds`)
are neither claimed nor counted as due.

Leases: a dispatcher sends a claimed row only while more than half of its lease is left (checked
in the worker right before the message is built), so a row another dispatcher takes over after
the lease expired is never sent by both (assuming the hosts' clocks differ by less than half a
lease). Claims are sized so that a batch can be sent within that time.

Crash rule (declared): a row found in ``claimed`` with an expired lease belonged to a dispatcher
that stopped without finishing it (kill -9, power loss); it goes back to ``queued`` and
``crash_resends`` counts it. It was delivered already only if the server had received its final
"." (before that, a lost connection makes the server discard the message). Each process lets at
most ``mail_max_unconfirmed`` messages (default 1) past that dot at a time, and each one is
committed as ``sent`` before the next may pass (:mod:`orchestrator.mail.dispatch`). So a crash
causes at most one duplicate by default (at most ``mail_max_unconfirmed`` if raised), never a lost
mail; ``crash_resends`` counts every row sent again, which is an upper bound on the duplicates.
The .eml transport names each file by the stable Message-ID, so there a resend replaces the file
and produces no duplicate at all.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from email.utils import parseaddr

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from orchestrator.db.models import MailHold, OutboxMessage, OutboxState

M = OutboxMessage


def backoff_delay(
    attempt: int,
    *,
    base: float = 60.0,
    factor: float = 2.0,
    cap: float = 3600.0,
    jitter: float = 0.1,
    rng: random.Random | None = None,
) -> timedelta:
    """Wait before retry number ``attempt`` (1-based) of a deferred mail: 1, 2, 4 … min, max 1 h.

    ``jitter`` spreads retries by ±10 % so thousands of deferred mails do not return at once.
    """
    if attempt < 1:
        raise ValueError("attempt starts at 1")
    delay = min(cap, base * factor ** (attempt - 1))
    if jitter:
        delay *= 1 + (rng or random).uniform(-jitter, jitter)
    return timedelta(seconds=delay)


def _rowcount(result: object) -> int:
    """Rows an UPDATE matched (``CursorResult.rowcount``; the ORM types it as plain ``Result``)."""
    return int(getattr(result, "rowcount", 0) or 0)


class Reason:
    """Why a row was skipped or cancelled (stored in ``reason``)."""

    OVERDUE = "overdue"  # its deadline passed before it could be sent
    REGISTERED_LATE = "registered_late"  # the person registered after the reminder's time
    PERSON_CANCELLED = "person_cancelled"
    NOT_REGISTERED = "not_registered"  # no (approved) Zoom registration with a join link any more
    NOT_IN_AGENDA = "not_in_agenda"  # the agenda no longer asks for this mail
    NO_ROOM = "no_room"  # the person has no room in that breakout round any more


def new_token() -> str:
    """A claim token: identifies one claimed batch of one dispatcher pass."""
    return uuid.uuid4().hex


def message_id_for(row_id: int, event_key: str, domain: str) -> str:
    """The stable Message-ID of an outbox row (the same on every resend)."""
    return f"<outbox-{row_id}.{event_key}@{domain}>"


def domain_of(address: str) -> str:
    """The domain of ``Name <user@domain>`` (for Message-IDs); ``localhost`` if there is none."""
    _, addr = parseaddr(address)
    return addr.rpartition("@")[2] or "localhost"


def recover_expired(session: Session, now: datetime) -> int:
    """Apply the crash rule to rows whose lease expired; returns how many were queued again."""
    result = session.execute(
        update(M)
        .where(
            M.state.in_((OutboxState.CLAIMED, OutboxState.SENDING)),
            M.lease_until.is_not(None),
            M.lease_until < now,
        )
        .values(
            state=OutboxState.QUEUED,
            claimed_by=None,
            lease_until=None,
            crash_resends=M.crash_resends + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


def skip_overdue(session: Session, event_id: int, now: datetime) -> dict[str, int]:
    """Queued rows whose deadline passed become ``skipped``/``overdue``; returns counts per occasion."""
    rows = session.execute(
        select(M.occasion, func.count())
        .where(M.event_id == event_id, M.state == OutboxState.QUEUED, M.deadline < now)
        .group_by(M.occasion)
    ).all()
    if rows:
        session.execute(
            update(M)
            .where(M.event_id == event_id, M.state == OutboxState.QUEUED, M.deadline < now)
            .values(state=OutboxState.SKIPPED, reason=Reason.OVERDUE)
            .execution_options(synchronize_session=False)
        )
    return {occasion: int(count) for occasion, count in rows}


def _not_held(event_id: int) -> object:
    """Rows whose kind the organiser holds back for this event are not sendable (see ``holds``)."""
    return M.kind.not_in(select(MailHold.kind).where(MailHold.event_id == event_id).scalar_subquery())


def _due(event_id: int, now: datetime) -> list[object]:
    return [
        _not_held(event_id),
        M.event_id == event_id,
        M.state == OutboxState.QUEUED,
        M.due_at <= now,
        M.deadline >= now,
        or_(M.next_attempt_at.is_(None), M.next_attempt_at <= now),
    ]


def claim_due(
    session: Session, event_id: int, now: datetime, *, lease: timedelta, limit: int, token: str
) -> list[int]:
    """Claim up to ``limit`` due rows for ``token`` (earliest due first); returns their ids."""
    candidates = (
        select(M.id)
        .where(*_due(event_id, now))  # type: ignore[arg-type]
        .order_by(M.due_at, M.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has one writer at a time anyway
    )
    ids = list(session.scalars(candidates))
    if not ids:
        return []
    session.execute(
        update(M)
        .where(M.id.in_(ids), M.state == OutboxState.QUEUED)
        .values(state=OutboxState.CLAIMED, claimed_by=token, lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return list(
        session.scalars(
            select(M.id).where(M.claimed_by == token, M.state == OutboxState.CLAIMED).order_by(M.due_at, M.id)
        )
    )


def mark_sent(session: Session, row_id: int, now: datetime, message_id: str) -> bool:
    """The server (or the .eml directory) accepted the message ``message_id``; idempotent."""
    result = session.execute(
        update(M)
        .where(M.id == row_id, M.state != OutboxState.SENT)
        .values(
            state=OutboxState.SENT,
            sent_at=now,
            message_id=message_id,
            attempts=M.attempts + 1,
            last_error=None,
            next_attempt_at=None,
            claimed_by=None,
            lease_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) > 0


def mark_deferred(session: Session, row_id: int, now: datetime, reason: str, *, max_attempts: int) -> str:
    """A temporary failure: back to ``queued`` with backoff, or ``failed`` after ``max_attempts``."""
    attempts = int(session.scalar(select(M.attempts).where(M.id == row_id)) or 0) + 1
    final = attempts >= max_attempts
    state = OutboxState.FAILED if final else OutboxState.QUEUED
    session.execute(
        update(M)
        .where(M.id == row_id, M.state.in_(OutboxState.IN_FLIGHT))
        .values(
            state=state,
            attempts=attempts,
            last_error=reason,
            next_attempt_at=None if final else now + backoff_delay(attempts),
            claimed_by=None,
            lease_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    return state


def mark_failed(session: Session, row_id: int, reason: str) -> None:
    """Refused for good (5xx) or not buildable (e.g. a line break in a header value)."""
    session.execute(
        update(M)
        .where(M.id == row_id, M.state.in_(OutboxState.IN_FLIGHT))
        .values(
            state=OutboxState.FAILED,
            attempts=M.attempts + 1,
            last_error=reason,
            claimed_by=None,
            lease_until=None,
        )
        .execution_options(synchronize_session=False)
    )


def mark_cancelled(session: Session, row_id: int, reason: str) -> None:
    """A claimed row turned out to be unwanted (person cancelled, link or room gone)."""
    session.execute(
        update(M)
        .where(M.id == row_id, M.state == OutboxState.CLAIMED)
        .values(state=OutboxState.CANCELLED, reason=reason, claimed_by=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )


def release(session: Session, token: str) -> int:
    """Give back rows a batch claimed but did not send (stop, or its lease ran short)."""
    result = session.execute(
        update(M)
        .where(M.claimed_by == token, M.state == OutboxState.CLAIMED)
        .values(state=OutboxState.QUEUED, claimed_by=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


def next_due_at(session: Session, event_id: int, now: datetime) -> datetime | None:
    """The earliest moment after ``now`` at which a queued row becomes sendable."""
    due = session.scalar(
        select(func.min(M.due_at)).where(
            M.event_id == event_id,
            M.state == OutboxState.QUEUED,
            M.due_at > now,
            M.deadline >= M.due_at,
            _not_held(event_id),  # type: ignore[arg-type]
        )
    )
    retry = session.scalar(
        select(func.min(M.next_attempt_at)).where(
            M.event_id == event_id,
            M.state == OutboxState.QUEUED,
            M.next_attempt_at > now,
            _not_held(event_id),  # type: ignore[arg-type]
        )
    )
    moments = [m for m in (due, retry) if m is not None]
    return min(moments) if moments else None


def due_now_count(session: Session, event_id: int, now: datetime) -> int:
    return int(session.scalar(select(func.count()).select_from(M).where(*_due(event_id, now))) or 0)  # type: ignore[arg-type]


def queued_count(session: Session, event_id: int, kind: str) -> int:
    """Queued rows of one kind (waiting to be due, or held)."""
    query = select(func.count()).where(M.event_id == event_id, M.kind == kind, M.state == OutboxState.QUEUED)
    return int(session.scalar(query) or 0)


def requeue_failed(session: Session, event_id: int, row_ids: list[int] | None = None) -> int:
    """Give failed mails of an event (all, or ``row_ids``) a fresh start; returns how many.

    Used after the cause was fixed (a corrected address, the provider reachable again). The
    deadline still applies: a mail whose useful time has passed is skipped, not sent late.
    """
    conditions = [M.event_id == event_id, M.state == OutboxState.FAILED]
    if row_ids is not None:
        conditions.append(M.id.in_(row_ids))
    result = session.execute(
        update(M)
        .where(*conditions)
        .values(
            state=OutboxState.QUEUED,
            attempts=0,
            next_attempt_at=None,
            last_error=None,
            reason=None,
            claimed_by=None,
            lease_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)
