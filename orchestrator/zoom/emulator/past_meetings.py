"""Participant reports of held meetings, served from simulated attendance facts.

``GET /past_meetings/{meetingId}/participants`` (MEDIUM) and
``GET /report/meetings/{meetingId}/participants`` (HEAVY): one item per join (a rejoin is a new
item with a new ``user_id``), paginated like every Zoom listing. ``meetingId`` is a meeting id
(the latest instance) or an instance UUID; a UUID that starts with ``/`` or contains ``//`` must be
double-encoded, as Zoom requires (single-encoded, Zoom finds no meeting: 404 code 3001).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import unquote

from orchestrator.zoom.emulator.attendance import AttendanceFacts
from orchestrator.zoom.emulator.config import EmulatorConfig
from orchestrator.zoom.emulator.errors import invalid_field, meeting_not_found
from orchestrator.zoom.emulator.formats import zoom_datetime
from orchestrator.zoom.emulator.pagination import paginate


def store_facts(data: dict[str, Any], facts: AttendanceFacts) -> None:
    """Keep a held meeting instance's participants (replacing an earlier run with the same UUID)."""
    instances: dict[str, Any] = data.setdefault("past_meetings", {})
    instances[facts.uuid] = {
        "meeting_id": str(facts.meeting_id),
        "uuid": facts.uuid,
        "start_time": zoom_datetime(facts.start),
        "end_time": zoom_datetime(facts.end),
        "participants": [
            {
                "participant_uuid": p.participant_uuid,
                "user_id": p.user_id,
                "name": p.name,
                "user_email": p.email,
                "registrant_id": p.registrant_id,
                "join_time": zoom_datetime(p.join_time),
                "leave_time": zoom_datetime(p.leave_time),
                "duration": p.duration,
            }
            for p in sorted(facts.presences, key=lambda p: (p.join_time, p.user_id))
        ],
    }


def past_participants(
    data: dict[str, Any], config: EmulatorConfig, raw_id: str, query: dict[str, list[str]], now: datetime
) -> dict[str, Any]:
    """``GET /past_meetings/{meetingId}/participants``: one page."""
    instance = _instance(data, raw_id)
    items = [
        {
            "id": "",  # guests and people not signed in to Zoom: empty, as Zoom answers
            "name": p["name"],
            "user_id": p["user_id"],
            "registrant_id": p["registrant_id"],
            "user_email": p["user_email"],
            "join_time": p["join_time"],
            "leave_time": p["leave_time"],
            "duration": p["duration"],
            "failover": False,
            "status": "in_meeting",
            "internal_user": False,
        }
        for p in instance["participants"]
    ]
    page, meta = paginate(data, config, f"past-participants:{instance['uuid']}", items, query, now)
    return {**_documented(meta), "participants": page}


def report_participants(
    data: dict[str, Any], config: EmulatorConfig, raw_id: str, query: dict[str, list[str]], now: datetime
) -> dict[str, Any]:
    """``GET /report/meetings/{meetingId}/participants``: one page (``registrant_id`` on request)."""
    instance = _instance(data, raw_id)
    include = (query.get("include_fields") or [""])[0]
    if include not in ("", "registrant_id"):
        raise invalid_field(f"Invalid field: include_fields {include!r}.")
    items = []
    for p in instance["participants"]:
        item: dict[str, Any] = {
            "id": "",
            "participant_user_id": "",
            "user_id": p["user_id"],
            "name": p["name"],
            "user_email": p["user_email"],
            "join_time": p["join_time"],
            "leave_time": p["leave_time"],
            "duration": p["duration"],
            "failover": False,
            "status": "in_meeting",
        }
        if include == "registrant_id":
            item["registrant_id"] = p["registrant_id"]
        items.append(item)
    page, meta = paginate(
        data, config, f"report-participants:{instance['uuid']}:{include}", items, query, now
    )
    return {**_documented(meta), "participants": page}


def _documented(meta: dict[str, Any]) -> dict[str, Any]:
    # these listings document no page_number (token pagination only)
    return {key: value for key, value in meta.items() if key != "page_number"}


def _instance(data: dict[str, Any], raw_id: str) -> dict[str, Any]:
    instances: dict[str, Any] = data.get("past_meetings", {})
    once = unquote(raw_id)
    if "/" in once and (once.startswith("/") or "//" in once):
        # encoded only once: Zoom decodes the slashes into the path and finds nothing
        raise meeting_not_found(once)
    key = unquote(once) if "%" in once else once
    if key.isdigit():
        held = [i for i in instances.values() if i["meeting_id"] == key]
        if not held:
            raise meeting_not_found(key)
        return max(held, key=lambda i: str(i["start_time"]))
    instance = instances.get(key)
    if instance is None:
        raise meeting_not_found(key)
    return dict(instance)
