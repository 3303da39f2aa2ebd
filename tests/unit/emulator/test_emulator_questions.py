"""GET|PATCH /meetings/{meetingId}/registrants/questions, and registrants' answers to custom questions."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.emulator.emulator_helpers import Zoom

QUESTIONS: dict[str, Any] = {
    "questions": [{"field_name": "org", "required": True}, {"field_name": "job_title", "required": False}],
    "custom_questions": [
        {
            "title": "Workshop am Vormittag",
            "type": "single",
            "required": True,
            "answers": ["W1 Digitale Lehre", "W2 Inklusion"],
        },
        {"title": "Anmerkungen", "type": "short", "required": False},
    ],
}


def questions_path(meeting_id: object) -> str:
    return f"/meetings/{meeting_id}/registrants/questions"


def test_patch_answers_204_and_get_returns_what_was_written(zoom: Zoom) -> None:
    meeting_id = zoom.create_meeting()["id"]
    before = zoom.call("GET", questions_path(meeting_id))
    assert before.status_code == 200
    assert before.json() == {
        "questions": [{"field_name": "last_name", "required": True}],
        "custom_questions": [],
    }
    answer = zoom.call("PATCH", questions_path(meeting_id), json=QUESTIONS)
    assert (answer.status_code, answer.content) == (204, b"")
    assert zoom.call("GET", questions_path(meeting_id)).json() == QUESTIONS
    # a PATCH with one list keeps the other
    zoom.call("PATCH", questions_path(meeting_id), json={"questions": []})
    assert zoom.call("GET", questions_path(meeting_id)).json() == {
        "questions": [],
        "custom_questions": QUESTIONS["custom_questions"],
    }
    # questions are not part of the meeting's own answer
    assert "registration_questions" not in zoom.call("GET", f"/meetings/{meeting_id}").json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"questions": [{"field_name": "first_name", "required": True}]}, "questions[0].field_name"),
        ({"questions": [{"field_name": "org"}, {"field_name": "org"}]}, "questions[1].field_name"),
        ({"questions": [{"field_name": "org", "required": "yes"}]}, "questions[0].required"),
        (
            {"custom_questions": [{"title": "Q", "type": "multiple", "answers": ["a", "b"]}]},
            "custom_questions[0].type",
        ),
        (
            {"custom_questions": [{"title": "Q", "type": "short", "answers": ["a"]}]},
            "custom_questions[0].answers",
        ),
        ({"custom_questions": [{"title": "Q", "type": "single"}]}, "custom_questions[0].answers"),
        (
            {"custom_questions": [{"title": "Q", "type": "single", "answers": ["x" * 129]}]},
            "custom_questions[0].answers",
        ),
        ({"custom_questions": [{"title": "", "type": "short"}]}, "custom_questions[0].title"),
        ({"custom_questions": [{"title": f"Q{n}", "type": "short"} for n in range(21)]}, "custom_questions"),
        ({"custom_questions": "Workshop"}, "custom_questions"),
    ],
)
def test_patch_validates_like_zoom_and_changes_nothing_on_error(
    zoom: Zoom, body: dict[str, Any], field: str
) -> None:
    meeting_id = zoom.create_meeting()["id"]
    zoom.call("PATCH", questions_path(meeting_id), json=QUESTIONS)
    answer = zoom.call("PATCH", questions_path(meeting_id), json=body)
    assert answer.status_code == 400
    assert answer.json()["code"] == 300 and answer.json()["errors"][0]["field"] == field
    assert zoom.call("GET", questions_path(meeting_id)).json() == QUESTIONS


def test_unknown_meeting_and_meeting_without_registration(zoom: Zoom) -> None:
    missing = zoom.call("GET", questions_path(123456789))
    assert (missing.status_code, missing.json()["code"]) == (404, 3001)
    no_registration = zoom.create_meeting(settings={"approval_type": 2})["id"]
    answer = zoom.call("PATCH", questions_path(no_registration), json=QUESTIONS)
    assert answer.status_code == 400


def test_registrants_keep_their_answers_in_listings_and_get(zoom: Zoom) -> None:
    meeting_id = zoom.create_meeting()["id"]
    zoom.call("PATCH", questions_path(meeting_id), json=QUESTIONS)
    answers = [
        {"title": "Workshop am Vormittag", "value": "W2 Inklusion"},
        {"title": "Anmerkungen", "value": "ä" * 128},
    ]
    added = zoom.call(
        "POST",
        f"/meetings/{meeting_id}/registrants",
        json={"email": "erika@example.org", "first_name": "Erika", "custom_questions": answers},
    )
    assert added.status_code == 201
    registrant_id = added.json()["registrant_id"]
    listed = zoom.call("GET", f"/meetings/{meeting_id}/registrants").json()["registrants"]
    assert listed[0]["custom_questions"] == answers
    got = zoom.call("GET", f"/meetings/{meeting_id}/registrants/{registrant_id}").json()
    assert got["custom_questions"] == answers
    too_long = zoom.call(
        "POST",
        f"/meetings/{meeting_id}/registrants",
        json={
            "email": "max@example.org",
            "first_name": "Max",
            "custom_questions": [{"title": "Anmerkungen", "value": "x" * 129}],
        },
    )
    assert too_long.status_code == 400


def test_questions_is_not_taken_for_a_registrant_id(zoom: Zoom) -> None:
    meeting_id = zoom.create_meeting()["id"]
    answer = zoom.call("DELETE", questions_path(meeting_id))
    assert answer.status_code == 404 and answer.json()["code"] == 3079  # no registrant "questions"
    assert zoom.call("PUT", questions_path(meeting_id), json={}).status_code == 405
