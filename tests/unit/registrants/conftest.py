"""Shared data for the registration import tests."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pytest

from tests.conftest import FIXTURE_CSV as FIXTURE_CSV  # re-exported for the tests of this package

WORKSHOPS = (
    "ALIA – Agil leben im Alter",
    "Wohnen statt Unterbringung – reloaded",
    "Kümmerei Köln",
    "Kommunale Sorgestrukturen",
    "Caring Community Köln",
)

GERMAN_HEADER = (
    "Anmeldung-Nr.;Vorname;Nachname;E-Mail;Organisation;Funktion;Workshop-Wunsch 1;"
    "Workshop-Wunsch 2;Workshop-Wunsch 3;Datenschutz akzeptiert;Angemeldet am"
)


class WriteCsv(Protocol):
    def __call__(self, text: str, *, name: str = ..., encoding: str = ..., newline: str = ...) -> Path: ...


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """Write text to a CSV file in ``tmp_path`` with the given encoding; returns the path."""

    def write(text: str, *, name: str = "export.csv", encoding: str = "utf-8", newline: str = "\r\n") -> Path:
        path = tmp_path / name
        path.write_bytes(text.replace("\n", newline).encode(encoding))
        return path

    return write
