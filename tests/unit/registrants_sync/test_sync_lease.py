"""One sync per event at a time: busy, skipped, lost lease, people imported while a sync runs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from orchestrator.app import App
from orchestrator.clock import FrozenClock
from orchestrator.db.lease import LeaseBusy, LeaseLost, new_holder_id, read, try_take
from orchestrator.db.models import Event
from orchestrator.jobs import registrants as registrants_job
from orchestrator.jobs.registrants import zoom_access
from orchestrator.registrants.service import (
    SyncOptions,
    import_registrations,
    sync_lease_name,
    sync_registrants,
)
from orchestrator.results import to_jsonable
from orchestrator.zoom.emulator import EmulatorApp
from tests.unit.registrants_sync.conftest import meeting_id, write_export

PEOPLE = [(f"P{i}", "X", f"p{i:03d}@example.org") for i in range(95)]
OTHER = "orchestrator registrants sync (PID 4242, otherhost)"


def _lease_name(rt: App) -> str:
    with rt.session() as session:
        return sync_lease_name(session.scalars(select(Event)).one().id)


def _hold_elsewhere(rt: App) -> str:
    holder = new_holder_id().replace(":", "-")  # another host: never taken for a dead process
    assert try_take(rt.sessions, _lease_name(rt), holder, OTHER, now=rt.clock.now()) is None
    return holder


def test_sync_while_another_runs_is_busy_and_sends_nothing(
    rt: App, emulator: EmulatorApp, tmp_path: Path
) -> None:
    import_registrations(rt.store, rt.clock, None, write_export(tmp_path / "e.csv", PEOPLE[:3]))
    _hold_elsewhere(rt)
    writes = len(emulator.write_calls())
    with pytest.raises(LeaseBusy, match=r"already running \(orchestrator registrants sync \(PID 4242"):
        sync_registrants(zoom_access(rt), None)
    told = []
    with pytest.raises(LeaseBusy, match=r"still running after 5 s of waiting"):
        sync_registrants(zoom_access(rt), None, SyncOptions(wait_seconds=5, on_wait=told.append))
    assert [info.holder_label for info in told] == [OTHER]
    assert len(emulator.write_calls()) == writes
    # The scheduled job skips its tick quietly.
    assert to_jsonable(registrants_job.run(rt, None)) == {
        "skipped": True,
        "reason": "another sync is running",
        "holder": OTHER,
    }


def test_lease_is_released_after_the_sync_and_after_a_failure(
    rt: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_registrations(rt.store, rt.clock, None, write_export(tmp_path / "e.csv", PEOPLE[:3]))
    assert sync_registrants(zoom_access(rt), None).registered == 3
    assert read(rt.sessions, _lease_name(rt)) is None

    def broken(*_args: object, **_kwargs: object) -> None:
        assert read(rt.sessions, _lease_name(rt)) is not None  # held while the pass runs
        raise RuntimeError("boom")

    monkeypatch.setattr("orchestrator.registrants.sync.sync_event", broken)
    with pytest.raises(RuntimeError, match="boom"):
        sync_registrants(zoom_access(rt), None)
    assert read(rt.sessions, _lease_name(rt)) is None


def test_people_imported_while_a_sync_runs_are_registered_by_it(
    rt: App, emulator: EmulatorApp, tmp_path: Path
) -> None:
    import_registrations(rt.store, rt.clock, None, write_export(tmp_path / "a.csv", PEOPLE[:60]))
    late = write_export(tmp_path / "b.csv", PEOPLE[60:])
    imported = []

    def import_during_sync(done: int, total: int) -> None:
        if done > 0 and not imported:  # the first batch is in Zoom: the organiser uploads more
            imported.append(import_registrations(rt.store, rt.clock, None, late).counts.added)

    result = sync_registrants(zoom_access(rt), None, SyncOptions(progress=import_during_sync))
    assert imported == [35]
    assert result.registered == 95 and result.states == {"registered": 95}
    assert len(emulator.registrants(meeting_id(emulator))) == 95


def test_lost_lease_stops_the_sync_before_its_next_zoom_write(
    rt: App, emulator: EmulatorApp, tmp_path: Path
) -> None:
    import_registrations(rt.store, rt.clock, None, write_export(tmp_path / "a.csv", PEOPLE))
    clock = rt.clock
    assert isinstance(clock, FrozenClock)
    taken = []

    def stall_then_lose(done: int, total: int) -> None:
        if done > 0 and not taken:
            clock.advance(timedelta(minutes=3))  # one step took longer than the lease
            taken.append(_hold_elsewhere(rt))

    with pytest.raises(LeaseLost, match="another sync has taken over"):
        sync_registrants(zoom_access(rt), None, SyncOptions(progress=stall_then_lose))
    batches = [r for r in emulator.request_log() if r.path.endswith("/batch_registrants")]
    assert len(batches) == 1  # nothing sent after the lease was lost
    holder = read(rt.sessions, _lease_name(rt))
    assert holder is not None and holder.holder == taken[0]  # the new holder's lease is left alone
