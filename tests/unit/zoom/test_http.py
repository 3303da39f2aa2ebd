"""ZoomHttp: token re-fetch on 401/124, 429 handling, retries only where safe, typed errors."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import timedelta
from email.utils import format_datetime
from typing import Any

import pytest
import requests
import responses
from responses import matchers

from orchestrator.zoom.errors import (
    AuthError,
    Conflict,
    NotFound,
    RateLimited,
    ValidationFailed,
    ZoomError,
    ZoomTimeout,
    ZoomUnavailable,
)
from orchestrator.zoom.http import RetryPolicy, ZoomHttp, advise_429, parse_retry_after

from .conftest import API, START, RecordingClock, TokenService, token_name, zoom_error

MEETING = f"{API}/meetings/85746065"
CREATE = f"{API}/users/me/meetings"
MEETING_BODY = {"id": 85746065, "topic": "Fachtag", "join_url": "https://zoom.test/j/85746065?pwd=abc"}


def bearer(n: int) -> Any:
    return matchers.header_matcher({"Authorization": f"Bearer {token_name(n)}"})


def get_meeting(http: ZoomHttp) -> dict[str, Any]:
    return http.request("GET", "/meetings/{meetingId}", path_params={"meetingId": 85746065})


def create_meeting(http: ZoomHttp, **kwargs: Any) -> dict[str, Any]:
    return http.request(
        "POST",
        "/users/{userId}/meetings",
        path_params={"userId": "me"},
        json={"topic": "Fachtag", "type": 2},
        **kwargs,
    )


# --- authentication -------------------------------------------------------------------------


def test_401_code_124_refetches_token_once_then_succeeds(
    rsps: responses.RequestsMock, http: ZoomHttp, token_service: TokenService, clock: RecordingClock
) -> None:
    rsps.add(
        responses.GET, MEETING, status=401, json=zoom_error(124, "Invalid access token."), match=[bearer(1)]
    )
    rsps.add(responses.GET, MEETING, json=MEETING_BODY, match=[bearer(2)])
    assert get_meeting(http)["topic"] == "Fachtag"
    assert token_service.count == 2
    assert clock.sleeps == []


def test_second_401_raises_auth_error(
    rsps: responses.RequestsMock, http: ZoomHttp, token_service: TokenService
) -> None:
    rsps.add(responses.GET, MEETING, status=401, json=zoom_error(124, "Invalid access token."))
    with pytest.raises(AuthError) as caught:
        get_meeting(http)
    assert token_service.count == 2  # exactly one forced re-fetch
    assert caught.value.code == 124
    assert "activated" in str(caught.value)


def test_401_with_other_code_is_auth_error_without_refetch(
    rsps: responses.RequestsMock, http: ZoomHttp, token_service: TokenService
) -> None:
    rsps.add(responses.GET, MEETING, status=401, json=zoom_error(4711, "Invalid access token, scopes."))
    with pytest.raises(AuthError):
        get_meeting(http)
    assert token_service.count == 1


def test_401_code_124_on_post_is_repeated_because_zoom_refused_it(
    rsps: responses.RequestsMock, http: ZoomHttp
) -> None:
    rsps.add(
        responses.POST,
        CREATE,
        status=401,
        json=zoom_error(124, "Access token is expired."),
        match=[bearer(1)],
    )
    rsps.add(responses.POST, CREATE, status=201, json=MEETING_BODY, match=[bearer(2)])
    assert create_meeting(http)["id"] == 85746065


def test_403_is_auth_error_naming_scopes(rsps: responses.RequestsMock, http: ZoomHttp) -> None:
    rsps.add(
        responses.GET,
        MEETING,
        status=403,
        json=zoom_error(104, "Invalid access token, does not contain scopes:[meeting:read]."),
    )
    with pytest.raises(AuthError, match="scope"):
        get_meeting(http)


# --- 429 ------------------------------------------------------------------------------------


def test_429_with_retry_after_seconds_is_honoured(
    rsps: responses.RequestsMock, http: ZoomHttp, clock: RecordingClock
) -> None:
    rsps.add(
        responses.GET,
        MEETING,
        status=429,
        headers={"Retry-After": "7"},
        json=zoom_error(429, "You have reached the maximum per-second rate limit for this API."),
    )
    rsps.add(responses.GET, MEETING, json=MEETING_BODY)
    get_meeting(http)
    assert clock.sleeps == [7.0]
    assert clock.now() == START + timedelta(seconds=7)


def test_429_with_retry_after_http_date_is_honoured(
    rsps: responses.RequestsMock, http: ZoomHttp, clock: RecordingClock
) -> None:
    rsps.add(
        responses.GET,
        MEETING,
        status=429,
        headers={"Retry-After": format_datetime(START + timedelta(seconds=12), usegmt=True)},
        json=zoom_error(429, "Too many requests."),
    )
    rsps.add(responses.GET, MEETING, json=MEETING_BODY)
    get_meeting(http)
    assert clock.sleeps == [12.0]


def test_429_with_x_ratelimit_headers_waits_for_the_next_second(
    rsps: responses.RequestsMock, http: ZoomHttp, clock: RecordingClock
) -> None:
    headers = {
        "X-RateLimit-Category": "Light",
        "X-RateLimit-Type": "QPS",
        "X-RateLimit-Limit": "80",
        "X-RateLimit-Remaining": "0",
    }
    rsps.add(
        responses.GET,
        MEETING,
        status=429,
        headers=headers,
        json=zoom_error(429, "You have reached the maximum per-second rate limit for this API."),
    )
    rsps.add(responses.GET, MEETING, json=MEETING_BODY)
    get_meeting(http)
    assert clock.sleeps == [1.0]


def test_429_without_headers_uses_full_jitter_backoff(
    rsps: responses.RequestsMock, make_http: Callable[..., ZoomHttp], clock: RecordingClock
) -> None:
    http = make_http(retry=RetryPolicy(rng=random.Random(42), backoff_base=1.0, backoff_max=30.0))
    for _ in range(3):
        rsps.add(responses.GET, MEETING, status=429, json=zoom_error(429, "Too many requests."))
    rsps.add(responses.GET, MEETING, json=MEETING_BODY)
    get_meeting(http)
    expected_rng = random.Random(42)
    expected = [expected_rng.uniform(0, 1.0), expected_rng.uniform(0, 2.0), expected_rng.uniform(0, 4.0)]
    assert clock.sleeps == pytest.approx(expected)
    assert all(0 <= s <= cap for s, cap in zip(clock.sleeps, [1, 2, 4], strict=True))
    assert len(set(clock.sleeps)) == 3  # jittered, not a fixed schedule


@pytest.mark.parametrize(
    "headers",
    [
        {"X-RateLimit-Type": "Daily-limit", "X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0"},
        {"X-RateLimit-Category": "Light", "X-RateLimit-Limit": "6000", "X-RateLimit-Remaining": "5893"},
    ],
)
def test_daily_limit_is_not_retried(
    rsps: responses.RequestsMock, http: ZoomHttp, clock: RecordingClock, headers: dict[str, str]
) -> None:
    message = (
        "You have exceeded the daily rate limit (100) of Meeting Create/Update API requests "
        "permitted for this particular user. You may resume these requests at GMT 00:00:00."
    )
    rsps.add(responses.POST, CREATE, status=429, headers=headers, json=zoom_error(429, message))
    with pytest.raises(RateLimited) as caught:
        create_meeting(http)
    assert caught.value.daily is True
    assert caught.value.retry_after == pytest.approx(16 * 3600)  # 08:00 UTC → next midnight UTC
    assert "midnight UTC" in str(caught.value)
    assert clock.sleeps == []
    assert len([c for c in rsps.calls if c.request.url == CREATE]) == 1


def test_429_gives_up_when_wait_exceeds_budget(
    rsps: responses.RequestsMock, make_http: Callable[..., ZoomHttp], clock: RecordingClock
) -> None:
    http = make_http(retry=RetryPolicy(max_total_wait=60))
    rsps.add(
        responses.GET,
        MEETING,
        status=429,
        headers={"Retry-After": "3600"},
        json=zoom_error(429, "Too many requests."),
    )
    with pytest.raises(RateLimited) as caught:
        get_meeting(http)
    assert caught.value.daily is False
    assert caught.value.retry_after == 3600
    assert clock.sleeps == []


def test_429_on_post_is_retried_because_zoom_did_not_process_it(
    rsps: responses.RequestsMock, http: ZoomHttp, clock: RecordingClock
) -> None:
    rsps.add(
        responses.POST,
        CREATE,
        status=429,
        headers={"Retry-After": "2"},
        json=zoom_error(429, "Too many requests."),
    )
    rsps.add(responses.POST, CREATE, status=201, json=MEETING_BODY)
    assert create_meeting(http)["id"] == 85746065
    assert clock.sleeps == [2.0]


# --- 5xx, timeouts, connection errors -------------------------------------------------------


def test_5xx_on_get_is_retried_then_succeeds(
    rsps: responses.RequestsMock, http: ZoomHttp, clock: RecordingClock
) -> None:
    rsps.add(responses.GET, MEETING, status=503, body="<html>Service Unavailable</html>")
    rsps.add(responses.GET, MEETING, status=502, json=zoom_error(500, "Internal error"))
    rsps.add(responses.GET, MEETING, json=MEETING_BODY)
    assert get_meeting(http)["id"] == 85746065
    assert len(clock.sleeps) == 2


def test_5xx_on_get_gives_up_after_max_attempts(
    rsps: responses.RequestsMock, make_http: Callable[..., ZoomHttp]
) -> None:
    http = make_http(retry=RetryPolicy(max_attempts=3, rng=random.Random(1)))
    rsps.add(responses.GET, MEETING, status=500, json=zoom_error(500, "Internal error"))
    with pytest.raises(ZoomUnavailable) as caught:
        get_meeting(http)
    assert caught.value.status == 500
    assert caught.value.ambiguous is False
    assert len([c for c in rsps.calls if c.request.url == MEETING]) == 3


def test_5xx_on_post_create_meeting_is_not_retried(
    rsps: responses.RequestsMock, http: ZoomHttp, clock: RecordingClock
) -> None:
    rsps.add(responses.POST, CREATE, status=502, body="Bad Gateway")
    rsps.add(responses.POST, CREATE, status=201, json=MEETING_BODY)
    with pytest.raises(ZoomUnavailable) as caught:
        create_meeting(http)
    assert caught.value.ambiguous is True
    assert len([c for c in rsps.calls if c.request.url == CREATE]) == 1
    assert clock.sleeps == []


def test_5xx_on_post_marked_idempotent_is_retried(rsps: responses.RequestsMock, http: ZoomHttp) -> None:
    rsps.add(responses.POST, CREATE, status=500, json=zoom_error(500, "Internal error"))
    rsps.add(responses.POST, CREATE, status=201, json=MEETING_BODY)
    assert create_meeting(http, idempotent=True)["id"] == 85746065


def test_read_timeout_is_zoom_timeout_and_retried_for_get(
    rsps: responses.RequestsMock, http: ZoomHttp
) -> None:
    rsps.add(responses.GET, MEETING, body=requests.ReadTimeout("read timed out"))
    rsps.add(responses.GET, MEETING, json=MEETING_BODY)
    assert get_meeting(http)["id"] == 85746065


def test_timeout_raised_as_zoom_timeout_after_attempts(
    rsps: responses.RequestsMock, make_http: Callable[..., ZoomHttp]
) -> None:
    http = make_http(retry=RetryPolicy(max_attempts=2))
    rsps.add(responses.GET, MEETING, body=requests.ReadTimeout("read timed out"))
    with pytest.raises(ZoomTimeout) as caught:
        get_meeting(http)
    assert "30 seconds" in str(caught.value)


def test_read_timeout_on_post_is_not_retried(rsps: responses.RequestsMock, http: ZoomHttp) -> None:
    rsps.add(responses.POST, CREATE, body=requests.ReadTimeout("read timed out"))
    rsps.add(responses.POST, CREATE, status=201, json=MEETING_BODY)
    with pytest.raises(ZoomTimeout) as caught:
        create_meeting(http)
    assert caught.value.ambiguous is True
    assert len([c for c in rsps.calls if c.request.url == CREATE]) == 1


def test_connect_timeout_on_post_is_retried_because_nothing_was_sent(
    rsps: responses.RequestsMock, http: ZoomHttp
) -> None:
    rsps.add(responses.POST, CREATE, body=requests.ConnectTimeout("connect timed out"))
    rsps.add(responses.POST, CREATE, status=201, json=MEETING_BODY)
    assert create_meeting(http)["id"] == 85746065


def test_every_request_carries_the_timeout(
    rsps: responses.RequestsMock, make_http: Callable[..., ZoomHttp], session: requests.Session
) -> None:
    seen: list[object] = []
    original = session.request

    def spy(*args: Any, **kwargs: Any) -> requests.Response:
        seen.append(kwargs.get("timeout"))
        return original(*args, **kwargs)

    session.request = spy  # type: ignore[method-assign]
    http = make_http(timeout=(3, 11))
    rsps.add(responses.GET, MEETING, json=MEETING_BODY)
    get_meeting(http)
    assert seen == [(5, 30), (3, 11)]  # the token request and the API call


def test_token_service_outage_is_retried_even_for_post(
    rsps: responses.RequestsMock, make_http: Callable[..., ZoomHttp], token_service: TokenService
) -> None:
    # Replace the token endpoint: first a 503, then the normal service.
    rsps.remove(responses.POST, "https://zoom.test/oauth/token")
    rsps.add(responses.POST, "https://zoom.test/oauth/token", status=503, json={"reason": "down"})
    rsps.add_callback(responses.POST, "https://zoom.test/oauth/token", callback=token_service)
    rsps.add(responses.POST, CREATE, status=201, json=MEETING_BODY)
    assert create_meeting(make_http())["id"] == 85746065


# --- error mapping and hooks ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "error_type"),
    [
        (404, 3001, NotFound),
        (409, 3000, Conflict),
        (400, 300, ValidationFailed),
        (400, 3161, ValidationFailed),
        (418, None, ZoomError),
    ],
)
def test_error_mapping_keeps_status_code_and_path(
    rsps: responses.RequestsMock, http: ZoomHttp, status: int, code: int | None, error_type: type[ZoomError]
) -> None:
    body = zoom_error(code, "Meeting does not exist: 85746065.") if code else {"unexpected": True}
    rsps.add(responses.GET, MEETING, status=status, json=body)
    with pytest.raises(error_type) as caught:
        get_meeting(http)
    error = caught.value
    assert type(error) is error_type
    assert (error.status, error.code, error.method, error.path) == (status, code, "GET", "/meetings/85746065")


def test_on_write_hook_gets_safe_summary_for_writes_only(
    rsps: responses.RequestsMock, make_http: Callable[..., ZoomHttp]
) -> None:
    audit: list[tuple[str, str, int, dict[str, Any]]] = []
    http = make_http(on_write=lambda *args: audit.append(args))
    rsps.add(
        responses.POST,
        CREATE,
        status=201,
        json={**MEETING_BODY, "start_url": "https://zoom.test/s/85746065?zak=secret", "password": "pw1"},
    )
    rsps.add(responses.GET, MEETING, json=MEETING_BODY)
    rsps.add(responses.PATCH, MEETING, status=204)
    create_meeting(http)
    get_meeting(http)
    http.request("PATCH", "/meetings/{meetingId}", path_params={"meetingId": 85746065}, json={"topic": "x"})
    assert audit == [
        ("POST", "/users/me/meetings", 201, {"id": 85746065, "topic": "Fachtag"}),
        ("PATCH", "/meetings/85746065", 204, {}),
    ]


def test_failing_on_write_hook_does_not_lose_the_answer(
    rsps: responses.RequestsMock, make_http: Callable[..., ZoomHttp]
) -> None:
    def broken(*args: Any) -> None:
        raise RuntimeError("audit store down")

    http = make_http(on_write=broken)
    rsps.add(responses.POST, CREATE, status=201, json=MEETING_BODY)
    assert create_meeting(http)["id"] == 85746065


def test_query_params_and_path_params_are_encoded(rsps: responses.RequestsMock, http: ZoomHttp) -> None:
    rsps.add(
        responses.GET,
        f"{API}/meetings/a%2Fb",
        json={"id": 1},
        match=[matchers.query_param_matcher({"occurrence_id": "16481"})],
    )
    assert http.request(
        "GET", "/meetings/{meetingId}", path_params={"meetingId": "a/b"}, params={"occurrence_id": "16481"}
    ) == {"id": 1}


# --- pure helpers ---------------------------------------------------------------------------


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after("5", START) == 5.0
    assert parse_retry_after("2025-03-10T08:00:30Z", START) == 30.0
    assert parse_retry_after(format_datetime(START - timedelta(seconds=5), usegmt=True), START) == 0.0
    assert parse_retry_after("soon", START) is None
    assert parse_retry_after(None, START) is None


def test_advise_429_reads_daily_type_header() -> None:
    advice = advise_429({"X-RateLimit-Type": "Daily-limit", "Retry-After": "2025-03-11T00:00:00Z"}, "", START)
    assert advice.daily is True
    assert advice.wait == 16 * 3600


def test_ten_threads_calling_zoom_share_one_token_fetch(
    rsps: responses.RequestsMock, http: ZoomHttp, token_service: TokenService
) -> None:
    token_service.latency = 0.05
    rsps.add(responses.GET, MEETING, json=MEETING_BODY, match=[bearer(1)])
    barrier = threading.Barrier(10)
    results: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        meeting_id = get_meeting(http)["id"]
        with lock:
            results.append(meeting_id)

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [85746065] * 10
    assert token_service.count == 1
