"""``orchestrator demo``: the rehearsed day with people in the meeting, an outage, and certificates.

The demo's meeting sends Zoom's signed webhooks to the service's real endpoint (uvicorn on a free
port) while the virtual clock passes the event, with the service unreachable for 100 minutes in
the middle: Zoom's retries bring most back, and the participant report what Zoom dropped. The
minutes per person must then equal what Zoom's own report says.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from orchestrator.app import App
from orchestrator.cli.demo_cmd import DemoAttendance, run_demo
from orchestrator.demo import DemoPaths, demo_settings
from orchestrator.demo_people import MAX_PEOPLE
from orchestrator.rehearsal_meeting import WebhookFigures
from tests.support.cli import invoke

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


def test_demo_refuses_more_people_than_it_can_rehearse(tmp_path: Path) -> None:
    result = invoke(["demo", "--people", str(MAX_PEOPLE + 1), "--dir", str(tmp_path)], env={})
    assert result.exit_code == 2
    assert "4999" in result.output
    assert not any(tmp_path.iterdir())
