"""Meeting setup against the emulator: idempotent, one PATCH per edit, crash-safe create."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from orchestrator.agenda import LoadedAgenda, load_agenda
from orchestrator.app import App
from orchestrator.db.models import ZoomAuditEntry, ZoomMeeting
from orchestrator.db.models.zoom import MeetingState
from orchestrator.errors import OperationFailed
from orchestrator.events import upsert_event
from orchestrator.meeting import MeetingSetup, setup_meeting
from orchestrator.meeting.service import run_setup
from orchestrator.zoom.emulator import FaultRule
from tests.conftest import SAMPLE_AGENDA
from tests.support.runtime import make_runtime


def _loaded(rt: App, **changes: object) -> LoadedAgenda:
    loaded = load_agenda(SAMPLE_AGENDA, now=rt.clock.now())
    if changes:
        loaded = replace(loaded, agenda=loaded.agenda.model_copy(update=changes))
    return loaded


def _writes(rt: App) -> list[str]:
    return [f"{r.method} {r.path}" for r in rt.emulator.write_calls()]


def test_create_then_rerun_makes_no_write_and_edit_makes_one_patch(database_url: str, tmp_path: Path) -> None:
    rt = make_runtime(database_url, tmp_path)
    first = run_setup(rt.store, rt.zoom, rt.clock, _loaded(rt), recreate=False)
    assert first.action == "created"
    assert _writes(rt) == ["POST /v2/users/me/meetings"]
    meeting = rt.emulator.meeting(first.zoom_meeting_id)
    assert meeting is not None
    assert meeting["topic"].startswith("Digitaler Fachtag 2025")
    assert meeting["timezone"] == "Europe/Berlin"
    assert meeting["duration"] == 285
    assert meeting["settings"]["approval_type"] == 1

    rt.emulator.clear_request_log()
    second = run_setup(rt.store, rt.zoom, rt.clock, _loaded(rt), recreate=False)
    assert second.action == "unchanged"
    assert second.zoom_writes == 0
    assert _writes(rt) == []

    rt.emulator.clear_request_log()
    edited = run_setup(
        rt.store, rt.zoom, rt.clock, _loaded(rt, title="Digitaler Fachtag 2025 (neuer Titel)"), recreate=False
    )
    assert edited.action == "updated"
    assert _writes(rt) == [f"PATCH /v2/meetings/{first.zoom_meeting_id}"]
    assert rt.emulator.meeting(first.zoom_meeting_id)["topic"] == "Digitaler Fachtag 2025 (neuer Titel)"  # type: ignore[index]
    assert len(rt.emulator.meetings()) == 1

    with rt.session() as session:
        actions = [a.action for a in session.scalars(select(ZoomAuditEntry).order_by(ZoomAuditEntry.id))]
    assert actions == ["create_meeting", "update_meeting"]


def test_crash_between_zoom_answer_and_commit_adopts_instead_of_creating_twice(
    database_url: str, tmp_path: Path
) -> None:
    rt = make_runtime(database_url, tmp_path)
    loaded = _loaded(rt)
    with rt.session() as session:
        event, _ = upsert_event(session, loaded)
        session.commit()
        commits = {"n": 0}

        def crashing_commit() -> None:
            commits["n"] += 1
            if commits["n"] == 2:  # the commit right after Zoom answered the create call
                raise RuntimeError("process killed")
            session.commit()

        ctx = MeetingSetup(session=session, zoom=rt.zoom, clock=rt.clock, commit=crashing_commit)
        with pytest.raises(RuntimeError):
            setup_meeting(ctx, event, loaded.agenda)
        session.rollback()

    assert len(rt.emulator.meetings()) == 1
    with rt.session() as session:
        row = session.scalar(select(ZoomMeeting))
        assert row is not None and row.state == MeetingState.CREATING and row.zoom_meeting_id is None

    rt.emulator.clear_request_log()
    result = run_setup(rt.store, rt.zoom, rt.clock, loaded, recreate=False)
    assert result.action == "adopted"
    assert result.zoom_meeting_id == int(rt.emulator.meetings()[0]["id"])
    assert _writes(rt) == []
    assert len(rt.emulator.meetings()) == 1


def test_lost_answer_to_create_is_resolved_by_looking_in_zoom(database_url: str, tmp_path: Path) -> None:
    rt = make_runtime(database_url, tmp_path)
    # Zoom creates the meeting but answers later than the client waits.
    rt.emulator.faults.add(
        FaultRule("slow", path_glob="/v2/users/*/meetings", methods=frozenset({"POST"}), count=1, delay_s=120)
    )
    result = run_setup(rt.store, rt.zoom, rt.clock, _loaded(rt), recreate=False)
    assert result.action == "created"
    assert len(rt.emulator.meetings()) == 1
    assert result.zoom_meeting_id == int(rt.emulator.meetings()[0]["id"])


def test_server_error_on_create_creates_nothing_and_rerun_succeeds(database_url: str, tmp_path: Path) -> None:
    rt = make_runtime(database_url, tmp_path)
    rt.emulator.faults.add(
        FaultRule("500", path_glob="/v2/users/*/meetings", methods=frozenset({"POST"}), count=1)
    )
    with pytest.raises(OperationFailed, match="did not answer"):
        run_setup(rt.store, rt.zoom, rt.clock, _loaded(rt), recreate=False)
    assert rt.emulator.meetings() == []
    result = run_setup(rt.store, rt.zoom, rt.clock, _loaded(rt), recreate=False)
    assert result.action == "created"
    assert len(rt.emulator.meetings()) == 1


def test_meeting_deleted_in_zoom_is_reported_and_recreated_only_on_request(
    database_url: str, tmp_path: Path
) -> None:
    rt = make_runtime(database_url, tmp_path)
    first = run_setup(rt.store, rt.zoom, rt.clock, _loaded(rt), recreate=False)
    rt.zoom.delete_meeting(first.zoom_meeting_id)
    with pytest.raises(OperationFailed, match="no longer exists"):
        run_setup(rt.store, rt.zoom, rt.clock, _loaded(rt), recreate=False)
    with pytest.raises(OperationFailed, match="--recreate"):
        run_setup(rt.store, rt.zoom, rt.clock, _loaded(rt), recreate=False)
    again = run_setup(rt.store, rt.zoom, rt.clock, _loaded(rt), recreate=True)
    assert again.action == "recreated"
    assert again.zoom_meeting_id != first.zoom_meeting_id
    assert len(rt.emulator.meetings()) == 1


def test_two_events_in_one_store(database_url: str, tmp_path: Path) -> None:
    rt = make_runtime(database_url, tmp_path)
    run_setup(rt.store, rt.zoom, rt.clock, _loaded(rt), recreate=False)
    run_setup(
        rt.store,
        rt.zoom,
        rt.clock,
        _loaded(rt, key="fachtag-2025-3", title="Dritter Fachtag"),
        recreate=False,
    )
    assert len(rt.emulator.meetings()) == 2
    from orchestrator.errors import BadInput
    from orchestrator.events import resolve_event

    with rt.session() as session:
        with pytest.raises(BadInput, match="several events"):
            resolve_event(session, None)
        assert resolve_event(session, "fachtag-2025-3").title == "Dritter Fachtag"
