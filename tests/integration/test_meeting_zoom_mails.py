"""Zoom's own registration mails follow the agenda through ``meeting setup``: one PATCH per change."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from orchestrator.agenda import LoadedAgenda, load_agenda
from orchestrator.app import App
from orchestrator.meeting.service import run_setup
from tests.conftest import SAMPLE_AGENDA
from tests.support.runtime import make_runtime


def _loaded(rt: App, zoom_confirmation_mail: bool | None = None) -> LoadedAgenda:
    loaded = load_agenda(SAMPLE_AGENDA, now=rt.clock.now())
    registration = loaded.agenda.registration.model_copy(
        update={"zoom_confirmation_mail": zoom_confirmation_mail}
    )
    return replace(loaded, agenda=loaded.agenda.model_copy(update={"registration": registration}))


def _zoom_mails(rt: App, meeting_id: int) -> tuple[object, object]:
    meeting = rt.emulator.meeting(meeting_id)
    assert meeting is not None
    settings = meeting["settings"]
    return settings["registrants_confirmation_email"], settings["registrants_email_notification"]


def test_zoom_mail_switch_reaches_zoom_with_exactly_one_patch_per_change(
    database_url: str, tmp_path: Path
) -> None:
    rt = make_runtime(database_url, tmp_path)
    first = run_setup(rt.store, rt.zoom, rt.clock, _loaded(rt), recreate=False)
    assert first.action == "created"
    # The sample agenda sends our own confirmation, so Zoom's (on by default in Zoom) is switched off.
    assert _zoom_mails(rt, first.zoom_meeting_id) == (False, False)

    rt.emulator.clear_request_log()
    switched_on = run_setup(rt.store, rt.zoom, rt.clock, _loaded(rt, True), recreate=False)
    assert switched_on.action == "updated"
    assert [f"{r.method} {r.path}" for r in rt.emulator.write_calls()] == [
        f"PATCH /v2/meetings/{first.zoom_meeting_id}"
    ]
    assert _zoom_mails(rt, first.zoom_meeting_id) == (True, True)

    rt.emulator.clear_request_log()
    again = run_setup(rt.store, rt.zoom, rt.clock, _loaded(rt, True), recreate=False)
    assert again.action == "unchanged"
    assert rt.emulator.write_calls() == []

    rt.emulator.clear_request_log()
    back = run_setup(rt.store, rt.zoom, rt.clock, _loaded(rt, False), recreate=False)
    assert back.action == "updated"
    assert len(rt.emulator.write_calls()) == 1
    assert _zoom_mails(rt, first.zoom_meeting_id) == (False, False)

    # Leaving the field out again means what was just said explicitly: nothing to write.
    rt.emulator.clear_request_log()
    assert run_setup(rt.store, rt.zoom, rt.clock, _loaded(rt), recreate=False).action == "unchanged"
    assert rt.emulator.write_calls() == []
