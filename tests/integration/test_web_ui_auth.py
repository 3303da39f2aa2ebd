"""Login, sessions, CSRF, roles and moderator links of the web interface (in-process client)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from orchestrator.app import App
from orchestrator.db.models import Event, ModeratorLink, WebUser
from orchestrator.web.ui import accounts, create_ui_app
from tests.integration.test_web_ui_support import (
    EVENT_KEY,
    MODERATOR,
    ORGANISER,
    PASSWORD,
    add_account,
    client_for,
    csrf_of,
    event_runtime,
    login,
    moderator_link,
)

# The login itself, choosing the language and logging out need no login; nothing else does.
ZOOM_APP_PREFIX = "/zoomapp/"
PUBLIC_PATHS = {"/healthz", "/zoom/webhook", "/login", "/logout", "/language", "/m/{token}", "/static/{name}"}


@pytest.fixture
def rt(sqlite_url: str, tmp_path: Path) -> App:
    runtime = event_runtime(sqlite_url, tmp_path)
    add_account(runtime, ORGANISER, "organiser")
    add_account(runtime, MODERATOR, "moderator", event_key=EVENT_KEY)
    return runtime


@pytest.fixture
def client(rt: App) -> TestClient:
    return client_for(rt)


def _api_routes(routes: Sequence[object]) -> list[APIRoute]:
    """Every API route of the app, also inside included routers (FastAPI wraps those)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        inner = getattr(route, "original_router", None) or getattr(route, "router", None)
        if inner is not None and inner is not route and hasattr(inner, "routes"):
            found += _api_routes(inner.routes)
    return found


def _concrete(path: str) -> str:
    return path.replace("{key}", EVENT_KEY).replace("{token}", "x")


# The Zoom App's rehearsal page is an organiser page of the emulated setup: it wants a login.
REHEARSAL_PAGE = "/zoomapp/rehearsal"


def test_no_page_or_action_without_login(rt: App) -> None:
    app = create_ui_app(rt, secure_cookies=False, process_in_background=False)
    client = TestClient(app, follow_redirects=False)
    routes = _api_routes(app.routes)
    checked = 0
    for route in routes:
        if route.path in PUBLIC_PATHS:
            continue
        if route.path.startswith(ZOOM_APP_PREFIX) and route.path != REHEARSAL_PAGE:
            # The Zoom App answers Zoom's signed context and its own token, never a login cookie:
            # without them every page and call is refused (the app is off here: no client secret).
            for method in route.methods or ():
                response = client.request(method, _concrete(route.path))
                assert response.status_code in (400, 401, 403, 404, 503), (method, route.path)
                checked += 1
            continue
        for method in route.methods or ():
            if method == "GET":
                response = client.get(_concrete(route.path))
                if route.path == "/":
                    assert response.headers["location"] == "/login"
                else:
                    assert response.status_code == 303, route.path
                    assert response.headers["location"].startswith("/login?next=")
            else:
                token = csrf_of(client.get("/login").text)
                response = client.post(_concrete(route.path), data={"csrf_token": token})
                assert response.status_code == 401, (method, route.path)
            checked += 1
    assert checked >= 10
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/../../settings.py").status_code == 404


def test_login_sets_a_hardened_cookie_and_wrong_passwords_say_nothing_specific(rt: App) -> None:
    client = TestClient(
        create_ui_app(rt, secure_cookies=True, process_in_background=False),
        base_url="https://testserver",
        follow_redirects=False,
    )
    wrong = login(client, ORGANISER, "wrong password!")
    unknown = login(client, "nobody@example.org", "wrong password!")
    assert wrong.status_code == unknown.status_code == 400
    assert "Die E-Mail-Adresse oder das Passwort ist nicht richtig." in wrong.text
    assert "Die E-Mail-Adresse oder das Passwort ist nicht richtig." in unknown.text
    ok = login(client)
    assert ok.status_code == 303
    cookie = ok.headers["set-cookie"].lower()
    assert "orchestrator_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" in cookie
    assert PASSWORD not in cookie
    page = client.get(f"/events/{EVENT_KEY}")
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["x-frame-options"] == "DENY" and page.headers["referrer-policy"] == "no-referrer"
    with rt.session() as session:
        user = session.scalars(select(WebUser).where(WebUser.email == ORGANISER)).one()
        assert user.last_login_at is not None and user.password_hash.startswith("$argon2id$")


def test_pages_are_german_by_default_and_english_on_request(client: TestClient) -> None:
    page = client.get("/login")
    assert '<html lang="de">' in page.text and "Anmelden" in page.text
    token = csrf_of(page.text)
    switched = client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": token})
    assert switched.headers["location"] == "/login"
    english = client.get("/login")
    assert '<html lang="en">' in english.text and "Log in" in english.text
    login(client)
    assert "Registrations" in client.get(f"/events/{EVENT_KEY}").text  # the choice survives the login


def test_failed_logins_are_throttled(rt: App, client: TestClient) -> None:
    for _attempt in range(4):  # three free attempts; the fourth failure starts a 1 s delay
        assert login(client, ORGANISER, "wrong password!").status_code == 400
    blocked = login(client)  # even the right password waits now, but only briefly
    assert blocked.status_code == 429 and blocked.headers["retry-after"] == "1"
    assert "Bitte warten Sie 1 Sekunde(n)" in blocked.text
    assert client.get(f"/events/{EVENT_KEY}").status_code == 303
    rt.clock.advance(1)  # type: ignore[attr-defined]
    assert login(client).status_code == 303  # no 15-minute lockout of the real organiser


def test_forms_need_the_session_csrf_token(rt: App, client: TestClient) -> None:
    login(client)
    page = client.get(f"/events/{EVENT_KEY}/console")
    token = csrf_of(page.text)
    rt.emulator.clear_request_log()
    for data in ({}, {"csrf_token": "forged" * 8}):
        refused = client.post(f"/events/{EVENT_KEY}/registrations/sync", data=data)
        assert refused.status_code == 403
        assert "outdated page" in refused.text or "veralteten Seite" in refused.text
    assert rt.emulator.write_calls() == []
    # another session's token is no good either
    other = client_for(rt)
    login(other)
    assert other.post("/logout", data={"csrf_token": token}).status_code == 403
    assert client.post("/logout", data={"csrf_token": token}).headers["location"] == "/login"
    assert client.get(f"/events/{EVENT_KEY}").status_code == 303  # logged out


def test_login_redirects_only_to_local_pages(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": ORGANISER, "password": PASSWORD, "csrf_token": token, "next": "https://evil.example/"},
    )
    assert response.headers["location"] == "/"


def test_moderators_see_only_the_console_of_their_event(rt: App, client: TestClient) -> None:
    login(client, MODERATOR)
    assert client.get("/").headers["location"] == f"/events/{EVENT_KEY}/console"
    assert client.get(f"/events/{EVENT_KEY}/console").status_code == 200
    assert client.get(f"/events/{EVENT_KEY}").status_code == 403
    assert client.get("/events").status_code == 403
    token = csrf_of(client.get(f"/events/{EVENT_KEY}/console").text)
    assert client.post(f"/events/{EVENT_KEY}/import", data={"csrf_token": token}).status_code == 403
    # another event: not found (no hint it exists)
    _second_event(rt)
    assert client.get("/events/other-event/console").status_code == 404


def test_moderator_link_opens_a_scoped_session_until_a_new_link_replaces_it(rt: App) -> None:
    client = client_for(rt)
    path = moderator_link(rt)
    opened = client.get(path)
    assert opened.status_code == 303 and opened.headers["location"] == f"/events/{EVENT_KEY}/console"
    assert opened.headers["referrer-policy"] == "no-referrer"
    assert client.get(f"/events/{EVENT_KEY}/console").status_code == 200
    assert client.get(f"/events/{EVENT_KEY}").status_code == 403
    newer = moderator_link(rt)  # revokes the first link and its sessions
    assert client.get(f"/events/{EVENT_KEY}/console").status_code == 303
    assert client_for(rt).get(path).status_code == 404
    assert client.get(newer).status_code == 303
    assert client.get("/m/not-a-token").status_code == 404
    with rt.session() as session:
        stored = session.scalars(select(ModeratorLink.token_hash)).all()
    assert all(newer.removeprefix("/m/") not in h for h in stored) and len(stored) == 2


def test_disabling_an_account_ends_its_session(rt: App, client: TestClient) -> None:
    login(client)
    assert client.get(f"/events/{EVENT_KEY}").status_code == 200
    with rt.session() as session:
        accounts.set_active(session, ORGANISER, False)
        session.commit()
    assert client.get(f"/events/{EVENT_KEY}").status_code == 303
    assert login(client).status_code == 400


def _second_event(rt: App) -> None:
    with rt.session() as session:
        event = session.scalars(select(Event)).one()
        session.add(
            Event(
                key="other-event",
                title="Other",
                timezone=event.timezone,
                start_utc=event.start_utc,
                end_utc=event.end_utc,
                agenda_source="x",
                agenda_json=event.agenda_json,
                agenda_hash="0" * 64,
            )
        )
        session.commit()
