"""Retrying refused registrations (the dashboard's "Retry"): back to pending, then one sync pass."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from orchestrator.app import App
from orchestrator.db.models import Person, ZoomRegistration
from orchestrator.db.models.person import RegistrationState
from orchestrator.jobs.registrants import zoom_access
from orchestrator.registrants.results import RetryResult
from orchestrator.registrants.service import import_registrations, retry_registrations, sync_registrants
from orchestrator.zoom.emulator import EmulatorApp
from tests.unit.registrants_sync.conftest import meeting_id, write_export

# Valid for the import, too long for Zoom (128 characters): Zoom refuses it every time.
LONG = "x" * 64 + "@" + "a" * 60 + ".example.org"
KEY = "fachtag-2025-2"


def _refuse_one(rt: App, tmp_path: Path) -> None:
    rows = [("Ann", "A", "ann@example.org"), ("Lang", "L", LONG), ("Bea", "B", "bea@example.org")]
    import_registrations(rt.store, rt.clock, None, write_export(tmp_path / "e.csv", rows))
    first = sync_registrants(zoom_access(rt), None)
    assert [f.email for f in first.failed] == [LONG]


def test_retry_requeues_only_the_failed_and_reports_the_sync(
    rt: App, emulator: EmulatorApp, tmp_path: Path
) -> None:
    _refuse_one(rt, tmp_path)
    result = retry_registrations(zoom_access(rt), KEY, None)
    assert isinstance(result, RetryResult)
    assert result.requeued == 1
    assert result.sync.registered == 0 and [f.email for f in result.sync.failed] == [LONG]
    assert result.sync.failed[0].reason and result.sync.failed[0].reason.startswith("Zoom refused")
    # Nobody registered twice: Ann and Bea are in Zoom once each.
    emails = sorted(r["email"] for r in emulator.registrants(meeting_id(emulator)))
    assert emails == ["ann@example.org", "bea@example.org"]


def test_retry_of_named_people_leaves_other_failures_alone(rt: App, tmp_path: Path) -> None:
    _refuse_one(rt, tmp_path)
    result = retry_registrations(zoom_access(rt), KEY, [" Ann@Example.org "])  # registered, not failed
    assert result.requeued == 0
    with rt.session() as session:
        state = session.scalar(select(ZoomRegistration.state).join(Person).where(Person.email == LONG))
    assert state == RegistrationState.FAILED
