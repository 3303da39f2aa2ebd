"""The per-message "sent" mark of a send worker, as plain driver SQL.

It runs once per message on the hot path of the dispatcher, inside the delivery gate. Through
the ORM/Core it costs more CPU than building the mail (statement construction, compilation,
result processing, all under the GIL), so it runs as a plain driver statement. Semantics are
those of :func:`orchestrator.mail.outbox.mark_sent` (the tests run both paths against each other).

Connections: SQLite has one writer at a time, and its busy handler sleeps in steps of
milliseconds when writers collide, so the workers take turns (a lock) on one connection held for
the pass. PostgreSQL writers run concurrently, each on a pooled connection checked out per call
(a connection held per worker would exhaust the pool with many workers).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from orchestrator.db.base import UTCDateTime
from orchestrator.db.models import OutboxMessage, OutboxState

_TABLE = OutboxMessage.__tablename__


def _placeholder(dialect_name: str) -> Callable[[str], str]:
    return (lambda name: f":{name}") if dialect_name == "sqlite" else (lambda name: f"%({name})s")


class WorkerMarks:
    """``mark_sent`` as its own short transaction (thread-safe)."""

    def __init__(self, engine: Engine) -> None:
        dialect = engine.dialect
        p = _placeholder(dialect.name)
        to_db = UTCDateTime().bind_processor(dialect)
        self._time: Callable[[datetime], Any] = to_db if to_db is not None else (lambda value: value)
        # Only constants and placeholders go into the SQL text; every value is a bound parameter.
        self._sent_sql = (
            f"UPDATE {_TABLE} SET state = '{OutboxState.SENT}', sent_at = {p('now')}, "  # noqa: S608
            f"message_id = {p('message_id')}, "
            f"attempts = attempts + 1, last_error = NULL, next_attempt_at = NULL, claimed_by = NULL, "
            f"lease_until = NULL, updated_at = {p('now')} "
            f"WHERE id = {p('row_id')} AND state != '{OutboxState.SENT}'"
        )
        self._engine = engine
        self._turns: threading.Lock | None = threading.Lock() if dialect.name == "sqlite" else None
        self._held: Any = None  # the SQLite connection, checked out on first use

    def sent(self, row_id: int, now: datetime, message_id: str) -> None:
        """The row is ``sent`` as ``message_id`` (idempotent)."""
        self._run(self._sent_sql, {"now": self._time(now), "row_id": row_id, "message_id": message_id})

    def close(self) -> None:
        """Give a held connection back to the pool (the end of a pass)."""
        if self._turns is None:
            return
        with self._turns:
            held, self._held = self._held, None
            if held is not None:
                held.close()

    def _run(self, sql: str, params: dict[str, Any]) -> int:
        with self._connection() as connection:
            cursor = connection.cursor()
            try:
                cursor.execute(sql, params)
                count = int(cursor.rowcount or 0)
                connection.commit()
                return count
            except BaseException:
                connection.rollback()
                raise
            finally:
                cursor.close()

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        if self._turns is None:
            connection = self._engine.raw_connection()
            try:
                yield connection
            finally:
                connection.close()  # back to the pool
            return
        with self._turns:
            if self._held is None:
                self._held = self._engine.raw_connection()
            try:
                yield self._held
            except BaseException:
                # A broken connection must not be reused; the next call checks out a fresh one.
                held, self._held = self._held, None
                held.invalidate()
                raise
