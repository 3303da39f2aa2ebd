"""A App for tests: store at a URL, in-process Zoom emulator, frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from orchestrator.app import App
from orchestrator.clock import FrozenClock
from orchestrator.settings import Settings
from orchestrator.zoom.emulator import EmulatorApp, EmulatorConfig, EmulatorState, Faults
from tests.support.stores import migrated

# A month before the sample Fachtag (27.08.2025): the seed agenda is in the future.
BEFORE_EVENT = datetime(2025, 7, 28, 8, 0, tzinfo=UTC)


def make_runtime(
    database_url: str,
    tmp_path: Path,
    *,
    clock: FrozenClock | None = None,
    config: EmulatorConfig | None = None,
    faults: Faults | None = None,
    state: EmulatorState | None = None,
    upgrade: bool = True,
) -> App:
    """A runtime talking to an in-process emulator (no rate limits unless ``config`` says so)."""
    clock = clock or FrozenClock(BEFORE_EVENT)
    settings = Settings(
        database_url=database_url,
        zoom="emulator",
        zoom_emulator_state=tmp_path / "zoom-emulator.json",
        mail_transport="eml",
        mail_eml_dir=tmp_path / "mails",
        _env_file=None,
    )
    app = EmulatorApp(
        state if state is not None else EmulatorState(),
        config or EmulatorConfig(enforce_rate_limits=False),
        faults or Faults(),
        clock,
        sleep=clock.sleep,
    )
    if upgrade:
        migrated(database_url)
    return App(settings, clock=clock, emulator_app=app)
