"""``orchestrator demo``: the rehearsed day with people in the meeting, an outage, and certificates.

The demo's meeting sends Zoom's signed webhooks to the service's real endpoint (uvicorn on a free
port) while the virtual clock passes the event, with the service unreachable for 100 minutes in
the middle: Zoom's retries bring most back, and the participant report what Zoom dropped. The
minutes per person must then equal what Zoom's own report says.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from pathlib import Path

import requests

from orchestrator.app import App
from orchestrator.cli.demo_cmd import DemoAttendance, run_demo
from orchestrator.demo import DemoPaths, demo_settings
from orchestrator.demo_people import MAX_PEOPLE
from orchestrator.demo_serve import DemoLogin, serve_demo
from orchestrator.rehearsal_meeting import WebhookFigures
from tests.support.cli import invoke
from tests.support.waiting import wait_for

PEOPLE = 40


def report_minutes(paths: DemoPaths, meeting_id: int) -> dict[str, int]:
    """Minutes per e-mail as Zoom's participant report (the emulator's facts) has them."""
    rt = App(demo_settings(paths))
    try:
        seconds: dict[str, int] = defaultdict(int)
        for row in rt.zoom.iter_report_participants(meeting_id):
            if row.get("user_email"):
                seconds[row["user_email"].lower()] += int(row["duration"])
        return {email: total // 60 for email, total in seconds.items()}
    finally:
        rt.close()


def test_demo_with_synthetic_people_plays_the_meeting_through_an_outage(tmp_path: Path) -> None:
    result = run_demo(tmp_path, people=PEOPLE)
    steps = {step["step"]: step for step in result["steps"]}
    assert steps["registrants import"]["summary"]["people"] == PEOPLE
    figures: WebhookFigures = result["webhooks"]
    assert figures.sent > PEOPLE  # meeting start/end, joins, leaves, rooms
    assert figures.delivered_after_retry > 0 and figures.dropped > 0  # the outage was felt
    kinds = [entry["kind"] for entry in result["timeline"]]
    assert "meeting" in kinds and "breakouts" in kinds

    attendance: DemoAttendance = result["attendance"]
    assert 0 < attendance.attended <= PEOPLE
    minutes = {row.email: row.minutes for row in attendance.people if row.minutes}
    assert minutes == report_minutes(DemoPaths(tmp_path), result["meeting"].zoom_meeting_id)
    certificates = sorted((tmp_path / "certificates").glob("*.pdf"))
    assert len(certificates) == attendance.certificates > 0
    assert (tmp_path / "anwesenheit.csv").read_text(encoding="utf-8").count("\n") >= attendance.attended

    again = run_demo(tmp_path, people=PEOPLE)
    assert again["changed"] is False and again["webhooks"] is None
    assert again["attendance"].certificates == attendance.certificates

    # demo --serve: the organiser pages and the Zoom App's rehearsal of the same store.
    assert_served(DemoPaths(tmp_path), result["event"])


def assert_served(paths: DemoPaths, event_key: str) -> None:
    logins: list[DemoLogin] = []
    stop, failures = threading.Event(), []

    def serve() -> None:
        try:
            serve_demo(paths, 0, logins.append, stop)
        except Exception as exc:  # reported by the assertion below
            failures.append(exc)

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        wait_for(lambda: logins or failures, timeout=30, what="the demo server")
        assert not failures
        (login,) = logins
        http = requests.Session()
        page = http.get(f"{login.url}/login", timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
        form = {"csrf_token": token.group(1), "email": login.email, "password": login.password, "next": "/"}
        assert http.post(f"{login.url}/login", data=form, timeout=10).status_code == 200
        for path in (f"/events/{event_key}", "/zoomapp/rehearsal"):
            answer = http.get(login.url + path, timeout=30)
            assert answer.status_code == 200, path
    finally:
        stop.set()
        thread.join(30)


def test_demo_refuses_more_people_than_it_can_rehearse(tmp_path: Path) -> None:
    result = invoke(["demo", "--people", str(MAX_PEOPLE + 1), "--dir", str(tmp_path)], env={})
    assert result.exit_code == 2
    assert "4999" in result.output
    assert not any(tmp_path.iterdir())
