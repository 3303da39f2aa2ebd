""" "Der Tag": the timeline page and its JSON (sent mails, what is due, who is in, failures with repairs)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from orchestrator.app import App
from orchestrator.db.models import (
    AttendanceMark,
    BreakoutApply,
    BreakoutRoundRecord,
    Event,
    MeetingRun,
    OperationLease,
    OutboxMessage,
    ZoomMeeting,
    ZoomRegistration,
)
from orchestrator.db.models.person import RegistrationState
from orchestrator.registrants.service import sync_lease_name
from tests.integration.test_web_ui_people import add_people
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

DAY = f"/events/{EVENT_KEY}/day"


@pytest.fixture
def rt(database_url: str, tmp_path: Path) -> App:
    runtime = event_runtime(database_url, tmp_path)
    add_account(runtime, ORGANISER, "organiser")
    return runtime


@pytest.fixture
def client(rt: App) -> TestClient:
    client = client_for(rt)
    login(client)
    return client


def _the_day(rt: App) -> tuple[int, int]:
    """Sent confirmations, a failed reminder, a refused registration and round, two in the meeting."""
    anna, ben, carla = add_people(rt, 3)
    now = rt.clock.now()
    with rt.session() as session:
        event = session.scalars(select(Event)).one()
        meeting = session.scalars(select(ZoomMeeting)).one()
        for person_id in (anna, ben):
            session.add(
                OutboxMessage(
                    event_id=event.id,
                    person_id=person_id,
                    kind="confirmation",
                    occasion="confirmation",
                    state="sent",
                    due_at=now - timedelta(hours=2),
                    deadline=event.end_utc,
                    sent_at=now - timedelta(hours=1),
                )
            )
        failed = OutboxMessage(
            event_id=event.id,
            person_id=ben,
            kind="reminder",
            occasion="reminder:7d",
            state="failed",
            due_at=now,
            deadline=event.end_utc,
            attempts=3,
            last_error="550 mailbox unavailable",
        )
        session.add(failed)
        session.add(
            ZoomRegistration(
                person_id=carla,
                meeting_id=meeting.id,
                state=RegistrationState.FAILED,
                last_error="Zoom said no (400).",
            )
        )
        round_one = session.scalars(select(BreakoutRoundRecord).where(BreakoutRoundRecord.number == 1)).one()
        session.add(
            BreakoutApply(
                round_id=round_one.id,
                state="failed",
                payload_hash="x",
                rooms=5,
                participants=0,
                last_error="Zoom was unavailable (503).",
            )
        )
        session.add(MeetingRun(event_id=event.id, zoom_uuid="run-1", started_at=now - timedelta(minutes=30)))
        marks = [
            (anna, "p-anna", "join", 20),
            (ben, "p-ben", "join", 25),
            (ben, "p-ben", "leave", 10),
            (None, "p-guest", "join", 15),
        ]
        for person_id, key, kind, minutes_ago in marks:
            session.add(
                AttendanceMark(
                    event_id=event.id,
                    person_id=person_id,
                    participant_key=key,
                    kind=kind,
                    at=now - timedelta(minutes=minutes_ago),
                )
            )
        session.add(
            OperationLease(
                name=sync_lease_name(event.id),
                holder="test-holder",
                holder_label="dashboard: sync",
                acquired_at=now - timedelta(seconds=5),
                expires_at=now + timedelta(seconds=100),
            )
        )
        session.commit()
        return failed.id, carla


def test_day_json_shows_what_went_out_who_is_in_and_failures_with_repairs(
    rt: App, client: TestClient
) -> None:
    failed_id, _carla = _the_day(rt)
    response = client.get(f"{DAY}.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    body = response.json()
    day = body["day"]
    assert [item["text"] for item in day["timeline"] if item["kind"] == "mail"] == [
        "Anmeldebestätigung an 2 Teilnehmende"
    ]
    assert any(item["text"] == "Das Zoom-Meeting hat begonnen" for item in day["timeline"])
    assert day["next_up"] and all(item["future"] for item in day["next_up"])
    assert "Fällig: Erinnerung (7d vorher)" in [item["text"] for item in day["next_up"]]
    assert day["in_meeting"] == {
        "running": True,
        "people": 1,
        "names": ["Vorname0000 Person0000"],
        "guests": 1,
    }
    failures = {f["kind"]: f for f in day["failures"]}
    assert failures["mail"]["reason"] == "550 mailbox unavailable"
    assert failures["mail"]["repair"]["action"] == f"/events/{EVENT_KEY}/mails/retry"
    assert failures["mail"]["repair"]["fields"] == {"outbox_id": str(failed_id)}
    assert failures["registration"]["repair"]["action"] == f"/events/{EVENT_KEY}/registrations/retry"
    assert failures["breakouts"]["repair"]["fields"] == {"round": "1"}
    assert day["failure_counts"] == {"mail": 1, "registration": 1, "breakouts": 1}
    assert day["sync"]["running"] is True and day["sync"]["holder"] == "dashboard: sync"
    # the sections as HTML, with the repair forms (and their CSRF token)
    html = body["html"]
    assert f'action="/events/{EVENT_KEY}/mails/retry"' in html and f'value="{failed_id}"' in html
    assert 'name="csrf_token"' in html and "Ein Abgleich mit Zoom läuft" in html
    # the repair works: the failed mail is queued again from the link the day page gave
    page = client.get(DAY)
    assert page.status_code == 200 and '<script src="/static/day.js" defer></script>' in page.text
    assert "550 mailbox unavailable" in page.text
    retried = client.post(
        failures["mail"]["repair"]["action"],
        data={"csrf_token": csrf_of(page.text), "outbox_id": str(failed_id)},
    )
    assert retried.status_code == 303
    with rt.session() as session:
        assert session.get(OutboxMessage, failed_id).state == "queued"  # type: ignore[union-attr]
    again = client.get(f"{DAY}.json").json()
    assert again["day"]["failure_counts"]["mail"] == 0
    # the retried mail makes its occasion a mailing under way again, with its progress
    assert day["mailings"] == []
    with rt.session() as session:
        retried_row = session.get(OutboxMessage, failed_id)
        assert retried_row is not None
        occasion = retried_row.occasion
    (mailing,) = again["day"]["mailings"]
    assert (mailing["occasion"], mailing["sent"], mailing["total"]) == (occasion, 0, 1)
    assert "Laufende Versände" in again["html"] and "0 von 1 versendet" in again["html"]
    assert client.get("/static/day.js").status_code == 200


def test_day_shows_audit_entries_and_an_ended_meeting_is_empty(rt: App, client: TestClient) -> None:
    _the_day(rt)
    with rt.session() as session:
        run = session.scalars(select(MeetingRun)).one()
        run.ended_at = rt.clock.now()
        session.commit()
    [person_id] = add_people(rt, 1, start=9)
    page = client.get(f"/events/{EVENT_KEY}/people/{person_id}").text
    client.post(f"/events/{EVENT_KEY}/people/{person_id}/cancel", data={"csrf_token": csrf_of(page)})
    day = client.get(f"{DAY}.json").json()["day"]
    assert day["in_meeting"] == {"running": False, "people": 0, "names": [], "guests": 0}
    assert [(a["actor"], a["action"]) for a in day["audit"]] == [(ORGANISER, "person.cancel")]
    assert "person.cancel" in client.get(DAY).text


def test_moderators_do_not_see_the_day(rt: App) -> None:
    add_account(rt, MODERATOR, "moderator", event_key=EVENT_KEY)
    moderator = client_for(rt)
    login(moderator, MODERATOR)
    assert moderator.get(DAY).status_code == 403
    assert moderator.get(f"{DAY}.json").status_code == 403
    assert moderator.get(f"/events/{EVENT_KEY}/console").status_code == 200
