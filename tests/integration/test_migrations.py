"""The Alembic migrations create exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import orchestrator.db.models  # noqa: F401
from orchestrator.db import migrate
from orchestrator.db.base import Base
from orchestrator.db.session import make_engine


def test_migrations_match_models(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
        assert differences == []
        assert migrate.current_revision(engine) == migrate.head_revision(database_url)
    finally:
        engine.dispose()


def test_upgrade_is_repeatable_and_downgrade_works(database_url: str) -> None:
    migrate.upgrade(database_url)
    migrate.upgrade(database_url)  # a second run is a no-op
    from alembic import command

    command.downgrade(migrate.alembic_config(database_url), "base")
    engine = make_engine(database_url)
    try:
        tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
    finally:
        engine.dispose()
    migrate.upgrade(database_url)


def test_sqlite_store_uses_wal(sqlite_url: str) -> None:
    migrate.upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
