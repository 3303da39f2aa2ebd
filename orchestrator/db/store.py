"""The SQL store as one collaborator: engine, sessions and the schema-revision check.

Services that touch the store take a :class:`Store` (the composition root builds it from the
configured URL; tests build one with ``Store(url)``). The caller of a use case owns the
transaction: ``with store.session() as session: …; session.commit()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from orchestrator.db.revision import SCHEMA_REVISION, store_revision
from orchestrator.db.session import make_engine, make_sessionmaker
from orchestrator.errors import BadInput
from orchestrator.i18n import _


class Store:
    """Engine and sessions for one database URL; nothing connects before first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._schema_checked = False

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_sessionmaker(self.engine)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    def require_current_schema(self) -> None:
        """Refuse to work on a store that is missing or behind the code's migrations.

        Checked once per store: the long-running service opens a session for every job pass and
        web request, and reading the migration scripts each time would be wasted I/O.
        """
        if self._schema_checked:
            return
        if store_revision(self.engine) != SCHEMA_REVISION:
            raise BadInput(_("The store is not up to date. Run 'orchestrator db upgrade' first."))
        self._schema_checked = True

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for one unit of work; the caller commits (or the context rolls back)."""
        self.require_current_schema()
        session = self.sessions()
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        """Release pooled connections (only if the engine was ever built)."""
        if "engine" in self.__dict__:
            self.engine.dispose()
