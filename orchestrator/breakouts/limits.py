"""Zoom's limits for pre-assigned breakout rooms, checked before anything is sent.

Zoom (support article "Pre-assigning participants to breakout rooms"): up to 100 rooms and up to
1,000 pre-assigned participants per meeting; a person in one room only. Zoom's API documents no
maximum room-name length; we use the agenda's own limit so names fit Zoom's client and mails.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from orchestrator.agenda.model import ROOM_NAME_MAX_LENGTH
from orchestrator.breakouts.payload import ZoomRoom, participant_count
from orchestrator.errors import BadInput
from orchestrator.i18n import _

ZOOM_MAX_ROOMS = 100
ZOOM_MAX_PREASSIGNED = 1000


@dataclass(frozen=True)
class ZoomLimits:
    """The limits in force (the participant limit is configurable: Zoom may raise it for an account)."""

    max_rooms: int = ZOOM_MAX_ROOMS
    max_participants: int = ZOOM_MAX_PREASSIGNED
    max_room_name_length: int = ROOM_NAME_MAX_LENGTH


class ZoomLimitExceeded(BadInput):
    """The round's pre-assignment breaks one of Zoom's limits; nothing was sent."""


def check_limits(round_number: int, rooms: list[ZoomRoom], limits: ZoomLimits) -> None:
    """Raise :class:`ZoomLimitExceeded` naming every broken limit of this round's pre-assignment."""
    problems: list[str] = []
    if len(rooms) > limits.max_rooms:
        problems.append(
            _("{count} rooms; Zoom allows at most {max}.", count=len(rooms), max=limits.max_rooms)
        )
    total = participant_count(rooms)
    if total > limits.max_participants:
        problems.append(
            _(
                "{count} pre-assigned people (moderators included); at most {max} are allowed.",
                count=total,
                max=limits.max_participants,
            )
        )
    names = Counter(room.name.strip().casefold() for room in rooms)
    for room in rooms:
        if names[room.name.strip().casefold()] > 1:
            problems.append(_("The room name '{room}' is used more than once.", room=room.name))
            names[room.name.strip().casefold()] = 0
        if len(room.name) > limits.max_room_name_length:
            problems.append(
                _(
                    "The room name '{room}' is longer than {max} characters.",
                    room=room.name,
                    max=limits.max_room_name_length,
                )
            )
        if not room.name.strip():
            problems.append(_("A room has no name."))
    seen: dict[str, str] = {}
    for room in rooms:
        for email in room.emails:
            if email in seen and seen[email] != room.name:
                problems.append(
                    _("A person is in two rooms ({first}, {second}).", first=seen[email], second=room.name)
                )
            seen.setdefault(email, room.name)
    if problems:
        raise ZoomLimitExceeded(
            _("Round {round} cannot be sent to Zoom. Nothing was sent.", round=round_number), details=problems
        )
