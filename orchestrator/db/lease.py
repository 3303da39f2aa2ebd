"""Operation leases: one holder at a time for an operation (e.g. the Zoom sync of one event).

A lease is a row of ``operation_lease`` (name, holder, expires_at). Every change is one conditional
statement in a short transaction of its own, on its own session (never inside the caller's
transaction), so it is race-free on SQLite (writes are serialised) and PostgreSQL (a concurrent
UPDATE re-checks its WHERE clause against the committed row):

- take: ``INSERT … ON CONFLICT DO NOTHING``; else ``UPDATE … WHERE expires_at < now OR holder = me``;
  else, when the holder is a process on this host that no longer exists (``kill -9``), a
  compare-and-swap on exactly that holder — the lease of a dead process is taken over at once;
- renew: ``UPDATE … WHERE holder = me`` (0 rows → the lease was lost: :class:`LeaseLost`);
- release: ``DELETE … WHERE holder = me``.

Times come from the injected clock. Assumption: the clocks of the processes sharing a store agree
within a few seconds (one host, or hosts synchronised by NTP) — far less than the lease duration.
A holder renews when a third of the duration has passed (:meth:`Lease.keep_alive`, called between
its steps), so it loses the lease only when one step took longer than two thirds of the duration;
then the next ``keep_alive`` raises :class:`LeaseLost` before the next write.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Executable, delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from orchestrator.clock import Clock
from orchestrator.db.models import OperationLease
from orchestrator.errors import OperationFailed
from orchestrator.i18n import _

DEFAULT_DURATION = timedelta(seconds=120)
WAIT_POLL_SECONDS = 0.5


@dataclass(frozen=True)
class LeaseInfo:
    """Who holds a lease (for "already running" messages)."""

    name: str
    holder: str
    holder_label: str
    acquired_at: datetime
    expires_at: datetime

    def describe(self) -> str:
        since = self.acquired_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        return _("{holder}, since {since}", holder=self.holder_label or self.holder, since=since)


class LeaseBusy(OperationFailed):
    """Another holder has the lease (``info`` says who and since when)."""

    def __init__(self, message: str, info: LeaseInfo) -> None:
        super().__init__(message)
        self.info = info


class LeaseLost(OperationFailed):
    """The lease expired and another holder took it (or it was removed): stop before the next write."""


def new_holder_id() -> str:
    """A unique holder id that also names the process: ``<random>:<pid>:<host>`` (≤ 64 characters)."""
    return f"{uuid.uuid4().hex[:16]}:{os.getpid()}:{socket.gethostname()}"[:64]


def default_label(purpose: str) -> str:
    """Human-readable holder description: what, which process, which host."""
    return f"{purpose} (PID {os.getpid()}, {socket.gethostname()})"[:200]


def holder_is_dead(holder: str) -> bool:
    """Whether ``holder`` names a process on this host that no longer exists.

    Only a process of this host can be checked; a reused PID looks alive (then the lease simply
    expires). Holders in another format are treated as alive.
    """
    parts = holder.split(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    if parts[2] != socket.gethostname()[: 64 - len(parts[0]) - len(parts[1]) - 2]:
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _insert_if_absent(session: Session, row: dict[str, object]) -> int:
    dialect = session.get_bind().dialect.name
    statement: Executable
    # The dialects' INSERT … ON CONFLICT; imported here so a command that never takes a lease stays light.
    from sqlalchemy.dialects import postgresql, sqlite

    if dialect == "postgresql":
        statement = (
            postgresql.insert(OperationLease)
            .values(**row)
            .on_conflict_do_nothing()
            .returning(OperationLease.name)
        )
    elif dialect == "sqlite":
        statement = (
            sqlite.insert(OperationLease)
            .values(**row)
            .on_conflict_do_nothing()
            .returning(OperationLease.name)
        )
    else:  # pragma: no cover - the store is SQLite or PostgreSQL
        raise RuntimeError(f"unsupported database dialect {dialect}")
    # RETURNING tells whether the row was inserted (rowcount is not reliable for INSERT here).
    return len(session.connection().execute(statement).all())


def try_take(
    sessions: sessionmaker[Session],
    name: str,
    holder: str,
    label: str,
    *,
    now: datetime,
    duration: timedelta = DEFAULT_DURATION,
) -> LeaseInfo | None:
    """Take ``name`` for ``holder``; ``None`` when taken, else who holds it."""
    values = {"holder": holder, "holder_label": label, "acquired_at": now, "expires_at": now + duration}
    with sessions() as session:
        if _insert_if_absent(session, {"name": name, **values}):
            session.commit()
            return None
        session.commit()
    with sessions() as session:
        taken = (
            session.connection()
            .execute(
                update(OperationLease)
                .where(
                    OperationLease.name == name,
                    or_(OperationLease.expires_at < now, OperationLease.holder == holder),
                )
                .values(**values)
            )
            .rowcount
        )
        session.commit()
        if taken:
            return None
    current = read(sessions, name)
    if current is None:  # released between our statements: try again from the start
        return try_take(sessions, name, holder, label, now=now, duration=duration)
    if holder_is_dead(current.holder):
        with sessions() as session:
            taken = (
                session.connection()
                .execute(
                    update(OperationLease)
                    .where(OperationLease.name == name, OperationLease.holder == current.holder)
                    .values(**values)
                )
                .rowcount
            )
            session.commit()
        if taken:
            return None
        current = read(sessions, name) or current
    return current


def renew(
    sessions: sessionmaker[Session],
    name: str,
    holder: str,
    *,
    now: datetime,
    duration: timedelta = DEFAULT_DURATION,
) -> bool:
    """Extend the lease of ``holder``; ``False`` when it no longer holds it."""
    with sessions() as session:
        renewed = (
            session.connection()
            .execute(
                update(OperationLease)
                .where(OperationLease.name == name, OperationLease.holder == holder)
                .values(expires_at=now + duration)
            )
            .rowcount
        )
        session.commit()
    return bool(renewed)


def release(sessions: sessionmaker[Session], name: str, holder: str) -> None:
    """Give the lease back (only if ``holder`` still holds it)."""
    with sessions() as session:
        session.connection().execute(
            delete(OperationLease).where(OperationLease.name == name, OperationLease.holder == holder)
        )
        session.commit()


def read(sessions: sessionmaker[Session], name: str) -> LeaseInfo | None:
    """The current holder of ``name`` (possibly expired), or ``None``."""
    with sessions() as session:
        row = session.scalar(select(OperationLease).where(OperationLease.name == name))
        if row is None:
            return None
        return LeaseInfo(row.name, row.holder, row.holder_label, row.acquired_at, row.expires_at)


class Lease:
    """A held lease: :meth:`keep_alive` between steps, released when the ``hold`` context ends."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        name: str,
        holder: str,
        *,
        clock: Clock,
        duration: timedelta,
        lost_message: str,
    ) -> None:
        self.sessions = sessions
        self.name = name
        self.holder = holder
        self.clock = clock
        self.duration = duration
        self.lost_message = lost_message
        self.renewed_at = clock.now()

    def keep_alive(self) -> None:
        """Renew when a third of the duration has passed; :class:`LeaseLost` when it was taken over.

        Call it only while the caller's own session holds no uncommitted writes (on SQLite the
        renewal would wait for them).
        """
        now = self.clock.now()
        if now - self.renewed_at < self.duration / 3:
            return
        if not renew(self.sessions, self.name, self.holder, now=now, duration=self.duration):
            raise LeaseLost(self.lost_message)
        self.renewed_at = now


@contextmanager
def hold(  # noqa: PLR0913  keyword-only options of one lease, each with a default
    sessions: sessionmaker[Session],
    name: str,
    *,
    clock: Clock,
    purpose: str,
    busy_message: Callable[[LeaseInfo], str],
    lost_message: str,
    wait_seconds: float = 0.0,
    on_wait: Callable[[LeaseInfo], None] | None = None,
    duration: timedelta = DEFAULT_DURATION,
) -> Iterator[Lease]:
    """Hold the lease ``name`` for the ``with`` block.

    When another holder has it: wait up to ``wait_seconds`` (``on_wait`` is told once, with who
    holds it), then raise :class:`LeaseBusy` with ``busy_message(info)``.
    """
    holder = new_holder_id()
    label = default_label(purpose)
    started = clock.now()
    told = False
    while True:
        current = try_take(sessions, name, holder, label, now=clock.now(), duration=duration)
        if current is None:
            break
        if (clock.now() - started).total_seconds() >= wait_seconds:
            raise LeaseBusy(busy_message(current), current)
        if on_wait is not None and not told:
            on_wait(current)
            told = True
        clock.sleep(WAIT_POLL_SECONDS)
    lease = Lease(sessions, name, holder, clock=clock, duration=duration, lost_message=lost_message)
    try:
        yield lease
    finally:
        release(sessions, name, holder)
