"""One ``orchestrator run`` per SQLite store: an OS file lock next to the database file.

A SQLite file serves one service; several instances need PostgreSQL (there the operation leases in
the store coordinate them, and no file lock is taken). The lock (``<store>.service.lock``) is an
OS lock (``flock``): it is released when the process ends in any way, ``kill -9`` included, so a
crashed service never blocks the next start. Who holds it is written to ``<store>.service.owner``
for the refusal message.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy.engine import make_url

from orchestrator.errors import OperationFailed
from orchestrator.i18n import _


def sqlite_store_file(database_url: str) -> Path | None:
    """The database file of a SQLite URL; ``None`` for PostgreSQL and in-memory SQLite."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite"):
        return None
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).resolve()


def _owner(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


@contextmanager
def single_service(database_url: str, *, now: datetime) -> Iterator[None]:
    """Hold the service lock of a SQLite store for the ``with`` block; refuse when another holds it.

    Raises ``OperationFailed`` (exit code 1) naming the other service's PID. PostgreSQL stores are
    not locked here.
    """
    store = sqlite_store_file(database_url)
    if store is None:
        yield
        return
    lock = FileLock(f"{store}.service.lock")
    owner_file = Path(f"{store}.service.owner")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        owner = _owner(owner_file)
        raise OperationFailed(
            _(
                "Another service (PID {pid} on {host}, started {since}) is already using this store "
                "({path}). A SQLite store serves one 'orchestrator run' at a time: stop the other service "
                "first. For more than one instance use PostgreSQL.",
                pid=owner.get("pid", "?"),
                host=owner.get("host", "?"),
                since=owner.get("started", "?"),
                path=str(store),
            )
        ) from None
    try:
        owner_file.write_text(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "started": now.strftime("%Y-%m-%d %H:%M:%S UTC"),
                }
            ),
            encoding="utf-8",
        )
        yield
    finally:
        owner_file.unlink(missing_ok=True)
        lock.release()
