"""The emulator over real HTTP on loopback, and through ``responses`` callbacks."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest
import requests
import responses

from orchestrator.clock import FrozenClock
from orchestrator.zoom.emulator import (
    EmulatorApp,
    EmulatorConfig,
    EmulatorState,
    Faults,
    install_responses,
    main_serve,
    serve,
)
from tests.unit.emulator.emulator_helpers import Zoom


def test_meeting_crud_over_loopback_http(clock: FrozenClock) -> None:
    app = EmulatorApp(EmulatorState(), EmulatorConfig(), clock=clock)
    with serve(app, port=0) as server, requests.Session() as session:
        assert server.api_url.startswith("http://127.0.0.1:")
        zoom = Zoom(session, api=server.api_url, oauth=server.oauth_url)
        created = zoom.create_meeting()
        meeting_id = created["id"]
        fetched = zoom.call("GET", f"/meetings/{meeting_id}")
        assert fetched.status_code == 200
        assert fetched.headers["Content-Type"].startswith("application/json")
        assert fetched.json()["start_time"] == "2025-08-27T07:30:00Z"
        assert zoom.call("PATCH", f"/meetings/{meeting_id}", json={"topic": "neu"}).status_code == 204
        registrant = zoom.call(
            "POST", f"/meetings/{meeting_id}/registrants", json={"email": "a@example.org", "first_name": "A"}
        ).json()
        assert zoom.call("DELETE", f"/meetings/{meeting_id}").status_code == 204
        gone = zoom.call("GET", f"/meetings/{meeting_id}")
        assert gone.status_code == 404
        assert gone.json()["code"] == 3001
        assert not app.join_link_valid(registrant["join_url"])


def test_slow_fault_times_out_a_real_client(clock: FrozenClock) -> None:
    faults = Faults()
    app = EmulatorApp(EmulatorState(), EmulatorConfig(), faults, clock)
    with serve(app, port=0) as server, requests.Session() as session:
        zoom = Zoom(session, api=server.api_url, oauth=server.oauth_url)
        zoom.login()
        faults.inject("slow", delay_s=0.6, count=1)
        began = time.monotonic()
        with pytest.raises(requests.exceptions.ReadTimeout):
            zoom.call("GET", "/users/me", timeout=(2, 0.2))
        assert time.monotonic() - began < 0.6
        assert zoom.call("GET", "/users/me").status_code == 200


def test_main_serve_with_state_file_faults_and_join_pages(tmp_path: Path) -> None:
    lines: list[str] = []
    stop = threading.Event()
    state = tmp_path / "zoom.json"
    thread = threading.Thread(
        target=main_serve,
        kwargs={
            "port": 0,
            "state_path": state,
            "fault_specs": ["500:count=1:path=/v2/users/*"],
            "echo": lines.append,
            "stop": stop,
        },
    )
    thread.start()
    try:
        deadline = time.monotonic() + 5
        while not lines and time.monotonic() < deadline:
            time.sleep(0.01)
        match = re.search(r"http://127\.0\.0\.1:\d+", lines[0])
        assert match, lines
        url = match.group(0)
        with requests.Session() as session:
            zoom = Zoom(session, api=url + "/v2", oauth=url + "/oauth/token")
            zoom.login()
            assert zoom.call("GET", "/users/me").status_code == 500  # the injected fault
            created = zoom.create_meeting()
            link = zoom.call(
                "POST",
                f"/meetings/{created['id']}/registrants",
                json={"email": "a@example.org", "first_name": "A"},
            ).json()["join_url"]
            assert link.startswith(url + "/w/")  # join links lead to the emulator in the demo
            assert session.get(link, timeout=5).status_code == 200
            assert session.get(link.replace("tk=", "tk=x"), timeout=5).status_code == 404
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()
    assert EmulatorApp(EmulatorState(state)).meetings()[0]["id"] == created["id"]


def test_main_serve_refuses_bad_fault_spec() -> None:
    from orchestrator.errors import BadInput

    with pytest.raises(BadInput):
        main_serve(port=0, fault_specs=["teapot"], echo=lambda _: None)


def test_responses_callbacks(app: EmulatorApp, faults: Faults) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps, requests.Session() as session:
        install_responses(rsps, app)
        zoom = Zoom(session)
        meeting_id = zoom.create_meeting()["id"]
        assert zoom.call("GET", f"/meetings/{meeting_id}").json()["id"] == meeting_id
        assert zoom.call("DELETE", f"/meetings/{meeting_id}").status_code == 204
        assert zoom.call("GET", f"/meetings/{meeting_id}").status_code == 404
        faults.inject("slow", delay_s=3, count=1)
        with pytest.raises(requests.exceptions.ReadTimeout):
            zoom.call("GET", "/users/me", timeout=(1, 0.1))
        faults.inject("429", count=1)
        assert zoom.call("GET", "/users/me").status_code == 429


def test_responses_with_custom_base_url(app: EmulatorApp) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps, requests.Session() as session:
        install_responses(rsps, app, base_url="https://zoom.test/api/v2", oauth_url="https://zoom.test/token")
        zoom = Zoom(session, api="https://zoom.test/api/v2", oauth="https://zoom.test/token")
        assert zoom.call("GET", "/users/me").json()["email"] == "host@example.com"
