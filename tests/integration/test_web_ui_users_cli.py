"""``orchestrator users``: accounts and moderator links from the command line (the group is tested alone)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from orchestrator.app import App
from orchestrator.cli import state as cli_state
from orchestrator.cli.users_cmd import app
from orchestrator.db.models import ModeratorLink, WebUser
from tests.integration.test_web_ui_support import EVENT_KEY, PASSWORD, client_for, event_runtime, login


@pytest.fixture
def rt(sqlite_url: str, tmp_path: Path) -> Iterator[App]:
    runtime = event_runtime(sqlite_url, tmp_path)
    cli_state.set_runtime(runtime)
    yield runtime
    cli_state.set_runtime(None)


def _run(args: list[str], stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, args, input=stdin, catch_exceptions=False)


def test_add_list_disable_and_log_in(rt: App) -> None:
    added = _run(["add", "Orga@Example.org", "--role", "organiser", "--password-stdin"], PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert "Account created: orga@example.org (organiser)." in added.output
    assert PASSWORD not in added.output
    with rt.session() as session:
        user = session.scalars(select(WebUser)).one()
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert login(client_for(rt), "orga@example.org").status_code == 303

    twice = _run(["add", "orga@example.org", "--password-stdin"], PASSWORD + "\n")
    assert twice.exit_code == 2 and "already an account" in twice.output
    as_moderator = ["add", "m@example.org", "--role", "moderator", "--event", EVENT_KEY, "--password-stdin"]
    weak = _run(as_moderator, "short\n")
    assert weak.exit_code == 2 and "at least 10 characters" in weak.output
    no_event_role = _run(["add", "m@example.org", "--role", "guest", "--password-stdin"], PASSWORD + "\n")
    assert no_event_role.exit_code == 2 and "Unknown role 'guest'" in no_event_role.output
    moderator = _run(as_moderator, PASSWORD + "\n")
    assert moderator.exit_code == 0

    listed = _run(["list", "--json"])
    rows = json.loads(listed.output)["result"]
    assert [(r["email"], r["role"], r["event"]) for r in rows] == [
        ("m@example.org", "moderator", EVENT_KEY),
        ("orga@example.org", "organiser", None),
    ]
    assert "password" not in listed.output.lower()

    assert _run(["disable", "orga@example.org"]).exit_code == 0
    assert login(client_for(rt), "orga@example.org").status_code == 400
    assert _run(["enable", "orga@example.org"]).exit_code == 0
    assert _run(["password", "orga@example.org", "--password-stdin"], "another long secret\n").exit_code == 0
    assert login(client_for(rt), "orga@example.org", "another long secret").status_code == 303


def test_password_prompt_must_match(rt: App) -> None:
    differ = _run(["add", "orga@example.org"], f"{PASSWORD}\n{PASSWORD}x\n")
    assert differ.exit_code == 2 and "differ" in differ.output
    same = _run(["add", "orga@example.org"], f"{PASSWORD}\n{PASSWORD}\n")
    assert same.exit_code == 0


def test_moderator_link_is_printed_once_stored_hashed_and_replaced(rt: App) -> None:
    first = _run(["moderator-link", "--event", EVENT_KEY])
    assert first.exit_code == 0, first.output
    url = re.search(r"http://127\.0\.0\.1:8080(/m/[\w-]+)", first.output)
    assert url is not None
    path = url.group(1)
    token = path.removeprefix("/m/")
    with rt.session() as session:
        hashes = list(session.scalars(select(ModeratorLink.token_hash)))
    assert len(hashes) == 1 and token not in hashes[0]
    client = client_for(rt)
    assert client.get(path).headers["location"] == f"/events/{EVENT_KEY}/console"
    second = _run(["moderator-link", "--event", EVENT_KEY, "--json"])
    assert json.loads(second.output)["result"]["revoked"] == 1
    assert client.get(f"/events/{EVENT_KEY}/console").status_code == 303  # the old link's session ended
    revoked = _run(["moderator-link", "--event", EVENT_KEY, "--revoke"])
    assert "1 moderator links revoked" in revoked.output
