"""Registration questions and participant reports: paths, bodies, pagination, UUID encoding, categories."""

from __future__ import annotations

import json

import pytest
import responses
from responses import matchers

from orchestrator.zoom.client import ZoomClient, meeting_path_id
from orchestrator.zoom.ratelimit import RateCategory, category_for

from .conftest import API

MEETING_ID = 85746065
QUESTIONS = {
    "questions": [{"field_name": "org", "required": True}],
    "custom_questions": [
        {"title": "Workshop am Vormittag", "type": "single", "required": True, "answers": ["A1", "A2"]},
        {"title": "Anmerkungen", "type": "short", "required": False},
    ],
}


def test_registration_questions_round_trip(rsps: responses.RequestsMock, client: ZoomClient) -> None:
    url = f"{API}/meetings/{MEETING_ID}/registrants/questions"
    rsps.add(responses.PATCH, url, status=204, match=[matchers.json_params_matcher(QUESTIONS)])
    rsps.add(responses.GET, url, json=QUESTIONS)
    assert client.update_registration_questions(MEETING_ID, QUESTIONS) is None
    assert client.get_registration_questions(MEETING_ID) == QUESTIONS


def test_rate_categories_of_the_new_endpoints() -> None:
    assert category_for("GET", "/meetings/{meetingId}/registrants/questions") is RateCategory.LIGHT
    assert category_for("PATCH", "/meetings/{meetingId}/registrants/questions") is RateCategory.LIGHT
    assert category_for("GET", "/past_meetings/{meetingId}/participants") is RateCategory.MEDIUM
    assert category_for("GET", "/report/meetings/{meetingId}/participants") is RateCategory.HEAVY


def participant(n: int) -> dict[str, object]:
    return {
        "id": "",
        "user_id": str(16778240 + n),
        "name": f"P{n}",
        "user_email": "",
        "join_time": "2025-08-27T07:30:00Z",
        "leave_time": "2025-08-27T08:30:00Z",
        "duration": 3600,
    }


@pytest.mark.parametrize(
    ("method", "path", "extra"),
    [
        ("iter_past_meeting_participants", "past_meetings", {}),
        ("iter_report_participants", "report/meetings", {"include_fields": "registrant_id"}),
    ],
)
def test_participants_follow_pages(
    rsps: responses.RequestsMock, client: ZoomClient, method: str, path: str, extra: dict[str, str]
) -> None:
    url = f"{API}/{path}/{MEETING_ID}/participants"
    first = {
        "page_size": 300,
        "total_records": 3,
        "next_page_token": "t2",
        "participants": [participant(1), participant(2)],
    }
    second = {"page_size": 300, "total_records": 3, "next_page_token": "", "participants": [participant(3)]}
    rsps.add(
        responses.GET, url, json=first, match=[matchers.query_param_matcher({**extra, "page_size": "300"})]
    )
    rsps.add(
        responses.GET,
        url,
        json=second,
        match=[matchers.query_param_matcher({**extra, "page_size": "300", "next_page_token": "t2"})],
    )
    names = [p["name"] for p in getattr(client, method)(MEETING_ID, page_size=1000)]
    assert names == ["P1", "P2", "P3"]


@pytest.mark.parametrize(
    ("uuid", "in_path"),
    [
        ("4444AAAiAAAAAiAiAiiAii==", "4444AAAiAAAAAiAiAiiAii%3D%3D"),
        ("abc/def==", "abc%2Fdef%3D%3D"),  # one slash inside: encoded once
        ("/ajXp112QmuoKj4854875==", "%252FajXp112QmuoKj4854875%253D%253D"),  # leading slash: twice
        ("ab//cd==", "ab%252F%252Fcd%253D%253D"),  # double slash: twice
    ],
)
def test_meeting_uuids_are_double_encoded_where_zoom_requires(
    rsps: responses.RequestsMock, client: ZoomClient, uuid: str, in_path: str
) -> None:
    rsps.add(
        responses.GET,
        f"{API}/past_meetings/{in_path}/participants",
        json={"next_page_token": "", "participants": []},
    )
    assert list(client.iter_past_meeting_participants(uuid)) == []
    assert f"/past_meetings/{in_path}/participants?" in str(rsps.calls[-1].request.url)


def test_meeting_path_id_keeps_plain_ids() -> None:
    assert meeting_path_id(85746065) == "85746065"
    assert json.dumps(meeting_path_id("/a")) == '"%2Fa"'
