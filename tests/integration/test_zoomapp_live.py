"""The Zoom App while the meeting runs: Zoom identities from webhooks, the plan's version, the host's moves
in Zoom, the round's room options, the console's activity list, and the rehearsal page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from orchestrator.app import App
from orchestrator.attendance.recording import record_participant
from orchestrator.breakouts import service
from orchestrator.breakouts.limits import ZoomLimits
from orchestrator.breakouts.queries import assignments_for_round, room_for_person
from orchestrator.db.models import AttendanceMark, Event, Person, ZoomAuditEntry, ZoomMeeting
from orchestrator.jobs.breakouts import work
from orchestrator.web.zoomapp.rehearsal import rehearsal_hint, rehearsal_meeting_uuid, token_secret
from orchestrator.web.zoomapp.tokens import issue_app_token
from tests.integration.test_web_ui_support import EVENT_KEY, ORGANISER, add_account, client_for, login
from tests.support.zoomapp import APP_SECRET, HOST_ID, MEETING_UUID, zoomapp_runtime

_TOKEN = re.compile(r'<meta name="zoomapp-token" content="([^"]+)">')


@pytest.fixture
def rt(database_url: str, tmp_path: Path) -> App:
    return zoomapp_runtime(database_url, tmp_path)


@pytest.fixture
def client(rt: App) -> TestClient:
    return client_for(rt)


def _event_id(rt: App) -> int:
    with rt.session() as session:
        return session.scalars(select(Event.id)).one()


def _headers(rt: App) -> dict[str, str]:
    token = issue_app_token(
        event_id=_event_id(rt),
        meeting_uuid=MEETING_UUID,
        zoom_user_id=HOST_ID,
        secret=APP_SECRET,
        now=rt.clock.now(),
    )
    return {"X-App-Token": token}


def _planned(rt: App) -> tuple[dict[int, str], dict[int, Person]]:
    with rt.session() as session:
        plan = assignments_for_round(session, _event_id(rt), 1)
        people = {p.id: p for p in session.scalars(select(Person))}
        session.expunge_all()
    return plan, people


def _joined(rt: App, participant: dict[str, Any]) -> str:
    with rt.session() as session:
        meeting = session.scalars(select(ZoomMeeting)).one()
        notification = {
            "event": "meeting.participant_joined",
            "event_ts": 1_756_280_000_000,
            "payload": {"object": {"uuid": MEETING_UUID, "id": "1", "participant": participant}},
        }
        outcome = record_participant(session, meeting, notification, rt.clock.now())
        session.commit()
    return outcome


def test_the_join_webhook_keeps_zoom_identities_of_registered_people_only(rt: App) -> None:
    plan, people = _planned(rt)
    person = people[next(iter(plan))]
    joined = {
        "participant_uuid": "{AAAA-1}",
        "user_name": "iPad",
        "email": person.email,
        "join_time": "2025-08-27T09:30:00Z",
    }
    guest = {"participant_uuid": "{GUEST-1}", "user_name": "Gast", "join_time": "2025-08-27T09:31:00Z"}
    assert _joined(rt, joined) == "join_person"
    assert _joined(rt, guest) == "join_guest"
    with rt.session() as session:
        marks = {
            m.person_id: (m.participant_uuid, m.meeting_uuid) for m in session.scalars(select(AttendanceMark))
        }
    assert marks == {person.id: ("{AAAA-1}", MEETING_UUID), None: (None, None)}


def test_a_zoom_identity_from_the_webhook_matches_before_the_name(rt: App, client: TestClient) -> None:
    plan, people = _planned(rt)
    first, second = list(plan)[:2]
    _joined(
        rt,
        {"participant_uuid": "{AAAA-1}", "email": people[first].email, "join_time": "2025-08-27T09:30:00Z"},
    )
    _joined(
        rt,
        {"participant_uuid": "{BBBB-2}", "email": people[second].email, "join_time": "2025-08-27T09:30:00Z"},
    )
    participants = [
        # Matches the stored identity although the screen name fits nobody.
        {"participantUUID": "{aaaa-1}", "screenName": "iPad", "role": "attendee"},
        # The SDK's value differs from the webhook's (not documented as equal): the name decides.
        {"participantUUID": "{CCCC-3}", "screenName": "Niemand Bekanntes", "role": "attendee"},
    ]
    response = client.post(
        "/zoomapp/api/match", json={"round": 1, "participants": participants}, headers=_headers(rt)
    )
    assert response.status_code == 200
    found = {m["participant"]["participant_uuid"]: m for m in response.json()["participants"]}
    assert (found["{aaaa-1}"]["person_id"], found["{aaaa-1}"]["matched_by"]) == (first, "identity")
    assert found["{aaaa-1}"]["target_room"] == plan[first]
    assert found["{CCCC-3}"]["status"] == "unknown" and found["{CCCC-3}"]["person_id"] is None


def test_the_plan_version_changes_when_the_console_moves_someone(rt: App, client: TestClient) -> None:
    plan, people = _planned(rt)
    before = client.get("/zoomapp/api/version?round=1", headers=_headers(rt)).json()["plan_version"]
    assert client.get("/zoomapp/api/version?round=1", headers=_headers(rt)).json()["plan_version"] == before
    person_id = next(iter(plan))
    other = next(r for r in set(plan.values()) if r != plan[person_id])
    service.move(
        work(rt),
        None,
        email=people[person_id].email,
        room=other,
        round_number=1,
        force=True,
        limits=ZoomLimits(),
    )
    after = client.get("/zoomapp/api/version?round=1", headers=_headers(rt)).json()["plan_version"]
    assert after != before
    assert client.get("/zoomapp/api/version?round=99", headers=_headers(rt)).status_code == 404
    assert client.get("/zoomapp/api/version?round=1").status_code == 401


def test_moves_in_zoom_are_recorded_and_the_plan_follows_identified_people(
    rt: App, client: TestClient
) -> None:
    plan, _people = _planned(rt)
    person_id = next(iter(plan))
    other = next(r for r in set(plan.values()) if r != plan[person_id])
    moves = [
        {"participant_uuid": "{P-1}", "person_id": person_id, "from_room": plan[person_id], "to_room": other},
        {"participant_uuid": "{G-1}", "person_id": None, "from_room": None, "to_room": other},
        {"participant_uuid": "{P-2}", "person_id": 999_999, "from_room": None, "to_room": other},
        {"participant_uuid": "{P-3}", "person_id": person_id, "from_room": other, "to_room": "Kein Raum"},
    ]
    response = client.post("/zoomapp/api/zoom-moves", json={"round": 1, "moves": moves}, headers=_headers(rt))
    assert response.status_code == 200, response.text
    assert (response.json()["recorded"], response.json()["plan_updated"]) == (4, 1)
    with rt.session() as session:
        assert room_for_person(session, _event_id(rt), 1, person_id) == other
        rows = session.scalars(
            select(ZoomAuditEntry).where(ZoomAuditEntry.action == "zoomapp.zoom_move")
        ).all()
        plans = [row.detail["plan"] for row in rows]
    assert plans == ["moved", "not_identified", "not_identified", "not_a_round_room"]
    bad = {"round": 1, "moves": [{"participant_uuid": ""}]}
    assert client.post("/zoomapp/api/zoom-moves", json=bad, headers=_headers(rt)).status_code == 400


def test_the_round_state_carries_the_agendas_room_options(rt: App, client: TestClient) -> None:
    state = client.get("/zoomapp/api/state?round=1", headers=_headers(rt)).json()
    assert state["round"]["options"] == {
        "countdown_seconds": 60,
        "allow_return": True,
        "move_automatically": True,
        "allow_choose_room": False,
        "close_at_end": True,
    }
    assert len(state["plan_version"]) == 16


def test_the_console_lists_the_apps_actions(rt: App, client: TestClient) -> None:
    plan, people = _planned(rt)
    person_id = next(iter(plan))
    entries = [
        {
            "action": "assign",
            "sdk_function": "assignParticipantToBreakoutRoom",
            "outcome": "ok",
            "round": 1,
            "participant_uuid": "{P-1}",
            "person_id": person_id,
            "room": plan[person_id],
        }
    ]
    assert (
        client.post("/zoomapp/api/actions", json={"entries": entries}, headers=_headers(rt)).status_code
        == 200
    )
    add_account(rt, ORGANISER, "organiser")
    login(client)
    page = client.get(f"/events/{EVENT_KEY}/console?round=1").text
    assert "Aktivität der Zoom-App" in page
    assert f"von der App zugeteilt: {people[person_id].first_name}" in page


def test_the_rehearsal_page_is_for_organisers_in_emulator_mode_only(rt: App, client: TestClient) -> None:
    assert client.get("/zoomapp/rehearsal").status_code in (302, 303, 401)
    add_account(rt, ORGANISER, "organiser")
    login(client)
    rt.settings.zoom_app_client_secret = None  # the rehearsal needs no Zoom App
    page = client.get("/zoomapp/rehearsal")
    assert page.status_code == 200
    assert "Probe" in page.text and 'id="zoomapp-scenario"' in page.text
    assert "appssdk.zoom.us" not in page.text
    assert client.get("/zoomapp/rehearsal/emulator.js").status_code == 200
    match = _TOKEN.search(page.text)
    assert match is not None
    headers = {"X-App-Token": match.group(1)}
    assert client.get("/zoomapp/api/state?round=1", headers=headers).status_code == 200
    # A real meeting's token is no good without the app's secret.
    real = issue_app_token(
        event_id=_event_id(rt),
        meeting_uuid=MEETING_UUID,
        zoom_user_id=HOST_ID,
        secret=token_secret(rt),
        now=rt.clock.now(),
    )
    assert client.get("/zoomapp/api/state", headers={"X-App-Token": real}).status_code == 503
    rt.settings.zoom = "real"
    assert client.get("/zoomapp/rehearsal").status_code == 404
    assert client.get("/zoomapp/rehearsal/emulator.js").status_code == 404
    assert client.get("/zoomapp/api/state?round=1", headers=headers).status_code == 503
    assert rehearsal_meeting_uuid(1) == "rehearsal-event-1"


def test_the_demo_hint_names_the_rehearsal_url() -> None:
    assert "http://127.0.0.1:8080/zoomapp/rehearsal" in rehearsal_hint("http://127.0.0.1:8080/", "de")
    assert rehearsal_hint("http://x", "de").startswith("Zoom-App proben")
    assert rehearsal_hint("http://x", "en").startswith("Rehearse the Zoom App")


def test_a_repeated_join_in_one_transaction_is_one_mark_and_a_rollback_forgets_it(rt: App) -> None:
    """A drain applies dozens of notifications per transaction and flushes them together."""
    with rt.session() as session:
        meeting = session.scalars(select(ZoomMeeting)).one()
        notification = {
            "event": "meeting.participant_joined",
            "event_ts": 1_756_280_000_000,
            "payload": {
                "object": {
                    "uuid": MEETING_UUID,
                    "id": "1",
                    "participant": {"user_name": "Gast", "join_time": "2025-08-27T07:40:00Z", "id": "g1"},
                }
            },
        }
        now = rt.clock.now()
        assert record_participant(session, meeting, notification, now) == "join_guest"
        assert record_participant(session, meeting, notification, now) == "join_duplicate"
        session.rollback()
        assert record_participant(session, meeting, notification, now) == "join_guest"
        session.commit()
        assert record_participant(session, meeting, notification, now) == "join_duplicate"
        assert len(session.scalars(select(AttendanceMark)).all()) == 1
