"""What the moderator console shows for one round: rooms, people, capacity, Zoom state, host text."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from orchestrator.breakouts.apply import apply_record
from orchestrator.breakouts.instructions import host_instruction
from orchestrator.breakouts.moderate import show_round
from orchestrator.breakouts.payload import participant_count, payload_hash, round_rooms
from orchestrator.breakouts.rounds import find_round
from orchestrator.breakouts.store import plan_version
from orchestrator.db.models import Event


def console_view(
    session: Session, event: Event, round_number: int, now: datetime, lang: str
) -> dict[str, Any]:
    """Rooms with people and capacity; whether Zoom holds this round as stored; the host instruction."""
    round_row = find_round(event, round_number)
    shown = show_round(session, event, round_number=round_number, now=now)
    planned = plan_version(session, round_row) is not None
    rooms = round_rooms(session, event, round_row)
    record = apply_record(session, round_row)
    in_zoom = (
        record is not None
        and record.current
        and record.verified
        and record.payload_hash == payload_hash(rooms)
    )
    start = round_row.start_utc.astimezone(ZoneInfo(event.timezone)).strftime("%d.%m.%Y %H:%M")
    people = sorted(
        ({"email": p["email"], "name": p["name"], "room": room["room"]} for room in shown["rooms"]
         for p in room["people"]),
        key=lambda p: (p["name"].casefold(), p["email"]),
    )
    return {
        **shown,
        "planned": planned,
        "people_options": people + [{"email": e, "name": e, "room": None} for e in shown["unplaced"]],
        "apply": {
            "state": record.state if record else None,
            "applied_at": record.applied_at if record else None,
            "current": bool(record and record.current),
            "verified": bool(record and record.verified),
            "last_error": record.last_error if record else None,
            "in_sync": in_zoom,
        },
        "instruction": host_instruction(
            round_number=round_number,
            title=round_row.title,
            start=start,
            rooms=len(rooms),
            people=participant_count(rooms),
            language=lang,
        ),
        "rounds": [{"number": r.number, "title": r.title} for r in event.rounds],
    }
