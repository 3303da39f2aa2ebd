"""TokenProvider: one shared token, renewal before expiry, invalidation, clear errors."""

from __future__ import annotations

import base64
import threading
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
import requests
import responses
from pydantic import SecretStr

from orchestrator.zoom.errors import AuthError, ZoomUnavailable
from orchestrator.zoom.oauth import TokenProvider

from .conftest import ACCOUNT_ID, CLIENT_ID, CLIENT_SECRET, OAUTH, RecordingClock, TokenService, token_name


def test_token_request_is_account_credentials_with_basic_auth(
    tokens: TokenProvider, token_service: TokenService
) -> None:
    assert tokens.token() == token_name(1)
    request = token_service.requests[0]
    assert request.method == "POST"
    form = parse_qs(str(request.body))
    assert form == {"grant_type": ["account_credentials"], "account_id": [ACCOUNT_ID]}
    expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"


def test_token_is_cached_until_renew_margin_then_renewed(
    tokens: TokenProvider, token_service: TokenService, clock: RecordingClock
) -> None:
    assert tokens.token() == token_name(1)
    clock.advance(timedelta(seconds=3599 - 301))  # still outside the 300 s margin
    assert tokens.token() == token_name(1)
    assert token_service.count == 1
    clock.advance(timedelta(seconds=2))  # now inside the margin: renew
    assert tokens.token() == token_name(2)
    assert token_service.count == 2
    assert tokens.token() == token_name(2)
    assert token_service.count == 2


def test_ten_threads_share_one_token_fetch(tokens: TokenProvider, token_service: TokenService) -> None:
    token_service.latency = 0.05  # a slow token service: the other threads arrive while it answers
    barrier = threading.Barrier(10)
    results: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        value = tokens.token()
        with lock:
            results.append(value)

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [token_name(1)] * 10
    assert token_service.count == 1


def test_invalidate_only_drops_the_current_token(tokens: TokenProvider, token_service: TokenService) -> None:
    first = tokens.token()
    tokens.invalidate(first)
    second = tokens.token()
    assert (first, second) == (token_name(1), token_name(2))
    tokens.invalidate(first)  # a late thread reporting the old token must not drop the new one
    assert tokens.token() == second
    assert token_service.count == 2


@pytest.mark.parametrize(
    ("status", "body", "setting"),
    [
        (
            400,
            {"reason": "Invalid client_id or client_secret", "error": "invalid_client"},
            "ORCHESTRATOR_ZOOM_CLIENT_ID / ORCHESTRATOR_ZOOM_CLIENT_SECRET",
        ),
        (
            401,
            {"reason": "Bad credentials", "error": "unauthorized"},
            "ORCHESTRATOR_ZOOM_CLIENT_ID / ORCHESTRATOR_ZOOM_CLIENT_SECRET",
        ),
        (400, {"reason": "Invalid account_id", "error": "invalid_request"}, "ORCHESTRATOR_ZOOM_ACCOUNT_ID"),
        (404, None, "ORCHESTRATOR_ZOOM_OAUTH_URL"),
    ],
)
def test_token_errors_name_the_probable_setting_never_the_secret(
    rsps: responses.RequestsMock,
    tokens: TokenProvider,
    status: int,
    body: dict[str, str] | None,
    setting: str,
) -> None:
    if body is None:
        rsps.add(responses.POST, OAUTH, status=status, body="<html>not found</html>")
    else:
        rsps.add(responses.POST, OAUTH, status=status, json=body)
    with pytest.raises(AuthError) as caught:
        tokens.token()
    text = str(caught.value)
    assert setting in text
    assert CLIENT_SECRET not in text
    assert caught.value.status == status


def test_unsupported_grant_type_says_server_to_server_app(
    rsps: responses.RequestsMock, tokens: TokenProvider
) -> None:
    rsps.add(
        responses.POST,
        OAUTH,
        status=400,
        json={"reason": "unsupported grant type", "error": "unsupported_grant_type"},
    )
    with pytest.raises(AuthError, match="Server-to-Server OAuth"):
        tokens.token()


def test_token_service_down_is_unavailable_not_ambiguous(
    rsps: responses.RequestsMock, tokens: TokenProvider
) -> None:
    rsps.add(responses.POST, OAUTH, status=503, json={"reason": "down"})
    rsps.add(responses.POST, OAUTH, body=requests.ConnectionError("refused"))
    with pytest.raises(ZoomUnavailable) as first:
        tokens.token()
    assert first.value.status == 503
    with pytest.raises(ZoomUnavailable) as second:
        tokens.token()
    assert second.value.ambiguous is False
    assert "ORCHESTRATOR_ZOOM_OAUTH_URL" in str(second.value)


def test_token_repr_hides_value(tokens: TokenProvider, token_service: TokenService) -> None:
    tokens.token()
    assert token_name(1) not in repr(tokens._token)


def test_renew_margin_accepts_seconds(
    session: requests.Session, clock: RecordingClock, token_service: TokenService
) -> None:
    provider = TokenProvider(
        ACCOUNT_ID, CLIENT_ID, SecretStr(CLIENT_SECRET), OAUTH, session, clock, renew_margin=10
    )
    provider.token()
    clock.advance(3599 - 11)
    provider.token()
    assert token_service.count == 1
    clock.advance(2)
    provider.token()
    assert token_service.count == 2
