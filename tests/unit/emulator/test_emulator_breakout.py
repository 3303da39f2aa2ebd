"""Pre-assigned breakout rooms: limits and replace semantics."""

from __future__ import annotations

from typing import Any

from orchestrator.zoom.emulator import EmulatorConfig
from tests.unit.emulator.emulator_helpers import Zoom


def rooms(count: int, per_room: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "name": f"Raum {r}",
            "participants": [f"p{start + r * per_room + i}@example.org" for i in range(per_room)],
        }
        for r in range(count)
    ]


def breakout(zoom: Zoom, meeting_id: int) -> dict[str, Any]:
    result: dict[str, Any] = zoom.call("GET", f"/meetings/{meeting_id}").json()["settings"]["breakout_room"]
    return result


def patch_rooms(zoom: Zoom, meeting_id: int, value: dict[str, Any]) -> Any:
    return zoom.call("PATCH", f"/meetings/{meeting_id}", json={"settings": {"breakout_room": value}})


def test_create_with_rooms_and_replace_on_patch(zoom: Zoom) -> None:
    settings = {"approval_type": 0, "breakout_room": {"enable": True, "rooms": rooms(3, 2)}}
    meeting_id = zoom.create_meeting(settings=settings)["id"]
    assert breakout(zoom, meeting_id) == {"enable": True, "rooms": rooms(3, 2)}
    assert patch_rooms(zoom, meeting_id, {"rooms": rooms(2, 1, start=50)}).status_code == 204
    # one pre-assignment set per meeting: the new rooms replace the old ones
    assert breakout(zoom, meeting_id) == {"enable": True, "rooms": rooms(2, 1, start=50)}
    # enable alone keeps the rooms
    assert patch_rooms(zoom, meeting_id, {"enable": False}).status_code == 204
    assert breakout(zoom, meeting_id) == {"enable": False, "rooms": rooms(2, 1, start=50)}
    # other settings are untouched by a breakout update
    assert zoom.call("GET", f"/meetings/{meeting_id}").json()["settings"]["approval_type"] == 0


def test_room_count_limit(zoom: Zoom) -> None:
    meeting_id = zoom.create_meeting()["id"]
    assert patch_rooms(zoom, meeting_id, {"enable": True, "rooms": rooms(100, 1)}).status_code == 204
    refused = patch_rooms(zoom, meeting_id, {"enable": True, "rooms": rooms(101, 1)})
    assert refused.status_code == 400
    assert refused.json()["code"] == 300
    assert "100 breakout rooms" in refused.json()["errors"][0]["message"]
    assert len(breakout(zoom, meeting_id)["rooms"]) == 100


def test_participant_limits(zoom: Zoom, config: EmulatorConfig) -> None:
    meeting_id = zoom.create_meeting()["id"]
    assert patch_rooms(zoom, meeting_id, {"rooms": rooms(10, 100)}).status_code == 204
    total = patch_rooms(zoom, meeting_id, {"rooms": rooms(11, 100)})
    assert total.status_code == 400
    assert "1000 participants" in total.json()["errors"][0]["message"]
    config.max_participants_per_room = 5
    per_room = patch_rooms(zoom, meeting_id, {"rooms": rooms(1, 6)})
    assert per_room.status_code == 400
    assert per_room.json()["errors"][0]["field"] == "settings.breakout_room.rooms[0].participants"


def test_room_validation(zoom: Zoom, config: EmulatorConfig) -> None:
    meeting_id = zoom.create_meeting()["id"]
    twice = [
        {"name": "A", "participants": ["x@example.org"]},
        {"name": "B", "participants": ["X@example.org"]},
    ]
    duplicate = patch_rooms(zoom, meeting_id, {"rooms": twice})
    assert duplicate.status_code == 400
    assert "more than one breakout room" in duplicate.json()["errors"][0]["message"]
    assert "x@example.org" not in duplicate.text.lower()
    assert patch_rooms(zoom, meeting_id, {"rooms": [{"name": "", "participants": []}]}).status_code == 400
    assert (
        patch_rooms(zoom, meeting_id, {"rooms": [{"name": "A", "participants": ["nope"]}]}).status_code == 400
    )
    config.max_room_name_length = 5
    assert (
        patch_rooms(zoom, meeting_id, {"rooms": [{"name": "Sechs6", "participants": []}]}).status_code == 400
    )
    assert (
        patch_rooms(zoom, meeting_id, {"rooms": [{"name": "Fünf5", "participants": []}]}).status_code == 204
    )
