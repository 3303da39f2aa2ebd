"""The emulator enforces Zoom's per-user / per-registrant daily limits with Zoom's answers.

A client that bypasses the local counting (``ZoomClient`` without ``DailyLimits``) meets the same
limits at the emulator: 429 with ``X-RateLimit-Type: Daily-limit`` and a "daily rate limit"
message, which the HTTP layer recognises as daily and never retries.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import requests
from pydantic import SecretStr

from orchestrator.clock import FrozenClock
from orchestrator.zoom.client import ZoomClient
from orchestrator.zoom.emulator import EmulatorApp
from orchestrator.zoom.errors import RateLimited
from orchestrator.zoom.http import RetryPolicy, ZoomHttp
from orchestrator.zoom.oauth import TokenProvider
from orchestrator.zoom.ratelimit import ZoomRateLimiter
from tests.unit.emulator.emulator_helpers import API, OAUTH, Zoom


def status(
    zoom: Zoom, meeting_id: int, action: str, registrant_id: str, clock: FrozenClock
) -> requests.Response:
    clock.advance(1)  # stay within the per-second limit of the MEDIUM category
    return zoom.call(
        "PUT",
        f"/meetings/{meeting_id}/registrants/status",
        json={"action": action, "registrants": [{"id": registrant_id}]},
    )


def test_11th_status_change_of_a_registrant_is_refused_like_zoom(zoom: Zoom, clock: FrozenClock) -> None:
    meeting_id = zoom.create_meeting(settings={"approval_type": 1})["id"]
    anna = zoom.call(
        "POST",
        f"/meetings/{meeting_id}/registrants",
        json={"email": "anna@example.org", "first_name": "Anna"},
    ).json()["registrant_id"]
    bert = zoom.call(
        "POST",
        f"/meetings/{meeting_id}/registrants",
        json={"email": "bert@example.org", "first_name": "Bert"},
    ).json()["registrant_id"]
    for n in range(10):
        assert status(zoom, meeting_id, "approve" if n % 2 else "deny", anna, clock).status_code == 204
    refused = zoom.call(
        "PUT",
        f"/meetings/{meeting_id}/registrants/status",
        json={"action": "approve", "registrants": [{"id": bert}, {"id": anna}]},
    )
    assert refused.status_code == 429
    assert refused.json()["code"] == 429
    assert "daily rate limit (10)" in refused.json()["message"]
    assert refused.headers["X-RateLimit-Type"] == "Daily-limit"
    assert refused.headers["Retry-After"] == "2025-06-03T00:00:00Z"
    # all or nothing: Bert was not approved by the refused request, and his count is untouched
    pending = zoom.call("GET", f"/meetings/{meeting_id}/registrants", params={"status": "pending"}).json()
    assert [r["id"] for r in pending["registrants"]] == [bert]
    for _ in range(10):
        assert status(zoom, meeting_id, "approve", bert, clock).status_code == 204
    clock.set(clock.now().replace(hour=0) + timedelta(days=1))
    zoom.login()  # the old token expired overnight
    assert status(zoom, meeting_id, "approve", anna, clock).status_code == 204


@pytest.fixture
def bypassing_client(app: EmulatorApp, session: requests.Session, clock: FrozenClock) -> ZoomClient:
    tokens = TokenProvider("acc", "cid", SecretStr("csecret"), OAUTH, session, clock)
    http = ZoomHttp(
        API,
        tokens,
        ZoomRateLimiter("business", clock, burst_seconds=10),
        clock=clock,
        session=session,
        retry=RetryPolicy(rng=random.Random(1)),
    )
    return ZoomClient(http)  # no DailyLimits: nothing is counted locally


def test_bypassing_client_gets_zoom_daily_answers_and_does_not_retry(
    bypassing_client: ZoomClient, app: EmulatorApp
) -> None:
    created = bypassing_client.create_meeting(
        "me",
        {
            "topic": "Fachtag",
            "type": 2,
            "start_time": "2025-08-27T09:30:00",
            "timezone": "Europe/Berlin",
            "settings": {"approval_type": 0},
        },
    )
    meeting_id = created["id"]
    for _ in range(99):
        bypassing_client.update_meeting(meeting_id, {"agenda": "x"})
    app.clear_request_log()
    with pytest.raises(RateLimited) as meeting_limit:
        bypassing_client.update_meeting(meeting_id, {"agenda": "x"})
    assert meeting_limit.value.daily is True and meeting_limit.value.status == 429
    assert "daily rate limit (100)" in meeting_limit.value.zoom_message

    person = {"email": "anna@example.org", "first_name": "Anna"}
    for _ in range(3):
        registrant_id = bypassing_client.add_registrant(meeting_id, person)["registrant_id"]
    with pytest.raises(RateLimited) as add_limit:
        bypassing_client.add_registrant(meeting_id, person)
    assert add_limit.value.daily is True and "daily rate limit (3)" in add_limit.value.zoom_message

    for _ in range(10):
        bypassing_client.update_registrant_status(meeting_id, "approve", [{"id": registrant_id}])
    with pytest.raises(RateLimited) as status_limit:
        bypassing_client.update_registrant_status(meeting_id, "approve", [{"id": registrant_id}])
    assert status_limit.value.daily is True and "daily rate limit (10)" in status_limit.value.zoom_message

    refused = [r for r in app.request_log() if r.status == 429]
    assert len(refused) == 3  # each daily refusal was sent once: never retried
