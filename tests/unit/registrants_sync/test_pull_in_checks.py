"""People found only on Zoom's registration page get the import's field checks before they are stored."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from orchestrator.app import App
from orchestrator.db.models import Person
from orchestrator.jobs.registrants import zoom_access
from orchestrator.registrants.service import import_registrations, sync_registrants
from orchestrator.zoom.emulator import EmulatorApp
from tests.unit.registrants_sync.conftest import meeting_id, write_export


def test_a_zoom_page_registrant_with_refused_fields_is_not_pulled_in(
    rt: App, emulator: EmulatorApp, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import_registrations(
        rt.store, rt.clock, None, write_export(tmp_path / "export.csv", [("Anna", "Lee", "anna@example.org")])
    )
    rt.zoom.add_registrant(
        meeting_id(emulator), {"email": "eve@example.org", "first_name": "Eve", "last_name": "\u202egnp.exe"}
    )
    rt.zoom.add_registrant(
        meeting_id(emulator), {"email": "paula@example.org", "first_name": "Paula", "last_name": "Page"}
    )
    with caplog.at_level(logging.WARNING):
        result = sync_registrants(zoom_access(rt), None)
    assert result.pulled_in_from_zoom == ["paula@example.org"]
    with rt.session() as session:
        assert session.scalar(select(Person).where(Person.email == "eve@example.org")) is None
    warning = next(r for r in caplog.records if r.getMessage() == "zoom registrant not taken over")
    assert (getattr(warning, "field"), getattr(warning, "reason")) == ("last_name", "format_characters")
    assert all(
        "eve@example.org" not in str(r.__dict__) for r in caplog.records if r.levelno >= logging.WARNING
    )
