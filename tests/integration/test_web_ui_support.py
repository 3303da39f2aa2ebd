"""Shared set-up for the web interface tests: a runtime with the sample event, accounts, a client."""

from __future__ import annotations

import re
from pathlib import Path
from unittest.mock import patch

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from orchestrator.agenda import load_agenda
from orchestrator.app import App
from orchestrator.db.models import Event
from orchestrator.events import resolve_event
from orchestrator.meeting.service import run_setup
from orchestrator.web.ui import accounts, create_ui_app, passwords
from tests.conftest import SAMPLE_AGENDA
from tests.support.runtime import make_runtime

ORGANISER = "orga@example.org"
MODERATOR = "moderator@example.org"
PASSWORD = "correct horse battery"
EVENT_KEY = "fachtag-2025-2"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def event_runtime(database_url: str, tmp_path: Path) -> App:
    """A runtime whose store holds the sample event and its Zoom meeting (no people yet)."""
    rt = make_runtime(database_url, tmp_path)
    run_setup(rt.store, rt.zoom, rt.clock, load_agenda(SAMPLE_AGENDA, now=rt.clock.now()), recreate=False)
    return rt


_HASHES: dict[str, str] = {}


def _hash_once(password: str) -> str:
    """The argon2id hash of ``password``, made once per test process (each costs a fifth of a second).

    Accounts made for a test's set-up share it; logging in still verifies it in full, and the tests
    of hashing itself (tests/unit/web_ui/test_passwords_and_throttle.py, ``users add``) hash anew.
    """
    if password not in _HASHES:
        _HASHES[password] = passwords.hash_password(password)
    return _HASHES[password]


def add_account(
    rt: App, email: str, role: str, *, event_key: str | None = None, password: str = PASSWORD
) -> None:
    with rt.session() as session, patch.object(accounts, "hash_password", _hash_once):
        event = resolve_event(session, event_key) if event_key else None
        accounts.create_user(session, email, password, role, event)
        session.commit()


def moderator_link(rt: App, event_key: str = EVENT_KEY) -> str:
    """A fresh moderator link path (``/m/TOKEN``)."""
    with rt.session() as session:
        event = session.scalars(select(Event).where(Event.key == event_key)).one()
        issued = accounts.issue_moderator_link(session, event, rt.clock.now())
        session.commit()
    return f"/m/{issued.token}"


def client_for(rt: App) -> TestClient:
    """A test client of the whole app (webhooks + pages), cookies without Secure (plain http)."""
    app = create_ui_app(rt, secure_cookies=False, process_in_background=False)
    return TestClient(app, follow_redirects=False)


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match is not None, "no CSRF token in the page"
    return match.group(1)


def login(client: TestClient, email: str = ORGANISER, password: str = PASSWORD) -> Response:
    token = csrf_of(client.get("/login").text)
    form = {"email": email, "password": password, "csrf_token": token, "next": "/"}
    return client.post("/login", data=form)
