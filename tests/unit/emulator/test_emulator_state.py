"""State in a file: shared by separate instances (as by separate CLI runs), atomic, with a request log."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from orchestrator.clock import FrozenClock
from orchestrator.errors import BadInput
from orchestrator.zoom.emulator import EmulatorAdapter, EmulatorApp, EmulatorConfig, EmulatorState
from tests.unit.emulator.emulator_helpers import Zoom


def client(app: EmulatorApp) -> Zoom:
    session = requests.Session()
    session.mount("https://", EmulatorAdapter(app))
    return Zoom(session)


def new_app(path: Path, clock: FrozenClock) -> EmulatorApp:
    return EmulatorApp(EmulatorState(path), EmulatorConfig(), clock=clock)


def test_state_survives_a_new_instance(tmp_path: Path, clock: FrozenClock) -> None:
    path = tmp_path / "zoom.json"
    first = new_app(path, clock)
    zoom = client(first)
    meeting_id = zoom.create_meeting()["id"]
    registrant = zoom.call(
        "POST", f"/meetings/{meeting_id}/registrants", json={"email": "a@example.org", "first_name": "A"}
    ).json()

    second = new_app(path, clock)  # like the next CLI run
    zoom2 = client(second)
    assert zoom2.call("GET", f"/meetings/{meeting_id}").json()["topic"] == "Fachtag 2025"
    assert [r["id"] for r in second.registrants(meeting_id)] == [registrant["registrant_id"]]
    # the token of the first "run" is known to the second too
    zoom2.token = zoom.token
    assert zoom2.call("GET", "/users/me").status_code == 200
    # and the host user is the same account
    assert zoom2.call("GET", "/users/me").json()["id"] == zoom.call("GET", "/users/me").json()["id"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["zoom.json", "zoom.json.lock"]


def test_changes_by_one_instance_are_seen_by_the_other(tmp_path: Path, clock: FrozenClock) -> None:
    path = tmp_path / "zoom.json"
    a, b = new_app(path, clock), new_app(path, clock)
    meeting_id = client(a).create_meeting()["id"]
    assert b.meeting(meeting_id) is not None
    client(b).call("DELETE", f"/meetings/{meeting_id}")
    assert a.meeting(meeting_id) is None


def test_concurrent_instances_do_not_lose_writes(tmp_path: Path, clock: FrozenClock) -> None:
    path = tmp_path / "zoom.json"
    setup = new_app(path, clock)
    setup.config.enforce_rate_limits = False
    meeting_id = client(setup).create_meeting()["id"]

    def register(offset: int) -> None:
        app = new_app(path, clock)
        app.config.enforce_rate_limits = False
        zoom = client(app)
        for n in range(offset, offset + 15):
            answer = zoom.call(
                "POST",
                f"/meetings/{meeting_id}/registrants",
                json={"email": f"p{n}@example.org", "first_name": "P"},
            )
            assert answer.status_code == 201

    threads = [threading.Thread(target=register, args=(k * 100,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(new_app(path, clock).registrants(meeting_id)) == 60


def test_request_log_shows_a_rerun_without_writes(tmp_path: Path, clock: FrozenClock) -> None:
    path = tmp_path / "zoom.json"
    first = new_app(path, clock)
    zoom = client(first)
    meeting_id = zoom.create_meeting()["id"]
    writes = first.write_calls()
    assert [(r.method, r.path, r.status) for r in writes] == [("POST", "/v2/users/me/meetings", 201)]
    assert writes[0].at == "2025-06-02T08:00:00Z"
    first.clear_request_log()

    rerun = new_app(path, clock)
    zoom2 = client(rerun)
    assert zoom2.call("GET", f"/meetings/{meeting_id}").status_code == 200
    log = rerun.request_log()
    assert [(r.method, r.path) for r in log] == [
        ("POST", "/oauth/token"),
        ("GET", f"/v2/meetings/{meeting_id}"),
    ]
    assert rerun.write_calls() == []


def test_request_log_is_capped(app: EmulatorApp, zoom: Zoom) -> None:
    app.config.request_log_max = 5
    app.config.enforce_rate_limits = False
    zoom.login()
    for _ in range(10):
        zoom.call("GET", "/users/me")
    log = app.request_log()
    assert len(log) == 5
    assert all(r.path == "/v2/users/me" for r in log)


def test_reset_and_unreadable_file(tmp_path: Path, clock: FrozenClock) -> None:
    path = tmp_path / "zoom.json"
    app = new_app(path, clock)
    client(app).create_meeting()
    app.state.reset()
    assert new_app(path, clock).meetings() == []
    path.write_text("{broken", encoding="utf-8")
    with pytest.raises(BadInput, match=r"zoom\.json"):
        EmulatorState(path)
    path.write_text('{"version": 99}', encoding="utf-8")
    with pytest.raises(BadInput):
        EmulatorState(path)


def test_in_memory_state_writes_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app: EmulatorApp
) -> None:
    monkeypatch.chdir(tmp_path)
    client(app).create_meeting()
    assert list(tmp_path.iterdir()) == []
    assert app.state.snapshot()["meetings"]


def test_held_state_is_written_at_the_end_not_after_every_call(tmp_path: Path, clock: FrozenClock) -> None:
    """The demo holds the state: thousands of calls do not rewrite the file, the end saves it."""
    path = tmp_path / "zoom.json"
    app = new_app(path, clock)
    zoom = client(app)
    meeting_id = zoom.create_meeting()["id"]
    written = path.stat().st_mtime_ns, path.stat().st_ino
    with app.state.held(save_every=3600):
        for n in range(5):
            zoom.call(
                "POST",
                f"/meetings/{meeting_id}/registrants",
                json={"email": f"p{n}@example.org", "first_name": "P"},
            )
        assert (path.stat().st_mtime_ns, path.stat().st_ino) == written  # nothing written yet
        assert len(app.registrants(meeting_id)) == 5  # in memory all the same
    assert len(new_app(path, clock).registrants(meeting_id)) == 5  # saved on leaving


def test_held_state_is_saved_when_the_run_fails_and_every_interval(
    tmp_path: Path, clock: FrozenClock
) -> None:
    path = tmp_path / "zoom.json"
    app = new_app(path, clock)
    zoom = client(app)
    meeting_id = zoom.create_meeting()["id"]
    with pytest.raises(RuntimeError), app.state.held(save_every=0):
        zoom.call(
            "POST", f"/meetings/{meeting_id}/registrants", json={"email": "a@example.org", "first_name": "A"}
        )
        # save_every=0: each call is saved at once, as without holding
        stored = json.loads(path.read_text(encoding="utf-8"))["registrants"][str(meeting_id)]
        assert [r["email"] for r in stored] == ["a@example.org"]
        zoom.call(
            "POST", f"/meetings/{meeting_id}/registrants", json={"email": "b@example.org", "first_name": "B"}
        )
        raise RuntimeError("the demo fails half-way")
    assert len(new_app(path, clock).registrants(meeting_id)) == 2


def _hold_and_add(path: str, meeting_id: int, first_name: str, ready: Any, release: Any) -> None:
    """In a child process: hold the state, add a registrant, and keep holding until released."""
    clock = FrozenClock(datetime(2025, 8, 1, tzinfo=UTC))
    app = new_app(Path(path), clock)
    zoom = client(app)
    with app.state.held(save_every=3600):
        ready.set()
        zoom.call(
            "POST",
            f"/meetings/{meeting_id}/registrants",
            json={"email": f"{first_name}@example.org", "first_name": first_name},
        )
        release.wait(30)


def test_two_processes_holding_the_state_take_turns_and_lose_nothing(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """Two demos at once in one folder: the second waits for the first's hold, then sees its writes."""
    import multiprocessing

    path = tmp_path / "zoom.json"
    meeting_id = client(new_app(path, clock)).create_meeting()["id"]
    context = multiprocessing.get_context("spawn")
    ready_a, release_a, ready_b, release_b = (context.Event() for _ in range(4))
    a = context.Process(target=_hold_and_add, args=(str(path), meeting_id, "ann", ready_a, release_a))
    a.start()
    assert ready_a.wait(60)
    b = context.Process(target=_hold_and_add, args=(str(path), meeting_id, "bea", ready_b, release_b))
    b.start()
    # b must not get the hold while a has it; a second is how long we look (the lost-write check
    # at the end is what fails if holds did not exclude each other).
    assert not ready_b.wait(1.0)
    release_a.set()
    a.join(60)
    assert ready_b.wait(60)
    release_b.set()
    b.join(60)
    assert a.exitcode == 0 and b.exitcode == 0
    emails = sorted(r["email"] for r in new_app(path, clock).registrants(meeting_id))
    assert emails == ["ann@example.org", "bea@example.org"]
