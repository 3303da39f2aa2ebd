"""Shared fixtures: stores on SQLite (always) and PostgreSQL (when configured)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from orchestrator.i18n import set_language

POSTGRES_URL_VARIABLE = "ORCHESTRATOR_TEST_POSTGRES_URL"
REPO_ROOT = Path(__file__).resolve().parents[1]
# The registration export the tests import: written by tests/support/registration_export.py, which
# also states what importing it must give. Tests read nothing outside the repository.
FIXTURE_CSV = REPO_ROOT / "tests" / "fixtures" / "anmeldungen-fachtag.csv"
SAMPLE_AGENDA = REPO_ROOT / "config" / "fachtag-2025.yaml"

# GNU readline, loaded by pytest, sets COLUMNS=80 and LINES=24 in the C environment of the main
# process (os.environ there does not show them), and pytest-xdist's workers inherit them. rich would
# then pin the CLI's console to 80 columns when it is imported and ignore the width a test passes
# (COLUMNS=200): the console must read the width per invocation, as in a one-process run.
for _variable in ("COLUMNS", "LINES"):
    os.environ.pop(_variable, None)


def postgres_base_url() -> str | None:
    return os.environ.get(POSTGRES_URL_VARIABLE) or None


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    """Tests assert English source messages unless they switch language themselves."""
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema in the PostgreSQL test database, dropped afterwards."""
    base = postgres_base_url()
    if base is None:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_URL_VARIABLE} (CI sets it when 127.0.0.1:5432 answers)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(base).set(drivername="postgresql+psycopg"))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = (
        make_url(base)
        .set(drivername="postgresql+psycopg")
        .update_query_dict({"options": f"-csearch_path={schema}"})
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """The same test on SQLite and (when configured) PostgreSQL."""
    fixture_name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture_name))
