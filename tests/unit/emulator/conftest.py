"""Fixtures: an emulator on a frozen clock and a plain ``requests`` client talking to it in process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from orchestrator.clock import FrozenClock
from orchestrator.zoom.emulator import EmulatorAdapter, EmulatorApp, EmulatorConfig, EmulatorState, Faults
from tests.unit.emulator.emulator_helpers import START, SleepRecorder, Zoom


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig()


@pytest.fixture
def faults() -> Faults:
    return Faults(seed=7)


@pytest.fixture
def sleeper() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def app(config: EmulatorConfig, faults: Faults, clock: FrozenClock, sleeper: SleepRecorder) -> EmulatorApp:
    return EmulatorApp(EmulatorState(), config, faults, clock, sleep=sleeper)


@pytest.fixture
def session(app: EmulatorApp) -> Iterator[requests.Session]:
    with requests.Session() as s:
        adapter = EmulatorAdapter(app)
        s.mount("https://api.zoom.us/", adapter)
        s.mount("https://zoom.us/", adapter)
        yield s


@pytest.fixture
def zoom(session: requests.Session) -> Zoom:
    return Zoom(session)
