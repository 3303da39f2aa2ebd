"""Neither the client secret, nor access tokens, nor join URLs reach logs or exception texts."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable

import pytest
import requests
import responses

from orchestrator.zoom.client import ZoomClient
from orchestrator.zoom.errors import AuthError, ValidationFailed, ZoomError
from orchestrator.zoom.http import RetryPolicy, ZoomHttp

from .conftest import API, CLIENT_SECRET, OAUTH, token_name, zoom_error

MEETING_ID = 85746065
JOIN_URL = "https://zoom.test/w/85746065?tk=PERSONAL-TOKEN-abc&uuid=WN_x"
START_URL = "https://zoom.test/s/85746065?zak=HOST-KEY-xyz"


def test_no_secret_token_or_join_url_in_logs_or_errors(
    rsps: responses.RequestsMock, make_http: Callable[..., ZoomHttp], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = ZoomClient(make_http(retry=RetryPolicy(max_attempts=2, rng=random.Random(3))))
    meeting = {
        "id": MEETING_ID,
        "topic": "Fachtag",
        "join_url": JOIN_URL,
        "start_url": START_URL,
        "password": "pw123",
    }
    registrants = f"{API}/meetings/{MEETING_ID}/registrants"
    rsps.add(
        responses.GET,
        f"{API}/meetings/{MEETING_ID}",
        status=401,
        json=zoom_error(124, "Invalid access token."),
    )
    rsps.add(responses.GET, f"{API}/meetings/{MEETING_ID}", json=meeting)
    rsps.add(
        responses.POST,
        registrants,
        status=429,
        headers={"Retry-After": "1"},
        json=zoom_error(429, "Too many requests."),
    )
    rsps.add(
        responses.POST,
        registrants,
        status=201,
        json={"id": MEETING_ID, "registrant_id": "r1", "join_url": JOIN_URL},
    )
    rsps.add(responses.GET, registrants, status=503, body="oops")
    rsps.add(responses.GET, registrants, body=requests.ReadTimeout(f"timeout for {registrants}?tk=leak"))
    rsps.add(
        responses.PATCH,
        f"{API}/meetings/{MEETING_ID}",
        status=400,
        json=zoom_error(300, f"Invalid field; see {JOIN_URL}"),
    )

    texts: list[str] = []
    assert client.get_meeting(MEETING_ID)["join_url"] == JOIN_URL  # the caller still gets it
    client.add_registrant(MEETING_ID, {"email": "anna@example.org", "first_name": "Anna"})
    with pytest.raises(ZoomError) as listing:
        list(client.iter_registrants(MEETING_ID))
    texts.append(str(listing.value))
    with pytest.raises(ValidationFailed) as patch:
        client.update_meeting(MEETING_ID, {"topic": "x"})
    texts.append(str(patch.value))

    # A token request refused with the credentials echoed back must not leak them either.
    rsps.remove(responses.POST, OAUTH)
    rsps.add(
        responses.POST,
        OAUTH,
        status=400,
        json={"reason": f"Invalid client_secret {CLIENT_SECRET}", "error": "invalid_client"},
    )
    client.http._tokens.invalidate(token_name(2))
    with pytest.raises(AuthError) as auth:
        client.get_user()
    texts.append(str(auth.value))

    logged = "\n".join(record.getMessage() + " " + str(record.__dict__) for record in caplog.records)
    assert "zoom GET /meetings/{meetingId} -> 401" in logged  # the requests were logged
    assert "zoom POST /meetings/{meetingId}/registrants -> 201" in logged
    everything = logged + "\n".join(texts)
    for forbidden in (
        CLIENT_SECRET,
        token_name(1),
        token_name(2),
        "PERSONAL-TOKEN",
        "HOST-KEY",
        "pw123",
        "zoom.test/w/",
        "tk=leak",
    ):
        assert forbidden not in everything, forbidden
