"""Sessions live in the store: logout, password change and expiry end them; the cookie stays small.

A browser's cookie copied before logout (or before a password change) must open nothing
afterwards; messages for the next page stay on the server, so the cookie never carries
participants' e-mail addresses and never grows past what browsers keep (4 KB).
"""

from __future__ import annotations

import base64
import html
import json
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from orchestrator.app import App
from orchestrator.db.models import Event, WebSession
from orchestrator.web.ui import accounts
from orchestrator.web.ui.install import SESSION_COOKIE
from tests.integration.test_web_ui_support import (
    EVENT_KEY,
    MODERATOR,
    ORGANISER,
    add_account,
    client_for,
    csrf_of,
    event_runtime,
    login,
)

DASHBOARD = f"/events/{EVENT_KEY}"
BROWSER_COOKIE_LIMIT = 4096


@pytest.fixture
def rt(database_url: str, tmp_path: Path) -> App:
    runtime = event_runtime(database_url, tmp_path)
    add_account(runtime, ORGANISER, "organiser")
    add_account(runtime, MODERATOR, "moderator", event_key=EVENT_KEY)
    return runtime


def _saved_cookie(client: TestClient) -> str:
    value = client.cookies.get(SESSION_COOKIE)
    assert value is not None
    return value


def _replay(client: TestClient, cookie: str) -> TestClient:
    """Another browser (same service) holding a copy of ``cookie``."""
    thief = TestClient(client.app, follow_redirects=False)
    thief.cookies.set(SESSION_COOKIE, cookie)
    return thief


def _sessions(rt: App) -> int:
    with rt.session() as session:
        return int(session.scalar(select(func.count()).select_from(WebSession)) or 0)


def _cookie_payload(response: Response) -> tuple[list[str], list[dict[str, object]]]:
    """Every Set-Cookie header of ``response`` and the decoded session data in them."""
    headers = response.headers.get_list("set-cookie")
    payloads = []
    for header in headers:
        value = header.split(";", 1)[0].split("=", 1)[1]
        if value and value != "null":
            data = value.split(".", 1)[0]
            payloads.append(json.loads(base64.b64decode(data + "=" * (-len(data) % 4))))
    return headers, payloads


def test_logout_ends_the_session_on_the_server(rt: App) -> None:
    client = client_for(rt)
    login(client)
    saved = _saved_cookie(client)
    assert _replay(client, saved).get(DASHBOARD).status_code == 200
    token = csrf_of(client.get(DASHBOARD).text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert _replay(client, saved).get(DASHBOARD).status_code == 303  # the copy opens nothing now
    assert _sessions(rt) == 0


def test_a_password_change_ends_every_session_of_the_account(rt: App) -> None:
    first, second, moderator = client_for(rt), client_for(rt), client_for(rt)
    login(first)
    login(second)
    login(moderator, MODERATOR)
    with rt.session() as session:
        accounts.set_password(session, ORGANISER, "a new long password")
        session.commit()
    assert first.get(DASHBOARD).status_code == 303
    assert second.get(DASHBOARD).status_code == 303
    assert moderator.get(f"{DASHBOARD}/console").status_code == 200  # other accounts keep theirs
    assert login(first, ORGANISER, "a new long password").status_code == 303


def test_sessions_end_after_two_idle_hours_and_twelve_hours_at_most(rt: App) -> None:
    clock = rt.clock
    client = client_for(rt)
    login(client)
    for _step in range(7):  # active every 100 minutes for 11 h 40: the idle limit never strikes ...
        clock.advance(timedelta(minutes=100))  # type: ignore[attr-defined]
        assert client.get(DASHBOARD).status_code == 200
    clock.advance(timedelta(minutes=100))  # type: ignore[attr-defined]
    assert client.get(DASHBOARD).status_code == 303  # ... but 13 h 20 after the login is past 12 h
    idle = client_for(rt)
    login(idle)
    clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    assert idle.get(DASHBOARD).status_code == 303
    login(client_for(rt))  # a login clears expired rows away
    assert _sessions(rt) == 1


def test_a_moderator_link_can_expire(rt: App) -> None:
    now = rt.clock.now()
    with rt.session() as session:
        event = session.scalars(select(Event).where(Event.key == EVENT_KEY)).one()
        issued = accounts.issue_moderator_link(session, event, now, expires_at=now + timedelta(hours=1))
        session.commit()
    client = client_for(rt)
    assert client.get(f"/m/{issued.token}").status_code == 303
    assert client.get(f"{DASHBOARD}/console").status_code == 200
    rt.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    assert client.get(f"{DASHBOARD}/console").status_code == 303  # its session ended with it
    assert client_for(rt).get(f"/m/{issued.token}").status_code == 404


def test_messages_stay_on_the_server_and_the_cookie_stays_small(rt: App) -> None:
    client = client_for(rt)
    login(client)
    header = ";".join(["Spalte"] * 100_000)  # a CSV of 100,000 columns (finding 6)
    token = csrf_of(client.get(DASHBOARD).text)
    imported = client.post(
        f"{DASHBOARD}/import",
        data={"csrf_token": token},
        files={"file": ("breit.csv", f"{header}\n{header}\n".encode(), "text/csv")},
    )
    assert imported.status_code == 303
    page = client.get(DASHBOARD)
    text = html.unescape(page.text)
    assert "100.000" in text or "100,000" in text  # the error is shown ...
    assert 0 < text.count("'Spalte'") <= 10  # ... naming only a few columns
    for response in (imported, page):
        headers, payloads = _cookie_payload(response)
        assert all(len(h) < BROWSER_COOKIE_LIMIT for h in headers)
        assert all(set(p) <= {"sid", "csrf", "lang"} for p in payloads)


def test_no_e_mail_address_travels_in_the_cookie(rt: App) -> None:
    client = client_for(rt)
    login(client)
    token = csrf_of(client.get(DASHBOARD).text)
    # The retry flash names each person ("a@example.org: reason") - it must stay on the server.
    retried = client.post(
        f"{DASHBOARD}/registrations/retry", data={"csrf_token": token, "email": "participant@example.org"}
    )
    assert retried.status_code == 303
    _headers, payloads = _cookie_payload(retried)
    assert all("@" not in json.dumps(p) for p in payloads)
    assert all("flash" not in p for p in payloads)
    followed = client.get(DASHBOARD)
    _headers, payloads = _cookie_payload(followed)
    assert all("@" not in json.dumps(p) for p in payloads)


def test_a_missing_column_error_names_only_a_few_columns(rt: App) -> None:
    client = client_for(rt)
    login(client)
    header = ";".join(f"Feld {n}" for n in range(150))  # no e-mail column among 150
    token = csrf_of(client.get(DASHBOARD).text)
    client.post(
        f"{DASHBOARD}/import",
        data={"csrf_token": token},
        files={"file": ("ohne-mail.csv", f"{header}\n{header}\n".encode(), "text/csv")},
    )
    page = html.unescape(client.get(DASHBOARD).text)
    assert "'Feld 9'" in page and "'Feld 10'" not in page
    assert "und 140 weitere Spalten" in page
