"""The Zoom App's Home URL: only the host (or an allowed user) in one of our meetings gets the app."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from orchestrator.app import App
from orchestrator.web.zoomapp.tokens import verify_app_token
from tests.integration.test_web_ui_support import client_for
from tests.support.zoom_app_context import context_claims, encrypt_context
from tests.support.zoomapp import (
    APP_SECRET,
    HOST_ID,
    MEETING_UUID,
    MODERATOR_ID,
    context_header,
    zoomapp_runtime,
)

HEADER = "X-Zoom-App-Context"
_TOKEN = re.compile(r'<meta name="zoomapp-token" content="([^"]+)">')


@pytest.fixture
def rt(database_url: str, tmp_path: Path) -> App:
    return zoomapp_runtime(database_url, tmp_path, with_people=False)


@pytest.fixture
def client(rt: App) -> TestClient:
    return client_for(rt)


def _assert_zoom_headers(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self' https://appssdk.zoom.us" in csp
    assert "unsafe-inline" not in csp


def test_the_host_gets_the_app_page_with_a_token_for_this_meeting(rt: App, client: TestClient) -> None:
    response = client.get("/zoomapp/", headers={HEADER: context_header(rt)})
    assert response.status_code == 200
    _assert_zoom_headers(response)
    assert 'lang="de"' in response.text
    assert "Räume anlegen und zuteilen" in response.text
    assert 'src="https://appssdk.zoom.us/sdk.min.js"' in response.text
    match = _TOKEN.search(response.text)
    assert match is not None
    claims = verify_app_token(match.group(1), secret=APP_SECRET, now=rt.clock.now())
    assert (claims.meeting_uuid, claims.zoom_user_id) == (MEETING_UUID, HOST_ID)
    assert "set-cookie" not in response.headers  # the app never relies on a cookie


def test_an_allowed_moderator_gets_the_app(rt: App, client: TestClient) -> None:
    response = client.get("/zoomapp/", headers={HEADER: context_header(rt, uid=MODERATOR_ID)})
    assert response.status_code == 200


def test_the_app_page_is_english_on_request(rt: App, client: TestClient) -> None:
    by_query = client.get("/zoomapp/?lang=en", headers={HEADER: context_header(rt)})
    by_header = client.get(
        "/zoomapp/", headers={HEADER: context_header(rt), "Accept-Language": "en-US,en;q=0.9,de;q=0.5"}
    )
    for response in (by_query, by_header):
        assert response.status_code == 200
        assert "Create rooms and assign" in response.text


def test_without_the_header_the_page_says_it_only_works_in_zoom(client: TestClient) -> None:
    response = client.get("/zoomapp/")
    assert response.status_code == 400
    _assert_zoom_headers(response)
    assert "funktioniert nur im Zoom-Client" in response.text
    assert "zoomapp-token" not in response.text


def test_a_stale_context_is_refused(rt: App, client: TestClient) -> None:
    old = context_claims(now=rt.clock.now() - timedelta(minutes=30), uid=HOST_ID, mid=MEETING_UUID)
    response = client.get("/zoomapp/", headers={HEADER: encrypt_context(old, APP_SECRET)})
    assert response.status_code == 403
    assert "veraltet" in response.text or "outdated" in response.text
    assert "zoomapp-token" not in response.text


def test_a_context_from_another_app_secret_is_refused(rt: App, client: TestClient) -> None:
    claims = context_claims(now=rt.clock.now(), uid=HOST_ID, mid=MEETING_UUID)
    response = client.get("/zoomapp/?lang=en", headers={HEADER: encrypt_context(claims, "another-secret")})
    assert response.status_code == 403
    assert "could not be decrypted" in response.text
    assert "another-secret" not in response.text


def test_an_unknown_meeting_is_refused(rt: App, client: TestClient) -> None:
    response = client.get("/zoomapp/", headers={HEADER: context_header(rt, mid="someone-elses-meeting==")})
    assert response.status_code == 403
    assert "gehört zu keiner Veranstaltung" in response.text or "does not belong" in response.text


def test_a_participant_who_is_not_host_or_allowed_is_refused(rt: App, client: TestClient) -> None:
    response = client.get("/zoomapp/?lang=en", headers={HEADER: context_header(rt, uid="random-attendee")})
    assert response.status_code == 403
    assert "Only the meeting&#39;s host or a moderator" in response.text
    assert "zoomapp-token" not in response.text


def test_outside_a_meeting_is_a_bad_request(rt: App, client: TestClient) -> None:
    response = client.get("/zoomapp/", headers={HEADER: context_header(rt, mid=None, typ="panel")})
    assert response.status_code == 400


def test_without_a_client_secret_the_app_is_disabled_with_a_clear_page(rt: App, client: TestClient) -> None:
    rt.settings.zoom_app_client_secret = None
    response = client.get("/zoomapp/", headers={HEADER: context_header(rt)})
    assert response.status_code == 503
    assert "ORCHESTRATOR_ZOOM_APP_CLIENT_SECRET" in response.text
    assert client.get("/zoomapp/api/state", headers={"X-App-Token": "v1.x.y"}).status_code == 503


def test_static_files_are_served_with_the_security_headers(client: TestClient) -> None:
    script = client.get("/zoomapp/static/zoomapp.js")
    assert script.status_code == 200
    assert "createBreakoutRooms" in script.text
    _assert_zoom_headers(script)
    assert client.get("/zoomapp/static/../routes.py").status_code == 404
    assert client.get("/zoomapp/static/tokens.py").status_code == 404
