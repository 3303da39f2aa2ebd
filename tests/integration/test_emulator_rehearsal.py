"""A rehearsal with people: simulated attendance → signed webhooks → our FastAPI app → stored minutes.

The emulator holds the meeting with registered people (personal links), guests, rejoins, breakout
rooms and no-shows; its webhook sender delivers Zoom's notifications to the real ``/zoom/webhook``
endpoint on the shared virtual clock, retrying like Zoom when the receiver is down; the webhook
job and the attendance computation then see what Zoom's participant report shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from orchestrator.attendance.minutes import compute_attendance
from orchestrator.db.models import Event, Person, WebhookEvent
from orchestrator.jobs import webhooks as webhook_job
from orchestrator.zoom.emulator.attendance import AttendanceFacts, AttendancePlan
from orchestrator.zoom.emulator.webhook_sender import MeetingInfo, Transport, WebhookSender, replay
from orchestrator.zoom.webhooks import dedup_key, parse_notification
from tests.unit.web.scenario import EVENT_END, EVENT_START, Scenario, make_scenario
from tests.unit.web.zoom_events import SECRET

PEOPLE = 30
PLAN = AttendancePlan(seed=11, guests=3, breakout_rooms=3, rejoin_share=0.3)


@pytest.fixture
def scenario(database_url: str, tmp_path: Path) -> Iterator[Scenario]:
    scenario = make_scenario(database_url, tmp_path)
    with scenario.rt.session() as session:
        emails = list(session.scalars(select(Person.email).order_by(Person.id).limit(PEOPLE)))
    for email in emails:
        scenario.register_with_zoom(email)
    yield scenario
    scenario.rt.close()


def hold_meeting(scenario: Scenario) -> AttendanceFacts:
    return scenario.rt.emulator.simulate_attendance(
        scenario.zoom_meeting_id, PLAN, start=EVENT_START, end=EVENT_END
    )


def via(client: TestClient, down: tuple[datetime, datetime] | None, scenario: Scenario) -> Transport:
    """POST into the app; while ``down`` the receiver is unreachable (connection refused)."""

    def post(url: str, body: bytes, headers: dict[str, str]) -> int:
        if down is not None and down[0] <= scenario.clock.now() < down[1]:
            raise requests.ConnectionError("connection refused")
        return client.post(url, content=body, headers=headers).status_code

    return post


def expected_minutes(facts: AttendanceFacts) -> dict[str, int]:
    seconds: dict[str, int] = defaultdict(int)
    for presence in facts.presences:
        if presence.email:
            seconds[presence.email] += presence.duration
    return {email: total // 60 for email, total in seconds.items()}


def stored_minutes(scenario: Scenario) -> tuple[dict[str, int], int]:
    report = webhook_job.run(scenario.rt)
    assert report["failed"] == 0
    with scenario.rt.session() as session:
        event = session.scalars(select(Event)).one()
        attendance = compute_attendance(session, event, scenario.clock.now())
    assert attendance.meeting_ended is True
    return {p.email: p.minutes for p in attendance.people if p.minutes}, attendance.guests


def rehearse(
    scenario: Scenario, facts: AttendanceFacts, down: tuple[datetime, datetime] | None
) -> WebhookSender:
    scenario.clock.set(EVENT_START - timedelta(minutes=15))
    with TestClient(scenario.app()) as client:
        sender = WebhookSender(
            "http://testserver/zoom/webhook", SECRET.encode(), scenario.clock, via(client, down, scenario)
        )
        replay(facts, sender, MeetingInfo(topic="Fachtag", duration=285))
    return sender


def test_rehearsal_delivers_every_event_and_minutes_match_the_facts(scenario: Scenario) -> None:
    facts = hold_meeting(scenario)
    assert facts.no_shows and facts.room_visits and any(not p.email for p in facts.presences)
    sender = rehearse(scenario, facts, down=None)
    assert not sender.dropped and all(len(d.attempts) == 1 for d in sender.deliveries)
    minutes, guests = stored_minutes(scenario)
    assert minutes == expected_minutes(facts)
    assert guests == PLAN.guests
    no_show_emails = {p.email for p in facts.no_shows}
    assert not no_show_emails & set(minutes)


def test_receiver_down_for_a_while_gets_the_events_from_zoom_retries(scenario: Scenario) -> None:
    facts = hold_meeting(scenario)
    down = (EVENT_START + timedelta(minutes=50), EVENT_START + timedelta(minutes=95))
    sender = rehearse(scenario, facts, down)
    retried = [d for d in sender.deliveries if len(d.attempts) > 1]
    assert retried and not sender.dropped
    assert all(d.state == "delivered" and d.attempts[-1][0] >= down[1] for d in retried)
    minutes, guests = stored_minutes(scenario)
    assert minutes == expected_minutes(facts)  # nothing lost: late, out of order, but complete
    assert guests == PLAN.guests


def test_all_retries_failing_drops_events_and_the_report_still_has_them(scenario: Scenario) -> None:
    facts = hold_meeting(scenario)
    # The receiver dies two hours in and is not back before Zoom's last retry (85 minutes later).
    down = (EVENT_START + timedelta(hours=2), EVENT_END + timedelta(hours=3))
    sender = rehearse(scenario, facts, down)
    assert sender.dropped and sender.delivered
    assert all(len(d.attempts) == 4 for d in sender.dropped)  # first try + retries after 5, 20, 60 min
    with scenario.rt.session() as session:
        keys = set(session.scalars(select(WebhookEvent.dedup_key)))
        count = session.scalar(select(func.count()).select_from(WebhookEvent))
    assert count == len(sender.delivered)
    assert not {dedup_key(parse_notification(d.body)) for d in sender.dropped} & keys
    # Zoom's participant report (read through our client) still knows every join and leave.
    report = list(scenario.rt.zoom.iter_report_participants(scenario.zoom_meeting_id))
    assert sorted(p["user_id"] for p in report) == sorted(p.user_id for p in facts.presences)
    past = list(scenario.rt.zoom.iter_past_meeting_participants(facts.uuid))
    assert {p["registrant_id"] for p in past} - {""} == {p.registrant_id for p in facts.presences} - {""}
