"""Meetings: create (``POST /users/{userId}/meetings``), get, update (PATCH merges), delete, list."""

from __future__ import annotations

import base64
import copy
import random
import secrets
import string
from datetime import datetime, timedelta
from typing import Any

from orchestrator.zoom.emulator.breakout import merge_breakout
from orchestrator.zoom.emulator.config import Category, EmulatorConfig
from orchestrator.zoom.emulator.errors import ApiError, invalid_field, meeting_not_found, validation_error
from orchestrator.zoom.emulator.formats import parse_start_time, parse_zoom_datetime, zone, zoom_datetime
from orchestrator.zoom.emulator.pagination import paginate
from orchestrator.zoom.emulator.ratelimit import daily_error, take_daily
from orchestrator.zoom.emulator.settings_schema import DEFAULT_SETTINGS, check_setting

_ids = random.SystemRandom()
TOPIC_MAX = 200
AGENDA_MAX = 2000
LIST_AGENDA_MAX = 250  # Zoom truncates the agenda in meeting lists
LIST_TYPES = ("scheduled", "live", "upcoming", "upcoming_meetings", "previous_meetings")


def find_meeting(data: dict[str, Any], meeting_id: str) -> dict[str, Any]:
    """The stored meeting; 404 code 3001 when there is none (also for non-numeric ids)."""
    meeting: dict[str, Any] | None = data["meetings"].get(meeting_id) if meeting_id.isdigit() else None
    if meeting is None:
        raise meeting_not_found(meeting_id)
    return meeting


def create_meeting(
    data: dict[str, Any], config: EmulatorConfig, host: dict[str, Any], body: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """Store a new scheduled meeting from ``body``; the 201 answer."""
    meeting_type = body.get("type", 2)
    if meeting_type != 2 or isinstance(meeting_type, bool):
        if meeting_type in (1, 3, 8, 10):
            raise invalid_field("The Zoom emulator supports scheduled meetings (type 2) only.")
        raise validation_error("type", f"Invalid meeting type: {meeting_type!r}.")
    _take_meeting_write(data, config, host, now)
    meeting_id = _new_meeting_id(data)
    base = config.join_base_url.rstrip("/")
    encrypted = secrets.token_urlsafe(24)
    meeting: dict[str, Any] = {
        "uuid": base64.b64encode(secrets.token_bytes(16)).decode("ascii"),
        "id": meeting_id,
        "host_id": host["id"],
        "host_email": host["email"],
        "topic": "Zoom meeting",
        "type": 2,
        "status": "waiting",
        "start_time": zoom_datetime(now.replace(microsecond=0)),
        "duration": 60,
        "timezone": host["timezone"],
        "agenda": "",
        "created_at": zoom_datetime(now),
        "start_url": f"{base}/s/{meeting_id}?zak={secrets.token_urlsafe(32)}",
        "join_url": f"{base}/j/{meeting_id}?pwd={encrypted}",
        "registration_url": f"{base}/meeting/register/{secrets.token_urlsafe(16)}",
        "password": "".join(_ids.choice(string.ascii_letters + string.digits) for _ in range(6)),
        "h323_password": "".join(_ids.choice(string.digits) for _ in range(6)),
        "pstn_password": "".join(_ids.choice(string.digits) for _ in range(6)),
        "encrypted_password": encrypted,
        "settings": copy.deepcopy(DEFAULT_SETTINGS),
        "pre_schedule": False,
    }
    _apply_fields(meeting, body, config)
    data["meetings"][str(meeting_id)] = meeting
    data["registrants"].setdefault(str(meeting_id), [])
    return create_body(meeting)


def update_meeting(
    data: dict[str, Any],
    config: EmulatorConfig,
    host: dict[str, Any],
    meeting_id: str,
    body: dict[str, Any],
    now: datetime,
) -> None:
    """PATCH: change only the given fields; settings merge key by key (``breakout_room.rooms`` replaces)."""
    meeting = find_meeting(data, meeting_id)
    if "type" in body and body["type"] != meeting["type"]:
        raise invalid_field("The Zoom emulator supports scheduled meetings (type 2) only.")
    # validate on a copy so a refused update changes nothing
    updated = copy.deepcopy(meeting)
    _apply_fields(updated, body, config)
    _take_meeting_write(data, config, host, now)
    meeting.clear()
    meeting.update(updated)


def delete_meeting(data: dict[str, Any], meeting_id: str) -> None:
    """Remove the meeting and its registrants (their join links stop working)."""
    find_meeting(data, meeting_id)
    del data["meetings"][meeting_id]
    data["registrants"].pop(meeting_id, None)


def meeting_body(meeting: dict[str, Any]) -> dict[str, Any]:
    """``GET /meetings/{meetingId}`` answer."""
    body = copy.deepcopy(meeting)
    body.pop("registration_url", None)  # not part of the documented GET answer
    return body


def create_body(meeting: dict[str, Any]) -> dict[str, Any]:
    """The 201 answer to creating a meeting (``registration_url`` only when registration is on)."""
    body = copy.deepcopy(meeting)
    if meeting["settings"]["approval_type"] == 2:
        body.pop("registration_url", None)
    return body


def list_meetings(
    data: dict[str, Any],
    config: EmulatorConfig,
    host: dict[str, Any],
    query: dict[str, list[str]],
    now: datetime,
) -> dict[str, Any]:
    """``GET /users/{userId}/meetings``: the host's meetings of the requested ``type``, paginated."""
    kind = (query.get("type") or ["scheduled"])[0]
    if kind not in LIST_TYPES:
        raise invalid_field(f"Invalid field: type {kind!r}.")
    meetings = sorted(data["meetings"].values(), key=lambda m: (m["start_time"], m["id"]))
    chosen = [m for m in meetings if m["host_id"] == host["id"] and _listed(m, kind, now)]
    items = [_list_item(m) for m in chosen]
    page, meta = paginate(data, config, f"meetings:{host['id']}:{kind}", items, query, now)
    return {**meta, "meetings": page}


def _listed(meeting: dict[str, Any], kind: str, now: datetime) -> bool:
    # the emulator never starts meetings, so none is "live"
    end = parse_zoom_datetime(meeting["start_time"]) + timedelta(minutes=int(meeting["duration"]))
    if kind == "live":
        return False
    if kind == "previous_meetings":
        return end <= now
    if kind in ("upcoming", "upcoming_meetings"):
        return end > now
    return True


def _list_item(meeting: dict[str, Any]) -> dict[str, Any]:
    return {
        "uuid": meeting["uuid"],
        "id": meeting["id"],
        "host_id": meeting["host_id"],
        "topic": meeting["topic"],
        "type": meeting["type"],
        "start_time": meeting["start_time"],
        "duration": meeting["duration"],
        "timezone": meeting["timezone"],
        "agenda": meeting["agenda"][:LIST_AGENDA_MAX],
        "created_at": meeting["created_at"],
        "join_url": meeting["join_url"],
    }


def _apply_fields(meeting: dict[str, Any], body: dict[str, Any], config: EmulatorConfig) -> None:
    if "topic" in body:
        meeting["topic"] = _string(body, "topic", TOPIC_MAX)
    if "agenda" in body:
        meeting["agenda"] = _string(body, "agenda", AGENDA_MAX)
    if "password" in body:
        meeting["password"] = _string(body, "password", 10)
    if "duration" in body:
        duration = body["duration"]
        if isinstance(duration, bool) or not isinstance(duration, int) or not 1 <= duration <= 1440:
            raise validation_error("duration", "duration must be an integer between 1 and 1440.")
        meeting["duration"] = duration
    if "timezone" in body:
        timezone = _string(body, "timezone", None)
        zone(timezone)
        meeting["timezone"] = timezone
    if "start_time" in body:
        meeting["start_time"] = zoom_datetime(parse_start_time(body["start_time"], meeting["timezone"]))
    if "settings" in body:
        _apply_settings(meeting["settings"], body["settings"], config)


def _apply_settings(settings: dict[str, Any], update: object, config: EmulatorConfig) -> None:
    if not isinstance(update, dict):
        raise validation_error("settings", "settings must be an object.")
    for key, value in update.items():
        if key == "breakout_room":
            settings["breakout_room"] = merge_breakout(settings.get("breakout_room", {}), value, config)
        elif check_setting(key, value):
            settings[key] = value


def _string(body: dict[str, Any], field: str, limit: int | None) -> str:
    value = body[field]
    if not isinstance(value, str):
        raise validation_error(field, f"{field} must be a string.")
    if limit is not None and len(value) > limit:
        raise validation_error(field, f"{field} is limited to {limit} characters.")
    return value


def _take_meeting_write(
    data: dict[str, Any], config: EmulatorConfig, host: dict[str, Any], now: datetime
) -> None:
    if not config.enforce_rate_limits:
        return
    limit = config.meeting_daily_writes
    if not take_daily(data, f"meeting-writes:{host['id']}", limit, now):
        error: ApiError = daily_error(Category.LIGHT, limit, now, "Meeting Create/Update API")
        error.body["message"] = error.body["message"].replace("particular account", "particular user")
        raise error


def _new_meeting_id(data: dict[str, Any]) -> int:
    while True:
        candidate = _ids.randint(81_000_000_000, 99_999_999_999)
        if str(candidate) not in data["meetings"]:
            return candidate
