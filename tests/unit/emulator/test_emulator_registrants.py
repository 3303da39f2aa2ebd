"""Registrants: add, batch, duplicates, cap, daily limit, listing with expiring page tokens, status."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from orchestrator.clock import FrozenClock
from orchestrator.zoom.emulator import EmulatorApp, EmulatorConfig
from tests.unit.emulator.emulator_helpers import Zoom

JOIN = re.compile(r"^https://emulator\.zoom\.invalid/w/(\d+)\?tk=[A-Za-z0-9_-]{20,}$")


def person(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "email": f"person{n}@example.org",
        "first_name": f"Vorname{n}",
        "last_name": f"Nachname{n}",
        **extra,
    }


@pytest.fixture
def meeting_id(zoom: Zoom) -> int:
    return int(zoom.create_meeting(settings={"approval_type": 0})["id"])


def add(zoom: Zoom, meeting_id: int, body: dict[str, Any]) -> Any:
    return zoom.call("POST", f"/meetings/{meeting_id}/registrants", json=body)


def listing(zoom: Zoom, meeting_id: int, **params: Any) -> dict[str, Any]:
    answer = zoom.call("GET", f"/meetings/{meeting_id}/registrants", params=params)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def test_add_registrant_automatic_approval(zoom: Zoom, meeting_id: int, app: EmulatorApp) -> None:
    answer = add(zoom, meeting_id, person(1))
    assert answer.status_code == 201
    body = answer.json()
    assert body["id"] == meeting_id  # Zoom answers with the meeting id here
    assert body["topic"] == "Fachtag 2025"
    assert body["start_time"] == "2025-08-27T07:30:00Z"
    match = JOIN.match(body["join_url"])
    assert match and int(match.group(1)) == meeting_id
    listed = listing(zoom, meeting_id)["registrants"]
    assert [r["id"] for r in listed] == [body["registrant_id"]]
    assert listed[0]["status"] == "approved"
    assert listed[0]["create_time"] == "2025-06-02T08:00:00Z"
    assert listed[0]["join_url"] == body["join_url"]
    assert app.join_link_valid(body["join_url"])
    assert app.registrants(meeting_id)[0]["email"] == "person1@example.org"


def test_each_registrant_gets_a_personal_link(zoom: Zoom, meeting_id: int) -> None:
    links = {add(zoom, meeting_id, person(n)).json()["join_url"] for n in range(5)}
    assert len(links) == 5


def test_duplicate_email_returns_existing_registrant(zoom: Zoom, meeting_id: int, app: EmulatorApp) -> None:
    first = add(zoom, meeting_id, person(1)).json()
    again = add(zoom, meeting_id, person(1, email="  PERSON1@Example.org ", first_name="Other")).json()
    assert again["registrant_id"] == first["registrant_id"]
    assert again["join_url"] == first["join_url"]
    assert len(app.registrants(meeting_id)) == 1
    assert app.registrants(meeting_id)[0]["first_name"] == "Vorname1"


def test_manual_approval_is_pending_unless_auto_approve(zoom: Zoom) -> None:
    meeting_id = int(zoom.create_meeting(settings={"approval_type": 1})["id"])
    pending = add(zoom, meeting_id, person(1)).json()
    assert "join_url" not in pending
    approved = add(zoom, meeting_id, person(2, auto_approve=True)).json()
    assert JOIN.match(approved["join_url"])
    assert [r["email"] for r in listing(zoom, meeting_id, status="pending")["registrants"]] == [
        "person1@example.org"
    ]
    assert [r["email"] for r in listing(zoom, meeting_id)["registrants"]] == ["person2@example.org"]


def test_registration_must_be_enabled(zoom: Zoom) -> None:
    meeting_id = int(zoom.create_meeting(settings={"approval_type": 2})["id"])
    refused = add(zoom, meeting_id, person(1))
    assert refused.status_code == 400
    assert "Registration has not been enabled" in refused.json()["message"]
    batch = zoom.call("POST", f"/meetings/{meeting_id}/batch_registrants", json={"registrants": [person(1)]})
    assert batch.status_code == 400


def test_missing_fields_and_host_email_are_refused(zoom: Zoom, meeting_id: int) -> None:
    no_email = add(zoom, meeting_id, {"first_name": "A"})
    assert no_email.status_code == 400
    assert no_email.json()["errors"][0]["field"] == "email"
    no_name = add(zoom, meeting_id, {"email": "a@example.org"})
    assert no_name.json()["errors"][0]["field"] == "first_name"
    bad = add(zoom, meeting_id, {"email": "not-an-address", "first_name": "A"})
    assert bad.status_code == 400
    host = add(zoom, meeting_id, {"email": "Host@Example.com", "first_name": "H"})
    assert host.status_code == 400
    assert host.json() == {"code": 3027, "message": "Host can not register."}
    assert add(zoom, 12345678901, person(1)).json()["code"] == 3001


def test_registrant_cap(zoom: Zoom, meeting_id: int, config: EmulatorConfig) -> None:
    config.registrant_cap = 3
    for n in range(3):
        assert add(zoom, meeting_id, person(n)).status_code == 201
    full = add(zoom, meeting_id, person(3))
    assert full.status_code == 400
    assert full.json() == {"code": 3043, "message": "Meeting has reached maximum attendee capacity."}
    # a known e-mail still gets its registration back
    assert add(zoom, meeting_id, person(0)).status_code == 201


def test_default_cap_is_zoom_4999() -> None:
    assert EmulatorConfig().registrant_cap == 4999


def test_daily_add_limit_per_registrant(zoom: Zoom, meeting_id: int, clock: FrozenClock) -> None:
    for _ in range(3):
        assert add(zoom, meeting_id, person(1)).status_code == 201
    limited = add(zoom, meeting_id, person(1))
    assert limited.status_code == 429
    assert limited.json()["code"] == 429
    assert "daily rate limit (3)" in limited.json()["message"]
    assert "person1" not in limited.text
    assert limited.headers["Retry-After"] == "2025-06-03T00:00:00Z"
    assert add(zoom, meeting_id, person(2)).status_code == 201  # other people are not affected
    clock.set(clock.now().replace(hour=23, minute=59) + timedelta(minutes=2))
    zoom.login()
    assert add(zoom, meeting_id, person(1)).status_code == 201


def test_batch_add(zoom: Zoom, app: EmulatorApp) -> None:
    meeting_id = int(zoom.create_meeting(settings={"approval_type": 1})["id"])
    existing = add(zoom, meeting_id, person(0, auto_approve=True)).json()
    answer = zoom.call(
        "POST",
        f"/meetings/{meeting_id}/batch_registrants",
        json={"auto_approve": True, "registrants": [person(n) for n in range(30)]},
    )
    assert answer.status_code == 201
    rows = answer.json()["registrants"]
    assert [r["email"] for r in rows] == [f"person{n}@example.org" for n in range(30)]
    assert rows[0]["registrant_id"] == existing["registrant_id"]
    assert all(JOIN.match(r["join_url"]) for r in rows)
    assert len(app.registrants(meeting_id)) == 30
    assert {r["status"] for r in app.registrants(meeting_id)} == {"approved"}


def test_batch_without_auto_approve_on_manual_meeting_is_pending(zoom: Zoom, app: EmulatorApp) -> None:
    meeting_id = int(zoom.create_meeting(settings={"approval_type": 1})["id"])
    rows = zoom.call(
        "POST", f"/meetings/{meeting_id}/batch_registrants", json={"registrants": [person(1), person(2)]}
    ).json()["registrants"]
    assert all("join_url" not in r for r in rows)
    assert {r["status"] for r in app.registrants(meeting_id)} == {"pending"}


def test_batch_limits_are_all_or_nothing(
    zoom: Zoom, meeting_id: int, config: EmulatorConfig, app: EmulatorApp
) -> None:
    too_many = zoom.call(
        "POST",
        f"/meetings/{meeting_id}/batch_registrants",
        json={"registrants": [person(n) for n in range(31)]},
    )
    assert too_many.status_code == 400
    assert too_many.json()["code"] == 300
    invalid = zoom.call(
        "POST",
        f"/meetings/{meeting_id}/batch_registrants",
        json={"registrants": [person(1), {"email": "x@example.org"}]},
    )
    assert invalid.status_code == 400
    assert invalid.json()["errors"][0]["field"] == "registrants[1].first_name"
    config.registrant_cap = 5
    add(zoom, meeting_id, person(100))
    over_cap = zoom.call(
        "POST",
        f"/meetings/{meeting_id}/batch_registrants",
        json={"registrants": [person(n) for n in range(5)]},
    )
    assert over_cap.status_code == 400
    assert over_cap.json()["code"] == 3043
    assert len(app.registrants(meeting_id)) == 1


def test_list_pagination_and_expiring_page_token(zoom: Zoom, meeting_id: int, clock: FrozenClock) -> None:
    for start in range(0, 75, 25):
        zoom.call(
            "POST",
            f"/meetings/{meeting_id}/batch_registrants",
            json={"registrants": [person(n) for n in range(start, start + 25)]},
        )
    first = listing(zoom, meeting_id, page_size=30)
    assert first["total_records"] == 75
    assert first["page_size"] == 30
    assert first["page_count"] == 3
    assert len(first["registrants"]) == 30
    second = listing(zoom, meeting_id, next_page_token=first["next_page_token"])
    third = listing(zoom, meeting_id, next_page_token=second["next_page_token"])
    assert third["next_page_token"] == ""
    emails = [r["email"] for page in (first, second, third) for r in page["registrants"]]
    assert emails == [f"person{n}@example.org" for n in range(75)]

    fresh = listing(zoom, meeting_id, page_size=30)
    clock.advance(timedelta(minutes=15, seconds=1))
    zoom.login()
    expired = zoom.call(
        "GET", f"/meetings/{meeting_id}/registrants", params={"next_page_token": fresh["next_page_token"]}
    )
    assert expired.status_code == 400
    assert expired.json() == {"code": 300, "message": "The next page token is invalid or expired."}
    # a token only continues the listing it came from
    other = listing(zoom, meeting_id, page_size=30)
    wrong = zoom.call(
        "GET",
        f"/meetings/{meeting_id}/registrants",
        params={"status": "pending", "next_page_token": other["next_page_token"]},
    )
    assert wrong.status_code == 400


def test_page_size_is_capped_at_300(zoom: Zoom, meeting_id: int) -> None:
    assert listing(zoom, meeting_id, page_size=1000)["page_size"] == 300
    assert listing(zoom, meeting_id)["page_size"] == 30


def test_status_filter_and_updates(zoom: Zoom, app: EmulatorApp) -> None:
    meeting_id = int(zoom.create_meeting(settings={"approval_type": 1})["id"])
    ids = [add(zoom, meeting_id, person(n)).json()["registrant_id"] for n in range(4)]
    assert listing(zoom, meeting_id)["total_records"] == 0
    assert listing(zoom, meeting_id, status="pending")["total_records"] == 4

    def update(action: str, registrants: list[dict[str, str]]) -> Any:
        return zoom.call(
            "PUT",
            f"/meetings/{meeting_id}/registrants/status",
            json={"action": action, "registrants": registrants},
        )

    assert update("approve", [{"id": ids[0]}, {"email": "PERSON1@example.org"}]).status_code == 204
    assert update("deny", [{"id": ids[2]}]).status_code == 204
    assert [r["id"] for r in listing(zoom, meeting_id)["registrants"]] == ids[:2]
    assert [r["id"] for r in listing(zoom, meeting_id, status="denied")["registrants"]] == [ids[2]]
    assert [r["id"] for r in listing(zoom, meeting_id, status="pending")["registrants"]] == [ids[3]]
    assert (
        zoom.call("GET", f"/meetings/{meeting_id}/registrants", params={"status": "cancelled"}).status_code
        == 400
    )

    link = app.registrants(meeting_id)[0]["join_url"]
    assert app.join_link_valid(link)
    assert update("cancel", [{"id": ids[0]}]).status_code == 204
    assert not app.join_link_valid(link)
    for status in ("approved", "pending", "denied"):
        assert ids[0] not in [r["id"] for r in listing(zoom, meeting_id, status=status)["registrants"]]
    assert zoom.call("GET", f"/meetings/{meeting_id}/registrants/{ids[0]}").status_code == 404
    statuses = {r["id"]: r["status"] for r in app.registrants(meeting_id, include_cancelled=True)}
    assert statuses[ids[0]] == "cancelled"
    # the same person may register again: a new registration with a new link
    again = add(zoom, meeting_id, person(0, auto_approve=True)).json()
    assert again["registrant_id"] != ids[0]
    assert again["join_url"] != link
    # refused updates change nothing
    assert update("approve", [{"id": ids[3]}, {"id": "unknown"}]).status_code == 400
    assert listing(zoom, meeting_id, status="pending")["total_records"] == 1
    assert update("approve", [{"id": ids[3]}] * 31).status_code == 400
    assert update("promote", [{"id": ids[3]}]).status_code == 400


def test_get_and_delete_registrant(zoom: Zoom, meeting_id: int, app: EmulatorApp) -> None:
    created = add(zoom, meeting_id, person(1)).json()
    fetched = zoom.call("GET", f"/meetings/{meeting_id}/registrants/{created['registrant_id']}")
    assert fetched.status_code == 200
    assert fetched.json()["email"] == "person1@example.org"
    assert (
        zoom.call("DELETE", f"/meetings/{meeting_id}/registrants/{created['registrant_id']}").status_code
        == 204
    )
    assert app.registrants(meeting_id, include_cancelled=True) == []
    assert not app.join_link_valid(created["join_url"])


def test_deleting_the_meeting_kills_join_links(zoom: Zoom, meeting_id: int, app: EmulatorApp) -> None:
    link = add(zoom, meeting_id, person(1)).json()["join_url"]
    zoom.call("DELETE", f"/meetings/{meeting_id}")
    assert not app.join_link_valid(link)
    assert zoom.call("GET", f"/meetings/{meeting_id}/registrants").json()["code"] == 3001
