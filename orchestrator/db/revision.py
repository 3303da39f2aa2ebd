"""The store schema revision this code needs, and what a store has — without loading Alembic.

Every command checks the store's revision before it works; reading Alembic's migration scripts
for that would cost a store-only command most of its start-up time. ``SCHEMA_REVISION`` names the
newest migration in ``migrations/versions``; a test checks it equals Alembic's head.
"""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

SCHEMA_REVISION = "0008_organiser"


def store_revision(engine: Engine) -> str | None:
    """The revision recorded in the store (``None`` for an empty store)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
