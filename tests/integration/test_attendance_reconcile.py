"""Attendance that survives downtime: Zoom's participant report merged with the webhooks.

The same seeded day (about 30 registered people, guests, rejoins, breakout rooms, no-shows) is
held three times: the service hears every webhook, none (down for the whole meeting and Zoom's
retries), or loses a random 40 % of them. After ``attendance reconcile`` the per-person minutes
and the certificate list are identical in all three, and equal to what happened. Reconciling
again, duplicate and out-of-order webhooks, and webhooks arriving after the reconcile change
nothing.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from orchestrator.attendance.service import (
    ReconcileResult,
    attendance_export,
    reconcile_attendance,
    reconcile_ended_meetings,
)
from orchestrator.cli import app
from orchestrator.cli import state as cli_state
from orchestrator.db.lease import LeaseBusy, hold
from orchestrator.db.models import Event, Person
from orchestrator.errors import BadInput
from orchestrator.jobs import webhooks as webhook_job
from orchestrator.web.inbox import store_notification
from orchestrator.zoom.emulator.attendance import AttendanceFacts, AttendancePlan
from orchestrator.zoom.emulator.webhook_sender import (
    MeetingInfo,
    Transport,
    WebhookSender,
    notifications,
    replay,
)
from tests.unit.web.scenario import EVENT_END, EVENT_START, Scenario, make_scenario
from tests.unit.web.zoom_events import SECRET

PEOPLE = 30
PLAN = AttendancePlan(seed=23, guests=3, breakout_rooms=3, rejoin_share=0.3)
DROP_SHARE = 0.4

Outcome = tuple[dict[str, int], list[str], int]  # minutes per e-mail, certificate e-mails, guests


def new_scenario(database_url: str, tmp_path: Path) -> Scenario:
    scenario = make_scenario(database_url, tmp_path)
    with scenario.rt.session() as session:
        emails = list(session.scalars(select(Person.email).order_by(Person.id).limit(PEOPLE)))
    for email in emails:
        scenario.register_with_zoom(email)
    return scenario


@pytest.fixture
def scenarios(tmp_path: Path) -> Iterator[Callable[[str], Scenario]]:
    """Independent SQLite stores (one per way the day went), closed afterwards."""
    made: list[Scenario] = []

    def make(name: str) -> Scenario:
        folder = tmp_path / name
        folder.mkdir()
        made.append(new_scenario(f"sqlite:///{folder / 'store.db'}", folder))
        return made[-1]

    yield make
    for scenario in made:
        scenario.rt.close()


@pytest.fixture
def scenario(database_url: str, tmp_path: Path) -> Iterator[Scenario]:
    scenario = new_scenario(database_url, tmp_path)
    yield scenario
    scenario.rt.close()


def hold_meeting(scenario: Scenario) -> AttendanceFacts:
    return scenario.rt.emulator.simulate_attendance(
        scenario.zoom_meeting_id, PLAN, start=EVENT_START, end=EVENT_END
    )


def lost(body: bytes) -> bool:
    """A seeded 40 % of the notifications never get through (every retry refused too)."""
    seed = int.from_bytes(hashlib.sha256(body).digest()[:8], "big")
    return random.Random(seed).random() < DROP_SHARE


def deliver(scenario: Scenario, facts: AttendanceFacts, refuse: Callable[[bytes], bool]) -> WebhookSender:
    """Replay the day's notifications into the real app; ``refuse`` says which never arrive."""
    scenario.clock.set(EVENT_START - timedelta(minutes=15))
    with TestClient(scenario.app()) as client:

        def post(url: str, body: bytes, headers: dict[str, str]) -> int:
            if refuse(body):
                raise requests.ConnectionError("connection refused")
            return client.post(url, content=body, headers=headers).status_code

        transport: Transport = post
        sender = WebhookSender("http://testserver/zoom/webhook", SECRET.encode(), scenario.clock, transport)
        replay(facts, sender, MeetingInfo(topic="Fachtag", duration=285))
    return sender


def cli_reconcile(scenario: Scenario) -> ReconcileResult:
    cli_state.set_runtime(scenario.rt)
    try:
        result = CliRunner().invoke(
            app, ["--lang", "en", "attendance", "reconcile", "--json"], catch_exceptions=False
        )
    finally:
        cli_state.set_runtime(None)
    assert result.exit_code == 0, result.output
    return ReconcileResult(**json.loads(result.stdout)["result"])


def outcome(scenario: Scenario) -> Outcome:
    assert webhook_job.run(scenario.rt)["failed"] == 0
    export = attendance_export(scenario.rt.store, scenario.clock, None, None)
    assert export.meeting_ended
    minutes = {p.email: p.minutes for p in export.people if p.minutes}
    return minutes, sorted(p.email for p in export.people if p.certificate), export.guests


def expected_minutes(facts: AttendanceFacts) -> dict[str, int]:
    seconds: dict[str, int] = defaultdict(int)
    for presence in facts.presences:
        if presence.email:
            seconds[presence.email] += presence.duration  # one person's stays never overlap
    return {email: total // 60 for email, total in seconds.items()}


def test_minutes_and_certificates_are_the_same_whether_webhooks_arrived_or_not(
    scenarios: Callable[[str], Scenario],
) -> None:
    outcomes: dict[str, Outcome] = {}
    for mode, refuse in (
        ("all", lambda body: False),
        ("none", lambda body: True),
        ("random 40 %", lost),
    ):
        scenario = scenarios(mode.split()[0])
        facts = hold_meeting(scenario)
        sender = deliver(scenario, facts, refuse)
        if mode == "all":
            assert not sender.dropped
        elif mode == "none":
            assert not sender.delivered
            assert outcome_before_reconcile(scenario) == {}
        else:
            assert 0.25 < len(sender.dropped) / len(sender.deliveries) < 0.55
        result = cli_reconcile(scenario)
        assert result.report_rows == len(facts.presences) and result.skipped == 0
        assert result.marks_added == 2 * len(facts.presences)
        outcomes[mode] = outcome(scenario)
    minutes, certificates, guests = outcomes["all"]
    assert minutes == expected_minutes(facts)
    assert 0 < len(certificates) < len(minutes)  # the threshold separates people
    assert guests == PLAN.guests
    assert outcomes["none"] == outcomes["all"]
    assert outcomes["random 40 %"] == outcomes["all"]


def outcome_before_reconcile(scenario: Scenario) -> dict[str, int]:
    webhook_job.run(scenario.rt)
    export = attendance_export(scenario.rt.store, scenario.clock, None, None)
    return {p.email: p.minutes for p in export.people if p.minutes}


def test_reconcile_twice_and_late_duplicate_out_of_order_webhooks_change_nothing(scenario: Scenario) -> None:
    facts = hold_meeting(scenario)
    scenario.clock.set(EVENT_END + timedelta(minutes=5))
    everything = [n for _, n in notifications(facts, MeetingInfo(topic="Fachtag", duration=285))]
    rng = random.Random(5)
    # Half of the notifications first (shuffled, some twice), then the reconcile.
    first = everything[: len(everything) // 2]
    shuffled = first + rng.sample(first, len(first) // 5)
    rng.shuffle(shuffled)
    with scenario.rt.sessions() as session:
        for notification in shuffled:
            store_notification(session, notification, scenario.clock.now())
    first_result = reconcile_attendance(scenario.rt.store, scenario.rt.zoom, scenario.clock, None)
    assert first_result.marks_added == 2 * len(facts.presences) and first_result.already_known == 0
    after_first = outcome(scenario)
    assert after_first[0] == expected_minutes(facts)

    again = reconcile_attendance(scenario.rt.store, scenario.rt.zoom, scenario.clock, None)
    assert (again.marks_added, again.already_known) == (0, len(facts.presences))
    assert outcome(scenario) == after_first

    # The rest arrives late, out of order and partly twice (Zoom's retries): nothing changes.
    rest = everything[len(everything) // 2 :]
    late = rest + rng.sample(everything, len(everything) // 4)
    rng.shuffle(late)
    with scenario.rt.sessions() as session:
        for notification in late:
            store_notification(session, notification, scenario.clock.now())
    assert outcome(scenario) == after_first
    third = reconcile_attendance(scenario.rt.store, scenario.rt.zoom, scenario.clock, None)
    assert third.marks_added == 0
    assert outcome(scenario) == after_first


def test_reconcile_before_the_meeting_was_held_is_a_clear_error(scenario: Scenario) -> None:
    with pytest.raises(BadInput, match="no participant report"):
        reconcile_attendance(scenario.rt.store, scenario.rt.zoom, scenario.clock, None)


def test_ended_meetings_are_reconciled_once_after_zoom_had_time_for_its_report(scenario: Scenario) -> None:
    facts = hold_meeting(scenario)
    started, *_, ended = [n for _, n in notifications(facts, MeetingInfo(topic="Fachtag", duration=285))]

    def reconcile() -> list[ReconcileResult]:
        return reconcile_ended_meetings(
            scenario.rt.store, scenario.rt.zoom, scenario.clock, settle=timedelta(minutes=30)
        )

    scenario.clock.set(EVENT_END + timedelta(hours=1))
    with scenario.rt.sessions() as session:
        store_notification(session, started, scenario.clock.now())
    webhook_job.run(scenario.rt)
    assert reconcile() == []  # the run is open: meeting.ended not heard yet
    with scenario.rt.sessions() as session:
        store_notification(session, ended, scenario.clock.now())
    webhook_job.run(scenario.rt)
    scenario.clock.set(EVENT_END + timedelta(minutes=10))
    assert reconcile() == []  # Zoom needs a while for its report
    scenario.clock.set(EVENT_END + timedelta(minutes=31))
    [result] = reconcile()
    assert result.marks_added == 2 * len(facts.presences)
    assert reconcile() == []  # once
    assert outcome(scenario)[0] == expected_minutes(facts)


def test_a_meeting_the_service_never_heard_of_is_reconciled_after_its_scheduled_end(
    scenario: Scenario,
) -> None:
    facts = hold_meeting(scenario)
    scenario.clock.set(EVENT_END + timedelta(hours=1))
    [result] = reconcile_ended_meetings(scenario.rt.store, scenario.rt.zoom, scenario.clock)
    assert result.report_rows == len(facts.presences)
    assert outcome(scenario)[0] == expected_minutes(facts)


def test_a_second_reconcile_at_the_same_time_is_refused_and_then_finds_everything_known(
    scenario: Scenario,
) -> None:
    """Two reconciles of one event never run together (the command, the job, another instance)."""
    facts = hold_meeting(scenario)
    scenario.clock.set(EVENT_END + timedelta(minutes=5))
    with scenario.rt.store.session() as session:
        event_id = session.scalars(select(Event.id)).one()
    with hold(
        scenario.rt.store.sessions,
        f"attendance-reconcile:{event_id}",
        clock=scenario.clock,
        purpose="another instance",
        busy_message=str,
        lost_message="lost",
    ):
        with pytest.raises(LeaseBusy, match="Another attendance reconcile"):
            reconcile_attendance(scenario.rt.store, scenario.rt.zoom, scenario.clock, None)
        # The job skips the busy event instead of failing.
        assert reconcile_ended_meetings(scenario.rt.store, scenario.rt.zoom, scenario.clock) == []
        assert outcome_before_reconcile(scenario) == {}
    first = reconcile_attendance(scenario.rt.store, scenario.rt.zoom, scenario.clock, None)
    assert first.marks_added == 2 * len(facts.presences)
    again = reconcile_attendance(scenario.rt.store, scenario.rt.zoom, scenario.clock, None)
    assert again.marks_added == 0
