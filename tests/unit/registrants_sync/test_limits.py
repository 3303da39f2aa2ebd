"""Zoom's limits are respected before Zoom refuses: host address, registrant cap, daily adds."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from orchestrator.app import App
from orchestrator.db.models import Event, Person, ZoomRegistration
from orchestrator.jobs.registrants import zoom_access
from orchestrator.registrants.context import ZoomWork, active_meeting
from orchestrator.registrants.service import import_registrations, sync_registrants
from orchestrator.registrants.sync import sync_event
from orchestrator.zoom.emulator import EmulatorApp
from orchestrator.zoom.ratelimit import ZoomRateLimiter
from tests.unit.registrants_sync.conftest import HOST_EMAIL, meeting_id, write_export


def test_host_address_is_not_sent_and_explained(rt: App, emulator: EmulatorApp, tmp_path: Path) -> None:
    export = write_export(
        tmp_path / "e.csv", [("Hanna", "Host", HOST_EMAIL), ("Ann", "A", "ann@example.org")]
    )
    import_registrations(rt.store, rt.clock, None, export)
    result = sync_registrants(zoom_access(rt), None)
    assert [f.email for f in result.failed] == [HOST_EMAIL]
    assert "host" in result.failed[0].reason and "another address" in result.failed[0].reason
    assert [r["email"] for r in emulator.registrants(meeting_id(emulator))] == ["ann@example.org"]
    assert not [r for r in emulator.request_log() if r.status == 400]  # Zoom never had to refuse


def test_batch_refused_by_zoom_falls_back_to_single_adds(
    rt: App, emulator: EmulatorApp, tmp_path: Path
) -> None:
    # Valid for us, too long for Zoom (128 characters): Zoom refuses the whole batch.
    long_address = "x" * 64 + "@" + "a" * 60 + ".example.org"
    rows = [("Ann", "A", "ann@example.org"), ("Lang", "L", long_address), ("Bea", "B", "bea@example.org")]
    import_registrations(rt.store, rt.clock, None, write_export(tmp_path / "e.csv", rows))
    result = sync_registrants(zoom_access(rt), None)
    assert sorted(r["email"] for r in emulator.registrants(meeting_id(emulator))) == [
        "ann@example.org",
        "bea@example.org",
    ]
    assert [f.email for f in result.failed] == [long_address]
    assert result.failed[0].reason.startswith("Zoom refused the registration")
    assert result.zoom_calls == {"get_user": 1, "list": 1, "batch_registrants": 1, "add_registrant": 3}


def test_registrant_cap_is_respected_with_a_clear_message(
    rt: App, emulator: EmulatorApp, fixture_csv: Path
) -> None:
    import_registrations(rt.store, rt.clock, None, fixture_csv)
    with rt.session() as session:
        event = session.scalars(select(Event)).one()
        pacer = ZoomRateLimiter.steady("pro", rt.clock)
        work = ZoomWork(session, rt.zoom, rt.clock, pacer, registrant_cap=100)
        result = sync_event(
            work, event, active_meeting(session, event), auto_approve=True, default_language="de"
        )
    assert len(emulator.registrants(meeting_id(emulator))) == 100
    assert result.held_back_cap == 135
    assert any("at most 100 registrants" in w for w in result.warnings)
    assert not [r for r in emulator.request_log() if r.status == 400]


def test_daily_add_limit_holds_people_back(rt: App, emulator: EmulatorApp, tmp_path: Path) -> None:
    rows = [("Ann", "A", "ann@example.org"), ("Bea", "B", "bea@example.org")]
    import_registrations(rt.store, rt.clock, None, write_export(tmp_path / "e.csv", rows))
    sync_registrants(zoom_access(rt), None)  # creates the rows; then pretend Ann was tried 3 times today
    with rt.session() as session:
        ann = session.scalars(select(Person).where(Person.email == "ann@example.org")).one()
        assert ann.registration is not None
        session.execute(
            update(ZoomRegistration)
            .where(ZoomRegistration.id == ann.registration.id)
            .values(state="pending", adds_day=rt.clock.now().date().isoformat(), adds_on_day=3)
        )
        session.commit()
    emulator.state.reset()  # Zoom forgot her (and everything else)
    from orchestrator.agenda import load_agenda
    from orchestrator.meeting.service import run_setup
    from tests.conftest import SAMPLE_AGENDA

    run_setup(
        rt.store,
        rt.zoom,
        rt.clock,
        load_agenda(SAMPLE_AGENDA, now=rt.clock.now(), allow_past=True),
        recreate=True,
    )
    result = sync_registrants(zoom_access(rt), None)
    assert result.held_back_daily == 1
    assert any("only 3 registration calls per person and day" in w for w in result.warnings)
