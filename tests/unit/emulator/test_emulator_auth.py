"""The token endpoint and bearer checks: sandbox credentials, configured credentials, expiry."""

from __future__ import annotations

import requests

from orchestrator.clock import FrozenClock
from orchestrator.zoom.emulator import EmulatorAdapter, EmulatorApp, EmulatorConfig, EmulatorState
from tests.unit.emulator.emulator_helpers import Zoom


def test_sandbox_accepts_any_credentials(zoom: Zoom) -> None:
    answer = zoom.fetch_token("anything", "goes", "any-account")
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3599
    assert len(body["access_token"]) >= 32


def test_token_in_query_string_is_accepted(session: requests.Session) -> None:
    answer = session.post(
        "https://zoom.us/oauth/token?grant_type=account_credentials&account_id=acc",
        auth=("a", "b"),
        timeout=5,
    )
    assert answer.status_code == 200


def test_token_request_errors(zoom: Zoom, session: requests.Session) -> None:
    no_grant = session.post(
        "https://zoom.us/oauth/token", data={"account_id": "a"}, auth=("a", "b"), timeout=5
    )
    assert no_grant.status_code == 400
    assert no_grant.json()["error"] == "unsupported_grant_type"
    no_auth = session.post(
        "https://zoom.us/oauth/token",
        data={"grant_type": "account_credentials", "account_id": "a"},
        timeout=5,
    )
    assert no_auth.status_code == 401
    assert no_auth.json() == {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
    no_account = session.post(
        "https://zoom.us/oauth/token", data={"grant_type": "account_credentials"}, auth=("a", "b"), timeout=5
    )
    assert no_account.status_code == 400
    assert no_account.json()["error"] == "invalid_request"


def test_configured_credentials_refuse_others(clock: FrozenClock) -> None:
    config = EmulatorConfig(account_id="acc-1", client_id="cid-1", client_secret="secret-1")
    app = EmulatorApp(EmulatorState(), config, clock=clock)
    with requests.Session() as s:
        s.mount("https://", EmulatorAdapter(app))
        zoom = Zoom(s)
        assert zoom.fetch_token("cid-1", "wrong", "acc-1").status_code == 401
        assert zoom.fetch_token("other", "secret-1", "acc-1").json()["error"] == "invalid_client"
        wrong_account = zoom.fetch_token("cid-1", "secret-1", "acc-2")
        assert wrong_account.status_code == 400
        assert wrong_account.json()["reason"] == "Invalid account_id"
        assert zoom.fetch_token("cid-1", "secret-1", "acc-1").status_code == 200
        zoom.token = zoom.fetch_token("cid-1", "secret-1", "acc-1").json()["access_token"]
        assert zoom.call("GET", "/users/me").json()["account_id"] == "acc-1"


def test_requests_without_valid_token_get_code_124(zoom: Zoom, session: requests.Session) -> None:
    missing = session.get("https://api.zoom.us/v2/users/me", timeout=5)
    assert missing.status_code == 401
    assert missing.json() == {"code": 124, "message": "Invalid access token."}
    zoom.token = "made-up"
    assert zoom.call("GET", "/users/me").json()["code"] == 124


def test_tokens_expire_on_the_clock(zoom: Zoom, clock: FrozenClock, config: EmulatorConfig) -> None:
    zoom.login()
    clock.advance(3598)
    assert zoom.call("GET", "/users/me").status_code == 200
    clock.advance(2)
    expired = zoom.call("GET", "/users/me")
    assert expired.status_code == 401
    assert expired.json() == {"code": 124, "message": "Access token is expired."}
    zoom.login()
    assert zoom.call("GET", "/users/me").status_code == 200


def test_token_lifetime_is_configurable(zoom: Zoom, clock: FrozenClock, config: EmulatorConfig) -> None:
    config.token_lifetime_seconds = 60
    assert zoom.fetch_token().json()["expires_in"] == 60
    zoom.login()
    clock.advance(61)
    assert zoom.call("GET", "/users/me").status_code == 401


def test_issue_token_helper(app: EmulatorApp, session: requests.Session) -> None:
    token = app.issue_token()
    answer = session.get(
        "https://api.zoom.us/v2/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert answer.status_code == 200
