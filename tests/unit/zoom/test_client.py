"""ZoomClient: paths and bodies per Zoom's spec, pagination (incl. expired page tokens), chunking."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import responses
from responses import matchers

from orchestrator.zoom.client import ZoomClient, chunked, paginate
from orchestrator.zoom.errors import (
    NotFound,
    PaginationLimitExceeded,
    RateLimited,
    ValidationFailed,
    ZoomUnavailable,
)
from orchestrator.zoom.http import ZoomHttp
from orchestrator.zoom.ratelimit import DailyLimits

from .conftest import API, RecordingClock, zoom_error

MEETING_ID = 85746065
REGISTRANTS = f"{API}/meetings/{MEETING_ID}/registrants"


def registrant(n: int) -> dict[str, Any]:
    """A registrant as Zoom lists it (shape of GET /meetings/{meetingId}/registrants)."""
    return {
        "id": f"reg{n:04d}",
        "first_name": f"Person{n}",
        "last_name": "Muster",
        "email": f"person{n}@example.org",
        "status": "approved",
        "create_time": "2025-03-01T10:00:00Z",
        "join_url": f"https://zoom.test/w/{MEETING_ID}?tk=secret-token-{n}",
        "custom_questions": [],
    }


def page(items: list[dict[str, Any]], token: str, size: int = 300) -> dict[str, Any]:
    return {
        "page_count": 3,
        "page_size": size,
        "total_records": 7,
        "next_page_token": token,
        "registrants": items,
    }


def query(**params: str) -> Any:
    return matchers.query_param_matcher(params)


def test_iter_registrants_follows_next_page_token(rsps: responses.RequestsMock, client: ZoomClient) -> None:
    rsps.add(
        responses.GET,
        REGISTRANTS,
        json=page([registrant(1), registrant(2)], "t2"),
        match=[query(status="approved", page_size="300")],
    )
    rsps.add(
        responses.GET,
        REGISTRANTS,
        json=page([registrant(3)], "t3"),
        match=[query(status="approved", page_size="300", next_page_token="t2")],
    )
    rsps.add(
        responses.GET,
        REGISTRANTS,
        json=page([registrant(4)], ""),
        match=[query(status="approved", page_size="300", next_page_token="t3")],
    )
    ids = [r["id"] for r in client.iter_registrants(MEETING_ID, "approved")]
    assert ids == ["reg0001", "reg0002", "reg0003", "reg0004"]


def test_page_size_is_capped_at_300(rsps: responses.RequestsMock, client: ZoomClient) -> None:
    rsps.add(
        responses.GET,
        REGISTRANTS,
        json=page([registrant(1)], ""),
        match=[query(status="pending", page_size="300")],
    )
    assert len(list(client.iter_registrants(MEETING_ID, "pending", page_size=1000))) == 1


def test_expired_page_token_restarts_listing_once_without_duplicates(
    rsps: responses.RequestsMock, client: ZoomClient
) -> None:
    first = page([registrant(1), registrant(2)], "t2")
    # After the restart page one also contains a person who registered in between.
    refreshed = page([registrant(1), registrant(2), registrant(5)], "u2")
    rsps.add(responses.GET, REGISTRANTS, json=first, match=[query(status="approved", page_size="300")])
    rsps.add(
        responses.GET,
        REGISTRANTS,
        status=400,
        json=zoom_error(300, "The next page token is invalid or expired."),
        match=[query(status="approved", page_size="300", next_page_token="t2")],
    )
    rsps.add(responses.GET, REGISTRANTS, json=refreshed, match=[query(status="approved", page_size="300")])
    rsps.add(
        responses.GET,
        REGISTRANTS,
        json=page([registrant(3)], ""),
        match=[query(status="approved", page_size="300", next_page_token="u2")],
    )
    ids = [r["id"] for r in client.iter_registrants(MEETING_ID)]
    assert ids == ["reg0001", "reg0002", "reg0005", "reg0003"]


def test_second_expired_page_token_is_raised(rsps: responses.RequestsMock, client: ZoomClient) -> None:
    rsps.add(
        responses.GET,
        REGISTRANTS,
        json=page([registrant(1)], "t2"),
        match=[query(status="approved", page_size="300")],
    )
    rsps.add(
        responses.GET,
        REGISTRANTS,
        status=400,
        json=zoom_error(300, "The next page token is invalid or expired."),
        match=[query(status="approved", page_size="300", next_page_token="t2")],
    )
    with pytest.raises(ValidationFailed) as caught:
        list(client.iter_registrants(MEETING_ID))
    assert caught.value.code == 300


def test_error_on_first_page_is_not_mistaken_for_expiry(
    rsps: responses.RequestsMock, client: ZoomClient
) -> None:
    rsps.add(responses.GET, REGISTRANTS, status=400, json=zoom_error(300, "Cannot access webinar info."))
    with pytest.raises(ValidationFailed):
        list(client.iter_registrants(MEETING_ID))
    assert len(rsps.calls) == 2  # token + one listing call


def test_max_pages_cap(rsps: responses.RequestsMock, http: ZoomHttp) -> None:
    rsps.add(responses.GET, REGISTRANTS, json=page([registrant(1)], "again"))
    items = paginate(
        http,
        "/meetings/{meetingId}/registrants",
        "registrants",
        path_params={"meetingId": MEETING_ID},
        max_pages=3,
    )
    with pytest.raises(PaginationLimitExceeded):
        list(items)


def test_iter_meetings(rsps: responses.RequestsMock, client: ZoomClient) -> None:
    rsps.add(
        responses.GET,
        f"{API}/users/me/meetings",
        json={
            "page_size": 300,
            "total_records": 1,
            "next_page_token": "",
            "meetings": [{"id": MEETING_ID, "topic": "Fachtag 2025", "type": 2}],
        },
        match=[query(type="scheduled", page_size="300")],
    )
    assert [m["topic"] for m in client.iter_meetings("me")] == ["Fachtag 2025"]


def test_invalid_status_and_action_are_refused(client: ZoomClient) -> None:
    with pytest.raises(ValueError):
        client.iter_registrants(MEETING_ID, "waiting")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        client.update_registrant_status(MEETING_ID, "remove", [])  # type: ignore[arg-type]


def test_create_meeting_posts_body_and_returns_meeting(
    rsps: responses.RequestsMock, client: ZoomClient
) -> None:
    body = {
        "topic": "Fachtag 2025",
        "type": 2,
        "start_time": "2025-06-12T07:00:00Z",
        "duration": 480,
        "timezone": "Europe/Berlin",
        "settings": {"approval_type": 0, "registration_type": 1},
    }
    rsps.add(
        responses.POST,
        f"{API}/users/me/meetings",
        status=201,
        json={"id": MEETING_ID, "topic": "Fachtag 2025", "join_url": "https://zoom.test/j/85746065"},
        match=[matchers.json_params_matcher(body)],
    )
    assert client.create_meeting("me", body)["id"] == MEETING_ID


def test_create_meeting_5xx_is_raised_as_ambiguous(rsps: responses.RequestsMock, client: ZoomClient) -> None:
    rsps.add(responses.POST, f"{API}/users/me/meetings", status=500, json=zoom_error(500, "Internal"))
    with pytest.raises(ZoomUnavailable) as caught:
        client.create_meeting("me", {"topic": "x"})
    assert caught.value.ambiguous is True
    assert len([c for c in rsps.calls if "meetings" in str(c.request.url)]) == 1


def test_update_and_delete_meeting(rsps: responses.RequestsMock, client: ZoomClient) -> None:
    rsps.add(
        responses.PATCH,
        f"{API}/meetings/{MEETING_ID}",
        status=204,
        match=[matchers.json_params_matcher({"topic": "Neu"})],
    )
    rsps.add(
        responses.DELETE,
        f"{API}/meetings/{MEETING_ID}",
        status=404,
        json=zoom_error(3001, f"Meeting does not exist: {MEETING_ID}."),
    )
    client.update_meeting(MEETING_ID, {"topic": "Neu"})
    client.delete_meeting(MEETING_ID, missing_ok=True)
    with pytest.raises(NotFound) as caught:
        client.delete_meeting(MEETING_ID)
    assert caught.value.code == 3001


def test_get_meeting_and_user(rsps: responses.RequestsMock, client: ZoomClient) -> None:
    rsps.add(responses.GET, f"{API}/meetings/{MEETING_ID}", json={"id": MEETING_ID, "topic": "Fachtag"})
    rsps.add(responses.GET, f"{API}/users/me", json={"id": "KDcuGIm1QgePTO8WbOqwIQ", "type": 2})
    assert client.get_meeting(MEETING_ID)["topic"] == "Fachtag"
    assert client.get_user()["type"] == 2


def test_add_registrant_with_occurrences_is_retried_after_5xx(
    rsps: responses.RequestsMock, client: ZoomClient
) -> None:
    body = {"email": "Anna@Example.org", "first_name": "Anna", "last_name": "Beispiel"}
    answer = {
        "id": MEETING_ID,
        "registrant_id": "fdgsfh2ey82fuh",
        "join_url": "https://zoom.test/w/1?tk=t",
        "topic": "Fachtag",
        "start_time": "2025-06-12T07:00:00Z",
    }
    match = [matchers.json_params_matcher(body), query(occurrence_ids="1,2")]
    rsps.add(responses.POST, REGISTRANTS, status=503, json=zoom_error(503, "busy"), match=match)
    rsps.add(responses.POST, REGISTRANTS, status=201, json=answer, match=match)
    added = client.add_registrant(MEETING_ID, body, occurrence_ids=["1", "2"])
    assert added["registrant_id"] == "fdgsfh2ey82fuh"


def test_batch_registrants_body_and_limit(rsps: responses.RequestsMock, client: ZoomClient) -> None:
    people = [{"email": f"p{n}@example.org", "first_name": f"P{n}", "last_name": "X"} for n in range(30)]
    answer = {
        "registrants": [
            {"email": p["email"], "registrant_id": f"r{n}", "join_url": "https://zoom.test/w/1"}
            for n, p in enumerate(people)
        ]
    }
    rsps.add(
        responses.POST,
        f"{API}/meetings/{MEETING_ID}/batch_registrants",
        status=201,
        json=answer,
        match=[
            matchers.json_params_matcher(
                {"auto_approve": True, "registrants_confirmation_email": False, "registrants": people}
            )
        ],
    )
    assert len(client.batch_registrants(MEETING_ID, people, auto_approve=True)["registrants"]) == 30
    with pytest.raises(ValueError, match="at most 30"):
        client.batch_registrants(MEETING_ID, [*people, people[0]], auto_approve=True)
    assert client.batch_registrants(MEETING_ID, [], auto_approve=False) == {"registrants": []}


def test_update_registrant_status_is_sent_in_chunks_of_30(
    rsps: responses.RequestsMock, client: ZoomClient
) -> None:
    rsps.add(responses.PUT, f"{REGISTRANTS}/status", status=204)
    people = [{"id": f"reg{n}", "email": f"p{n}@example.org"} for n in range(65)]
    client.update_registrant_status(MEETING_ID, "approve", people)
    bodies = [json.loads(c.request.body or "{}") for c in rsps.calls if c.request.method == "PUT"]
    assert [len(b["registrants"]) for b in bodies] == [30, 30, 5]
    assert {b["action"] for b in bodies} == {"approve"}
    assert [r["id"] for b in bodies for r in b["registrants"]] == [p["id"] for p in people]


def test_get_and_delete_registrant(rsps: responses.RequestsMock, client: ZoomClient) -> None:
    rsps.add(responses.GET, f"{REGISTRANTS}/reg0001", json=registrant(1))
    rsps.add(responses.DELETE, f"{REGISTRANTS}/reg0001", status=204)
    assert client.get_meeting_registrant(MEETING_ID, "reg0001")["email"] == "person1@example.org"
    client.delete_registrant(MEETING_ID, "reg0001")
    assert [c.request.method for c in rsps.calls][-1] == "DELETE"


def test_local_daily_limit_for_the_same_registrant(
    rsps: responses.RequestsMock, http: ZoomHttp, clock: RecordingClock
) -> None:
    client = ZoomClient(http, DailyLimits(clock))
    rsps.add(responses.POST, REGISTRANTS, status=201, json={"registrant_id": "r1"})
    for _ in range(3):
        client.add_registrant(MEETING_ID, {"email": "anna@example.org", "first_name": "Anna"})
    with pytest.raises(RateLimited) as caught:
        client.add_registrant(MEETING_ID, {"email": " ANNA@example.org", "first_name": "Anna"})
    assert caught.value.daily is True
    posts = [c for c in rsps.calls if c.request.method == "POST" and "registrants" in str(c.request.url)]
    assert len(posts) == 3
    client.add_registrant(MEETING_ID, {"email": "bert@example.org", "first_name": "Bert"})


def test_local_daily_limit_for_meeting_creates(
    rsps: responses.RequestsMock, make_http: Callable[..., ZoomHttp], clock: RecordingClock
) -> None:
    client = ZoomClient(make_http(), DailyLimits(clock))
    rsps.add(responses.POST, f"{API}/users/me/meetings", status=201, json={"id": 1})
    for _ in range(100):
        client.create_meeting("me", {"topic": "x"})
    with pytest.raises(RateLimited, match="allows 100 meeting creations and updates"):
        client.create_meeting("me", {"topic": "x"})


def test_chunked() -> None:
    assert list(chunked([1, 2, 3, 4, 5], 2)) == [[1, 2], [3, 4], [5]]
    assert list(chunked([], 30)) == []
