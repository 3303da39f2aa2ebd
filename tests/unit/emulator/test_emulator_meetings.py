"""Meetings and the host user through plain ``requests`` over the in-process adapter."""

from __future__ import annotations

import re
from datetime import timedelta

from orchestrator.clock import FrozenClock
from orchestrator.zoom.emulator import EmulatorApp, EmulatorConfig
from tests.unit.emulator.emulator_helpers import Zoom

ZOOM_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def test_create_get_patch_delete_meeting(zoom: Zoom, app: EmulatorApp) -> None:
    created = zoom.create_meeting(settings={"approval_type": 1, "waiting_room": True})
    meeting_id = created["id"]
    assert isinstance(meeting_id, int) and len(str(meeting_id)) == 11
    # 09:30 in Berlin on 27 Aug 2025 (CEST, UTC+2) is 07:30 UTC
    assert created["start_time"] == "2025-08-27T07:30:00Z"
    assert created["timezone"] == "Europe/Berlin"
    assert created["duration"] == 420
    assert created["settings"]["approval_type"] == 1
    assert created["settings"]["waiting_room"] is True
    assert created["registration_url"].startswith("https://")
    assert ZOOM_UTC.match(created["created_at"])

    fetched = zoom.call("GET", f"/meetings/{meeting_id}")
    assert fetched.status_code == 200
    body = fetched.json()
    assert body["topic"] == "Fachtag 2025"
    assert body["agenda"] == "Programm"
    assert body["host_email"] == "host@example.com"

    patched = zoom.call(
        "PATCH", f"/meetings/{meeting_id}", json={"topic": "Fachtag 2025 (neu)", "duration": 60}
    )
    assert patched.status_code == 204
    assert patched.content == b""
    after = zoom.call("GET", f"/meetings/{meeting_id}").json()
    assert after["topic"] == "Fachtag 2025 (neu)"
    assert after["duration"] == 60
    assert after["start_time"] == "2025-08-27T07:30:00Z"  # untouched fields stay
    assert after["settings"]["waiting_room"] is True

    deleted = zoom.call("DELETE", f"/meetings/{meeting_id}")
    assert deleted.status_code == 204
    gone = zoom.call("GET", f"/meetings/{meeting_id}")
    assert gone.status_code == 404
    assert gone.json() == {"code": 3001, "message": f"Meeting does not exist: {meeting_id}."}
    assert app.meetings() == []


def test_patch_merges_settings_and_utc_start_time(zoom: Zoom) -> None:
    meeting_id = zoom.create_meeting(settings={"approval_type": 0, "join_before_host": True})["id"]
    answer = zoom.call(
        "PATCH",
        f"/meetings/{meeting_id}",
        json={"start_time": "2025-09-01T06:00:00Z", "settings": {"mute_upon_entry": True}},
    )
    assert answer.status_code == 204
    body = zoom.call("GET", f"/meetings/{meeting_id}").json()
    assert body["start_time"] == "2025-09-01T06:00:00Z"
    assert body["settings"]["join_before_host"] is True
    assert body["settings"]["mute_upon_entry"] is True
    assert body["settings"]["approval_type"] == 0


def test_invalid_fields_are_refused_with_zoom_error_bodies(zoom: Zoom) -> None:
    for fields, field in (
        ({"duration": 1441}, "duration"),
        ({"duration": 0}, "duration"),
        ({"topic": "x" * 201}, "topic"),
        ({"agenda": "x" * 2001}, "agenda"),
        ({"settings": {"approval_type": 3}}, "settings.approval_type"),
        ({"start_time": "27.08.2025 09:30"}, "start_time"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
    ):
        answer = zoom.call("POST", "/users/me/meetings", json={"type": 2, **fields})
        assert answer.status_code == 400, fields
        body = answer.json()
        assert body["code"] == 300
        assert body["errors"][0]["field"] == field
    # limits are inclusive
    assert zoom.create_meeting(duration=1440, topic="x" * 200, agenda="y" * 2000)["duration"] == 1440


def test_refused_patch_changes_nothing(zoom: Zoom) -> None:
    meeting_id = zoom.create_meeting()["id"]
    answer = zoom.call("PATCH", f"/meetings/{meeting_id}", json={"topic": "neu", "duration": 5000})
    assert answer.status_code == 400
    assert zoom.call("GET", f"/meetings/{meeting_id}").json()["topic"] == "Fachtag 2025"


def test_invalid_json_body(zoom: Zoom) -> None:
    answer = zoom.call(
        "POST", "/users/me/meetings", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == 300


def test_users_me_and_unknown_user(zoom: Zoom) -> None:
    me = zoom.call("GET", "/users/me")
    assert me.status_code == 200
    body = me.json()
    assert body["email"] == "host@example.com"
    assert body["account_id"]
    assert zoom.call("GET", f"/users/{body['id']}").json()["email"] == "host@example.com"
    assert zoom.call("GET", "/users/HOST@example.com").status_code == 200
    unknown = zoom.call("GET", "/users/nobody@example.org")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == 1001
    assert zoom.call("POST", "/users/nobody@example.org/meetings", json={}).status_code == 404


def test_list_meetings_types_and_pagination(zoom: Zoom, clock: FrozenClock) -> None:
    past = zoom.create_meeting(start_time="2025-06-01T08:00:00Z", duration=60)["id"]
    upcoming = [zoom.create_meeting(start_time=f"2025-07-0{d}T08:00:00Z")["id"] for d in range(1, 6)]
    scheduled = zoom.call("GET", "/users/me/meetings", params={"type": "scheduled"}).json()
    assert scheduled["total_records"] == 6
    assert [m["id"] for m in scheduled["meetings"]] == [past, *upcoming]
    assert scheduled["next_page_token"] == ""

    page1 = zoom.call("GET", "/users/me/meetings", params={"type": "upcoming", "page_size": 2}).json()
    assert page1["total_records"] == 5
    assert page1["page_count"] == 3
    assert [m["id"] for m in page1["meetings"]] == upcoming[:2]
    token = page1["next_page_token"]
    page2 = zoom.call(
        "GET", "/users/me/meetings", params={"type": "upcoming", "next_page_token": token}
    ).json()
    assert [m["id"] for m in page2["meetings"]] == upcoming[2:4]
    page3 = zoom.call(
        "GET", "/users/me/meetings", params={"type": "upcoming", "next_page_token": page2["next_page_token"]}
    ).json()
    assert [m["id"] for m in page3["meetings"]] == upcoming[4:]
    assert page3["next_page_token"] == ""
    previous = zoom.call("GET", "/users/me/meetings", params={"type": "previous_meetings"}).json()
    assert [m["id"] for m in previous["meetings"]] == [past]


def test_list_truncates_agenda(zoom: Zoom) -> None:
    zoom.create_meeting(agenda="a" * 300)
    listed = zoom.call("GET", "/users/me/meetings").json()["meetings"][0]
    assert len(listed["agenda"]) == 250


def test_meeting_create_update_daily_limit(zoom: Zoom, config: EmulatorConfig, clock: FrozenClock) -> None:
    config.meeting_daily_writes = 2
    meeting_id = zoom.create_meeting()["id"]
    assert zoom.call("PATCH", f"/meetings/{meeting_id}", json={"topic": "b"}).status_code == 204
    refused = zoom.call("PATCH", f"/meetings/{meeting_id}", json={"topic": "c"})
    assert refused.status_code == 429
    assert "daily rate limit (2) of Meeting Create/Update API" in refused.json()["message"]
    assert refused.headers["X-RateLimit-Type"] == "Daily-limit"
    assert refused.headers["Retry-After"] == "2025-06-03T00:00:00Z"
    clock.advance(timedelta(days=1))
    zoom.login()  # the token has expired in the meantime
    assert zoom.call("PATCH", f"/meetings/{meeting_id}", json={"topic": "c"}).status_code == 204


def test_unknown_path_and_method(zoom: Zoom) -> None:
    assert zoom.call("GET", "/webinars/1").status_code == 404
    wrong = zoom.call("PUT", "/meetings/123")
    assert wrong.status_code == 405
    assert zoom.call("GET", "/meetings/not-a-number").json()["code"] == 3001
