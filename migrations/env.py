"""Alembic environment: runs migrations against the URL set by orchestrator.db.migrate."""

from __future__ import annotations

from alembic import context

import orchestrator.db.models  # noqa: F401  (registers all tables)
from orchestrator.db.base import Base
from orchestrator.db.session import make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set by orchestrator.db.migrate"
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `orchestrator db upgrade`")
run_migrations_online()
