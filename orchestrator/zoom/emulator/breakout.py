"""Pre-assigned breakout rooms (``settings.breakout_room``): validation and replace-on-update.

Zoom keeps one set of pre-assignments per meeting: ``rooms`` in an update replaces the whole set.
Limits (Zoom support, "Pre-assigning participants to breakout rooms"): up to 100 rooms and up to
1,000 pre-assigned participants; a person can be pre-assigned to one room only.
"""

from __future__ import annotations

import re
from typing import Any

from orchestrator.zoom.emulator.config import EmulatorConfig
from orchestrator.zoom.emulator.errors import validation_error

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FIELD = "settings.breakout_room"


def merge_breakout(current: dict[str, Any], update: object, config: EmulatorConfig) -> dict[str, Any]:
    """``current`` with ``update`` applied: ``enable`` is set if given, ``rooms`` replaced if given."""
    if not isinstance(update, dict):
        raise validation_error(FIELD, "breakout_room must be an object.")
    merged = {"enable": bool(current.get("enable", False)), "rooms": list(current.get("rooms", []))}
    if "enable" in update:
        if not isinstance(update["enable"], bool):
            raise validation_error(f"{FIELD}.enable", "enable must be a boolean.")
        merged["enable"] = update["enable"]
    if "rooms" in update:
        merged["rooms"] = validate_rooms(update["rooms"], config)
    if not merged["rooms"]:
        del merged["rooms"]
    return merged


def validate_rooms(rooms: object, config: EmulatorConfig) -> list[dict[str, Any]]:  # noqa: C901  Zoom's rules, one check each
    """Check the rooms against Zoom's limits; return them normalised (name, participants)."""
    if not isinstance(rooms, list):
        raise validation_error(f"{FIELD}.rooms", "rooms must be an array.")
    if len(rooms) > config.max_breakout_rooms:
        raise validation_error(
            f"{FIELD}.rooms", f"You can pre-assign up to {config.max_breakout_rooms} breakout rooms."
        )
    seen: dict[str, str] = {}
    total = 0
    result: list[dict[str, Any]] = []
    for index, room in enumerate(rooms):
        where = f"{FIELD}.rooms[{index}]"
        if not isinstance(room, dict):
            raise validation_error(where, "Each room must be an object.")
        name = room.get("name")
        if not isinstance(name, str) or not name.strip():
            raise validation_error(f"{where}.name", "Each breakout room needs a name.")
        if config.max_room_name_length is not None and len(name) > config.max_room_name_length:
            raise validation_error(
                f"{where}.name",
                f"Breakout room names are limited to {config.max_room_name_length} characters.",
            )
        participants = room.get("participants", [])
        if not isinstance(participants, list) or not all(isinstance(p, str) for p in participants):
            raise validation_error(f"{where}.participants", "participants must be an array of e-mails.")
        per_room = config.max_participants_per_room
        if per_room is not None and len(participants) > per_room:
            raise validation_error(
                f"{where}.participants", f"A room can have up to {per_room} pre-assigned participants."
            )
        # messages name positions, not addresses: clients may log Zoom's messages
        for pos, email in enumerate(participants):
            if not _EMAIL.match(email):
                raise validation_error(f"{where}.participants[{pos}]", "Invalid email address.")
            key = email.strip().lower()
            if key in seen:
                raise validation_error(
                    f"{where}.participants[{pos}]",
                    f"A participant is pre-assigned to more than one breakout room ({seen[key]}, {name}).",
                )
            seen[key] = name
        total += len(participants)
        result.append({"name": name, "participants": list(participants)})
    if total > config.max_preassigned_participants:
        raise validation_error(
            f"{FIELD}.rooms",
            f"You can pre-assign up to {config.max_preassigned_participants} participants to breakout rooms.",
        )
    return result
