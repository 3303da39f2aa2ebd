"""Simulated attendance (seeded) and the participant reports served from the same facts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from orchestrator.clock import FrozenClock
from orchestrator.zoom.emulator import EmulatorApp
from orchestrator.zoom.emulator.attendance import AttendancePlan, Invitee, simulate
from tests.unit.emulator.emulator_helpers import Zoom

START = datetime(2025, 8, 27, 7, 30, tzinfo=UTC)
END = START + timedelta(hours=5)
PEOPLE = [Invitee(f"Person {n}", f"p{n}@example.org", f"reg-{n}") for n in range(60)]
PLAN = AttendancePlan(seed=5, guests=3, breakout_rooms=4, room_switch_share=0.2)


def test_simulation_is_seeded_and_covers_zoom_behaviour() -> None:
    facts = simulate(1, "uuid==", START, END, PEOPLE, PLAN)
    assert facts == simulate(1, "uuid==", START, END, PEOPLE, PLAN)
    assert facts != simulate(
        1, "uuid==", START, END, PEOPLE, AttendancePlan(seed=6, guests=3, breakout_rooms=4)
    )
    guests = [p for p in facts.presences if not p.registrant_id]
    assert len({g.participant_uuid for g in guests}) == 3 and all(g.email == "" for g in guests)
    no_shows = {p.registrant_id for p in facts.no_shows}
    assert no_shows and not no_shows & {p.registrant_id for p in facts.presences}
    by_device: dict[str, list[str]] = {}
    for p in facts.presences:
        by_device.setdefault(p.participant_uuid, []).append(p.user_id)
        assert START <= p.join_time < p.leave_time <= END
    rejoined = [ids for ids in by_device.values() if len(ids) > 1]
    assert rejoined and all(len(set(ids)) == len(ids) for ids in rejoined)  # a new user_id per join
    assert len({p.user_id for p in facts.presences}) == len(facts.presences)
    assert facts.room_visits and {v.room_uuid for v in facts.room_visits} <= {r[0] for r in facts.rooms}
    switched = [v.presence.user_id for v in facts.room_visits]
    assert len(switched) > len(set(switched))  # somebody moved from one room to another
    for visit in facts.room_visits:  # rooms are visited while present in the meeting
        assert visit.presence.join_time <= visit.join_time < visit.leave_time <= visit.presence.leave_time
    kinds = [kind for _, kind, _ in facts.timeline()]
    assert kinds[0] == "meeting.started" and kinds[-1] == "meeting.ended"
    assert kinds.count("meeting.participant_joined") == len(facts.presences)
    assert kinds.count("meeting.participant_joined_breakout_room") == len(facts.room_visits)


def registered_meeting(zoom: Zoom, people: int) -> int:
    meeting_id = int(zoom.create_meeting(start_time="2025-08-27T09:30:00", duration=300)["id"])
    batch = [
        {"email": f"p{n}@example.org", "first_name": f"P{n}", "last_name": "Muster"} for n in range(people)
    ]
    for chunk in range(0, people, 30):
        zoom.call(
            "POST",
            f"/meetings/{meeting_id}/batch_registrants",
            json={"auto_approve": True, "registrants": batch[chunk : chunk + 30]},
        )
    return meeting_id


def test_reports_are_served_from_the_simulated_facts_with_pagination(
    zoom: Zoom, app: EmulatorApp, clock: FrozenClock
) -> None:
    meeting_id = registered_meeting(zoom, 45)
    facts = app.simulate_attendance(meeting_id, AttendancePlan(seed=3, guests=2))
    assert facts.start == START and facts.end == END  # the meeting's own start and duration
    registrant_ids = {r["id"] for r in app.registrants(meeting_id)}
    seen = []
    token = ""
    while True:
        clock.advance(1)
        params = {"page_size": 20, **({"next_page_token": token} if token else {})}
        page = zoom.call("GET", f"/past_meetings/{meeting_id}/participants", params=params).json()
        seen.extend(page["participants"])
        token = page["next_page_token"]
        if not token:
            break
    assert page["total_records"] == len(facts.presences) == len(seen)
    assert {p["user_id"] for p in seen} == {p.user_id for p in facts.presences}
    assert {p["registrant_id"] for p in seen if p["registrant_id"]} <= registrant_ids
    first = next(p for p in facts.presences if p.registrant_id)
    item = next(p for p in seen if p["user_id"] == first.user_id)
    assert item["user_email"] == first.email and item["duration"] == first.duration
    assert item["join_time"] == first.join_time.strftime("%Y-%m-%dT%H:%M:%SZ")

    report = zoom.call("GET", f"/report/meetings/{meeting_id}/participants", params={"page_size": 300}).json()
    assert len(report["participants"]) == len(facts.presences)
    assert "registrant_id" not in report["participants"][0]
    with_ids = zoom.call(
        "GET",
        f"/report/meetings/{meeting_id}/participants",
        params={"include_fields": "registrant_id", "page_size": 300},
    ).json()
    assert {p["registrant_id"] for p in with_ids["participants"]} - {""} <= registrant_ids


def test_instances_by_uuid_need_double_encoding_where_zoom_says(zoom: Zoom, app: EmulatorApp) -> None:
    meeting_id = registered_meeting(zoom, 5)
    facts = app.simulate_attendance(meeting_id)
    with app.state.transaction() as data:  # give the instance a UUID Zoom would want double-encoded
        instance = data["past_meetings"].pop(facts.uuid)
        instance["uuid"] = "/ab//cd+ef=="
        data["past_meetings"]["/ab//cd+ef=="] = instance
    once = zoom.call("GET", f"/past_meetings/{quote('/ab//cd+ef==', safe='')}/participants")
    assert (once.status_code, once.json()["code"]) == (404, 3001)
    twice = zoom.call("GET", f"/past_meetings/{quote(quote('/ab//cd+ef==', safe=''), safe='')}/participants")
    assert twice.status_code == 200 and len(twice.json()["participants"]) == len(facts.presences)


def test_meeting_never_held_is_not_found(zoom: Zoom) -> None:
    meeting_id = registered_meeting(zoom, 1)
    answer = zoom.call("GET", f"/report/meetings/{meeting_id}/participants")
    assert (answer.status_code, answer.json()["code"]) == (404, 3001)
