"""The two per-message outbox marks of a send worker, as plain driver SQL on one connection.

They run once per message on the hot path of the dispatcher. Through the ORM/Core they cost more
CPU than rendering and building the mail (statement construction, compilation, result
processing, all under the GIL), so they run as two plain driver statements on a pooled DBAPI
connection (checked out per call: a connection held per worker would exhaust the pool with many
workers). Semantics are those of :func:`orchestrator.mail.outbox.mark_sent` and
:func:`~orchestrator.mail.outbox.mark_sending` (the tests run both paths against each other).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from orchestrator.db.base import UTCDateTime
from orchestrator.db.models import OutboxMessage, OutboxState

_TABLE = OutboxMessage.__tablename__


def _placeholder(dialect_name: str) -> Callable[[str], str]:
    return (lambda name: f":{name}") if dialect_name == "sqlite" else (lambda name: f"%({name})s")


class WorkerMarks:
    """``mark_sent`` + ``mark_sending`` in one short transaction on a pooled connection (thread-safe)."""

    def __init__(self, engine: Engine) -> None:
        dialect = engine.dialect
        p = _placeholder(dialect.name)
        to_db = UTCDateTime().bind_processor(dialect)
        self._time: Callable[[datetime], Any] = to_db if to_db is not None else (lambda value: value)
        # Only constants and placeholders go into the SQL text; every value is a bound parameter.
        self._sent_sql = (
            f"UPDATE {_TABLE} SET state = '{OutboxState.SENT}', sent_at = {p('now')}, "  # noqa: S608
            f"attempts = attempts + 1, last_error = NULL, next_attempt_at = NULL, claimed_by = NULL, "
            f"lease_until = NULL, updated_at = {p('now')} "
            f"WHERE id = {p('row_id')} AND state != '{OutboxState.SENT}'"
        )
        self._sending_sql = (
            f"UPDATE {_TABLE} SET state = '{OutboxState.SENDING}', sending_at = {p('now')}, "  # noqa: S608
            f"lease_until = {p('lease_until')}, message_id = {p('message_id')}, updated_at = {p('now')} "
            f"WHERE id = {p('row_id')} AND claimed_by = {p('token')} AND state = '{OutboxState.CLAIMED}'"
        )
        self._engine = engine

    def record(
        self,
        *,
        sent_row: int | None,
        sending_row: int | None,
        token: str = "",
        message_id: str = "",
        now: datetime,
        lease: timedelta = timedelta(0),
    ) -> bool:
        """Mark ``sent_row`` sent and ``sending_row`` sending in one commit; False if the claim was lost."""
        connection = self._engine.raw_connection()
        cursor = connection.cursor()
        try:
            stamp = self._time(now)
            if sent_row is not None:
                cursor.execute(self._sent_sql, {"now": stamp, "row_id": sent_row})
            claimed = True
            if sending_row is not None:
                cursor.execute(
                    self._sending_sql,
                    {
                        "now": stamp,
                        "lease_until": self._time(now + lease),
                        "message_id": message_id,
                        "row_id": sending_row,
                        "token": token,
                    },
                )
                claimed = cursor.rowcount > 0
            connection.commit()
            return claimed
        except BaseException:
            connection.rollback()
            raise
        finally:
            cursor.close()
            connection.close()  # back to the pool
