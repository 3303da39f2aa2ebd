"""Meeting setup writes Zoom's registration form from the agenda: once, then only when it changed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from orchestrator.agenda import Agenda, LoadedAgenda, load_agenda
from orchestrator.agenda.validation import check_agenda
from orchestrator.app import App
from orchestrator.db.models import Event
from orchestrator.errors import OperationFailed
from orchestrator.meeting.questions import registration_questions
from orchestrator.meeting.service import run_setup
from tests.conftest import SAMPLE_AGENDA
from tests.support.runtime import make_runtime

WORKSHOPS = [
    "ALIA – Agil leben im Alter",
    "Wohnen statt Unterbringung – reloaded",
    "Kümmerei Köln",
    "Kommunale Sorgestrukturen",
    "Caring Community Köln",
]


def _with_questions(agenda: Agenda, **registration: object) -> Agenda:
    update = {"questions": True, **registration}
    return agenda.model_copy(update={"registration": agenda.registration.model_copy(update=update)})


def _renamed(agenda: Agenda, old: str, new: str) -> Agenda:
    rounds = [
        r.model_copy(
            update={
                "rooms": [
                    room.model_copy(update={"name": new}) if room.name == old else room for room in r.rooms
                ]
            }
        )
        for r in agenda.breakout_rounds
    ]
    return agenda.model_copy(update={"breakout_rounds": rounds})


def _loaded(rt: App, agenda: Agenda | None = None) -> LoadedAgenda:
    loaded = load_agenda(SAMPLE_AGENDA, now=rt.clock.now())
    return replace(loaded, agenda=agenda or _with_questions(loaded.agenda))


def _question_writes(rt: App) -> list[str]:
    return [f"{r.method} {r.path}" for r in rt.emulator.write_calls() if r.path.endswith("/questions")]


def _form(rt: App, meeting_id: int) -> dict[str, Any]:
    return rt.zoom.get_registration_questions(meeting_id)


def test_first_setup_writes_the_form_rerun_writes_nothing_and_a_rename_one_patch(
    database_url: str, tmp_path: Path
) -> None:
    rt = make_runtime(database_url, tmp_path)
    loaded = _loaded(rt)
    first = run_setup(rt.store, rt.zoom, rt.clock, loaded, recreate=False)
    meeting_id = first.zoom_meeting_id
    assert first.action == "created" and first.zoom_writes == 2
    assert _question_writes(rt) == [f"PATCH /v2/meetings/{meeting_id}/registrants/questions"]
    form = _form(rt, meeting_id)
    assert form["questions"] == [
        {"field_name": "org", "required": True},
        {"field_name": "job_title", "required": False},
    ]
    assert form["custom_questions"] == [
        {"title": f"Workshop-Wunsch {rank}", "type": "single", "required": True, "answers": WORKSHOPS}
        for rank in (1, 2, 3)
    ]

    rt.emulator.clear_request_log()
    second = run_setup(rt.store, rt.zoom, rt.clock, loaded, recreate=False)
    assert (second.action, second.zoom_writes) == ("unchanged", 0)
    assert rt.emulator.write_calls() == []

    rt.emulator.clear_request_log()
    renamed = _renamed(loaded.agenda, "Kümmerei Köln", "Kümmerei Köln-Mülheim")
    third = run_setup(rt.store, rt.zoom, rt.clock, _loaded(rt, renamed), recreate=False)
    # the meeting's own settings do not mention workshops: only the form changes
    assert (third.action, third.zoom_writes) == ("unchanged", 1)
    assert [f"{r.method} {r.path}" for r in rt.emulator.write_calls()] == [
        f"PATCH /v2/meetings/{meeting_id}/registrants/questions"
    ]
    assert _form(rt, meeting_id)["custom_questions"][0]["answers"][2] == "Kümmerei Köln-Mülheim"


def test_form_edited_by_hand_in_zoom_is_put_back_with_one_patch(database_url: str, tmp_path: Path) -> None:
    rt = make_runtime(database_url, tmp_path)
    loaded = _loaded(rt)
    meeting_id = run_setup(rt.store, rt.zoom, rt.clock, loaded, recreate=False).zoom_meeting_id
    rt.zoom.update_registration_questions(meeting_id, {"custom_questions": []})
    rt.emulator.clear_request_log()
    again = run_setup(rt.store, rt.zoom, rt.clock, loaded, recreate=False)
    assert again.zoom_writes == 1
    assert len(_form(rt, meeting_id)["custom_questions"]) == 3


def test_agenda_without_questions_leaves_zoom_form_alone(database_url: str, tmp_path: Path) -> None:
    rt = make_runtime(database_url, tmp_path)
    loaded = load_agenda(SAMPLE_AGENDA, now=rt.clock.now())
    result = run_setup(rt.store, rt.zoom, rt.clock, loaded, recreate=False)
    assert result.zoom_writes == 1
    assert _question_writes(rt) == []
    assert all(not r.path.endswith("/questions") for r in rt.emulator.request_log())


def test_wish_ranks_privacy_consent_and_english_titles() -> None:
    # the form speaks the agenda's default language (German unless it says otherwise), not the UI's
    agenda = load_agenda(SAMPLE_AGENDA, allow_past=True).agenda
    body = registration_questions(
        _with_questions(agenda, wish_ranks=2, privacy_url="https://example.org/datenschutz")
    )
    assert body is not None
    titles = [q["title"] for q in body["custom_questions"]]
    assert titles == [
        "Workshop-Wunsch 1",
        "Workshop-Wunsch 2",
        "Ich habe die Datenschutzhinweise (https://example.org/datenschutz) gelesen und stimme ihnen zu",
    ]
    assert body["custom_questions"][-1] == {
        "title": titles[-1],
        "type": "single",
        "required": True,
        "answers": ["Ja, ich stimme zu"],
    }
    english = registration_questions(_with_questions(agenda).model_copy(update={"default_language": "en"}))
    assert english is not None
    assert [q["title"] for q in english["custom_questions"]] == [f"Workshop wish {n}" for n in (1, 2, 3)]
    assert registration_questions(agenda) is None


def test_workshop_name_longer_than_a_zoom_answer_is_refused_before_any_call(
    database_url: str, tmp_path: Path
) -> None:
    rt = make_runtime(database_url, tmp_path)
    loaded = _loaded(rt)
    too_long = _renamed(loaded.agenda, "Kümmerei Köln", "K" * 129)
    with pytest.raises(OperationFailed, match="longer than the 128 characters"):
        run_setup(rt.store, rt.zoom, rt.clock, _loaded(rt, too_long), recreate=False)
    assert rt.emulator.request_log() == []
    with rt.session() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == 0
    problems = [f.message for f in check_agenda(too_long, now=rt.clock.now()).problems]
    assert any("128 characters Zoom allows for an answer" in message for message in problems)


def test_agenda_check_rejects_more_ranks_than_workshops_and_a_bad_privacy_url() -> None:
    loaded = load_agenda(SAMPLE_AGENDA, allow_past=True)
    agenda = _with_questions(loaded.agenda, privacy_url="datenschutz.html")
    few = agenda.model_copy(
        update={
            "breakout_rounds": [r.model_copy(update={"rooms": r.rooms[:2]}) for r in agenda.breakout_rounds]
        }
    )
    findings = {f.loc: f.message for f in check_agenda(few, now=loaded.agenda.start_utc).problems}
    assert findings[("registration", "wish_ranks")] == (
        "3 workshop wishes asked, but the agenda offers 2 workshops"
    )
    assert "https://" in findings[("registration", "privacy_url")]
