"""Registration questions and participant reports, driven with the shapes of Zoom's OpenAPI document.

What Zoom's own SDK (``@zoom/rivet``) does: ``updateRegistrationQuestions`` → 204,
``getRegistrationQuestions`` → 200 with what was written. The round trip runs always; requests
and answers are validated against Zoom's document when it is next to the repository (skipped with
the reason otherwise).
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from jsonschema import Draft4Validator

from orchestrator.zoom.emulator import EmulatorAdapter, EmulatorApp, EmulatorConfig, EmulatorState
from orchestrator.zoom.emulator.attendance import AttendancePlan
from tests.support.zoom_spec import load_zoom_meetings_spec
from tests.unit.emulator.emulator_helpers import Zoom
from tests.unit.emulator.test_emulator_schema import FORMATS, _resolve, check

# The request as the document's example shapes it (field names and enums from the document).
QUESTIONS: dict[str, Any] = {
    "questions": [{"field_name": "org", "required": True}, {"field_name": "comments", "required": False}],
    "custom_questions": [
        {"title": "Workshop am Nachmittag", "type": "single", "required": True, "answers": ["W3", "W4"]},
        {"title": "Barrierefreiheit", "type": "short", "required": False},
    ],
}


def run_round_trip(checker: Any) -> None:
    app = EmulatorApp(EmulatorState(), EmulatorConfig())
    with requests.Session() as session:
        session.mount("https://", EmulatorAdapter(app))
        zoom = Zoom(session)
        meeting_id = zoom.create_meeting(start_time="2025-08-27T09:30:00", duration=120)["id"]
        path = f"/meetings/{meeting_id}/registrants/questions"
        checker("get_questions", zoom.call("GET", path))
        updated = zoom.call("PATCH", path, json=QUESTIONS)
        assert updated.status_code == 204
        checker("update_questions", updated)
        got = zoom.call("GET", path)
        assert got.status_code == 200 and got.json() == QUESTIONS
        checker("get_questions", got)
        checker("get_questions", zoom.call("GET", "/meetings/1/registrants/questions"))  # 404 code 3001

        batch = [
            {
                "email": f"p{n}@example.org",
                "first_name": f"P{n}",
                "custom_questions": [{"title": "Workshop am Nachmittag", "value": "W3"}],
            }
            for n in range(6)
        ]
        zoom.call(
            "POST",
            f"/meetings/{meeting_id}/batch_registrants",
            json={"auto_approve": True, "registrants": batch},
        )
        app.simulate_attendance(meeting_id, AttendancePlan(seed=4, guests=1, breakout_rooms=2))
        checker(
            "past_participants",
            zoom.call("GET", f"/past_meetings/{meeting_id}/participants", params={"page_size": 3}),
        )
        checker(
            "report_participants",
            zoom.call(
                "GET",
                f"/report/meetings/{meeting_id}/participants",
                params={"page_size": 3, "include_fields": "registrant_id"},
            ),
        )
        checker("report_participants", zoom.call("GET", "/report/meetings/1/participants"))


def test_questions_round_trip_like_zoom_sdk() -> None:
    run_round_trip(lambda route, answer: None)


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    document = load_zoom_meetings_spec()  # skips, saying why, when the document is absent
    resolved: dict[str, Any] = _resolve(document, document)
    return resolved


def test_requests_and_answers_validate_against_zoom_document(spec: dict[str, Any]) -> None:
    request_schema = spec["paths"]["/meetings/{meetingId}/registrants/questions"]["patch"]["requestBody"][
        "content"
    ]["application/json"]["schema"]
    errors = list(Draft4Validator(request_schema, format_checker=FORMATS).iter_errors(QUESTIONS))
    assert not errors, [e.message for e in errors]
    run_round_trip(lambda route, answer: check(spec, route, answer))
