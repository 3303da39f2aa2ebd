"""Fixtures: the seed event set up against the in-process Zoom emulator, on a frozen clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from pydantic import SecretStr

from orchestrator.agenda import load_agenda
from orchestrator.app import App
from orchestrator.clock import FrozenClock
from orchestrator.meeting.service import run_setup
from orchestrator.settings import Settings
from orchestrator.zoom.client import ZoomClient
from orchestrator.zoom.emulator import EmulatorAdapter, EmulatorApp, EmulatorConfig, EmulatorState, Faults
from orchestrator.zoom.http import RetryPolicy, ZoomHttp
from orchestrator.zoom.oauth import TokenProvider
from orchestrator.zoom.ratelimit import ZoomRateLimiter
from tests.conftest import FIXTURE_CSV, SAMPLE_AGENDA
from tests.support.stores import migrated

START = datetime(2025, 8, 1, 8, 0, tzinfo=UTC)
HOST_EMAIL = "host@example.com"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def faults() -> Faults:
    return Faults(seed=11)


@pytest.fixture
def emulator(clock: FrozenClock, faults: Faults) -> EmulatorApp:
    config = EmulatorConfig(host_email=HOST_EMAIL)
    return EmulatorApp(EmulatorState(), config, faults, clock, sleep=lambda _s: None)


def emulator_client(app: EmulatorApp, settings: Settings, clock: FrozenClock) -> ZoomClient:
    session = requests.Session()
    adapter = EmulatorAdapter(app)
    session.mount(settings.zoom_api_url, adapter)
    session.mount(settings.zoom_oauth_url, adapter)
    tokens = TokenProvider(
        account_id="a",
        client_id="c",
        client_secret=SecretStr("s3cret"),
        oauth_url=settings.zoom_oauth_url,
        session=session,
        clock=clock,
    )
    http = ZoomHttp(
        base_url=settings.zoom_api_url,
        token_provider=tokens,
        limiter=ZoomRateLimiter("pro", clock=clock),
        retry=RetryPolicy(),
        clock=clock,
        session=session,
    )
    return ZoomClient(http)


@pytest.fixture
def rt(sqlite_url: str, clock: FrozenClock, emulator: EmulatorApp) -> Iterator[App]:
    """A runtime on a fresh SQLite store whose Zoom is ``emulator``, with the seed meeting set up."""
    settings = Settings(database_url=sqlite_url, zoom="emulator", _env_file=None)
    runtime = App(settings, clock=clock, zoom_client=emulator_client(emulator, settings, clock))
    migrated(sqlite_url)
    run_setup(
        runtime.store,
        runtime.zoom,
        runtime.clock,
        load_agenda(SAMPLE_AGENDA, now=clock.now(), allow_past=True),
        recreate=False,
    )
    yield runtime
    runtime.close()


@pytest.fixture
def fixture_csv() -> Path:
    return FIXTURE_CSV


def meeting_id(app: EmulatorApp) -> int:
    return int(app.meetings()[0]["id"])


def write_export(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A small export (first name, last name, e-mail) in the fixture's dialect."""
    lines = ["Vorname;Nachname;E-Mail;Datenschutz akzeptiert"] + [
        f"{first};{last};{mail};ja" for first, last, mail in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path
