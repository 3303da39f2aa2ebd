"""Stores at the newest schema: a new SQLite store is a copy of one migrated once per test process.

Running every migration (SQLite's batch mode copies tables) for each test's fresh store cost about a
tenth of a second per test. Each test process migrates one template store with ``migrate.upgrade``
and copies that file for a test whose store does not exist yet: a copy of a store migrated to head
is that store. Everything else is migrated as before: PostgreSQL schemas (creating a database from
a template costs more than migrating a schema once the disk is busy), stores that already exist,
and the tests of the migrations themselves, which call ``migrate.upgrade`` directly.
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from orchestrator.db import migrate

_template: Path | None = None


def migrated(url: str) -> None:
    """Bring the store at ``url`` to the newest schema (a new SQLite store: a copy of the template)."""
    target = _new_sqlite_file(url)
    if target is None:
        migrate.upgrade(url)
    else:
        shutil.copyfile(_template_file(), target)


def _new_sqlite_file(url: str) -> Path | None:
    """The file of a SQLite store at ``url`` that does not exist yet (or is empty), else None."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:") or parsed.query:
        return None
    path = Path(database)
    if path.exists() and path.stat().st_size > 0:
        return None
    if any(Path(f"{database}{suffix}").exists() for suffix in ("-wal", "-journal")):
        return None
    return path


def _template_file() -> Path:
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="orchestrator-store-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = folder / "store.db"
        migrate.upgrade(f"sqlite:///{template}")
        # Fold the write-ahead log into the file, so that the file alone is the whole store.
        connection = sqlite3.connect(template)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
        _template = template
    return _template
