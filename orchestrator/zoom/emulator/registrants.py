"""Meeting registrants: add, batch add, list, get, delete and status updates, with Zoom's rules.

Rules kept: registration must be on (``approval_type`` 0 automatic → approved, 1 manual → pending
unless ``auto_approve``); a duplicate e-mail returns the existing registration; the host cannot
register; at most ``registrant_cap`` (4,999) registrations per meeting; each e-mail may be added
``registrant_daily_adds`` (3) times per meeting and UTC day; batches ≤ 30; status updates ≤ 30, and
each registrant's status changed at most ``registrant_daily_status_changes`` (10) times a day.
Cancelled or deleted registrations leave every list and their join links stop working; the same
e-mail can register again afterwards (a new registration with a new link).
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from orchestrator.zoom.emulator.config import Category, EmulatorConfig
from orchestrator.zoom.emulator.errors import ApiError, invalid_field, validation_error, zoom_error
from orchestrator.zoom.emulator.formats import zoom_datetime
from orchestrator.zoom.emulator.meetings import find_meeting
from orchestrator.zoom.emulator.pagination import paginate
from orchestrator.zoom.emulator.ratelimit import daily_used, next_utc_midnight, take_daily

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LISTED_STATUSES = ("approved", "pending", "denied")
ACTIONS = {"approve": "approved", "deny": "denied", "cancel": "cancelled"}
OPTIONAL_TEXT = (
    "address",
    "city",
    "state",
    "zip",
    "country",
    "phone",
    "comments",
    "industry",
    "job_title",
    "org",
    "no_of_employees",
    "purchasing_time_frame",
    "role_in_purchase_process",
)
LANGUAGES = (
    "en-US",
    "de-DE",
    "es-ES",
    "fr-FR",
    "jp-JP",
    "pt-PT",
    "ru-RU",
    "zh-CN",
    "zh-TW",
    "ko-KO",
    "it-IT",
    "vi-VN",
    "pl-PL",
    "Tr-TR",
)


def add_registrant(
    data: dict[str, Any],
    config: EmulatorConfig,
    host: dict[str, Any],
    meeting_id: str,
    body: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """``POST /meetings/{meetingId}/registrants``: the 201 answer (the existing one for a known e-mail)."""
    meeting = find_meeting(data, meeting_id)
    if meeting["settings"]["approval_type"] == 2:
        raise zoom_error(400, 3000, f"Registration has not been enabled for this meeting: {meeting_id}.")
    person = _check_person(body, "")
    auto_approve = _optional_bool(body, "auto_approve")
    _check_not_host(person, host)
    _take_daily_add(data, config, meeting_id, person["email"], now, "Meeting Registration API")
    registrant = _existing(data, meeting_id, person["email"])
    if registrant is None:
        if _active_count(data, meeting_id) >= config.registrant_cap:
            raise zoom_error(400, 3043, "Meeting has reached maximum attendee capacity.")
        registrant = _store(data, config, meeting, person, auto_approve, now)
    answer: dict[str, Any] = {
        "id": meeting["id"],
        "registrant_id": registrant["id"],
        "topic": meeting["topic"],
        "start_time": meeting["start_time"],
    }
    if registrant["status"] == "approved":
        answer["join_url"] = registrant["join_url"]
    return answer


def batch_registrants(
    data: dict[str, Any],
    config: EmulatorConfig,
    host: dict[str, Any],
    meeting_id: str,
    body: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """``POST /meetings/{meetingId}/batch_registrants``: all or nothing; the 201 answer."""
    meeting = find_meeting(data, meeting_id)
    if meeting["settings"]["approval_type"] == 2:
        raise zoom_error(400, 404, f"Registration has not been enabled for this meeting: {meeting_id}.")
    entries = body.get("registrants")
    if not isinstance(entries, list) or not entries:
        raise validation_error("registrants", "registrants must be a non-empty array.")
    if len(entries) > config.batch_max:
        raise validation_error("registrants", f"You can register up to {config.batch_max} at once.")
    auto_approve = _optional_bool(body, "auto_approve")
    _optional_bool(body, "registrants_confirmation_email")
    people = [_check_person(entry, f"registrants[{i}].") for i, entry in enumerate(entries)]
    for person in people:
        _check_not_host(person, host)
    # One pass over the meeting's registrants per batch (a lookup per person would be quadratic).
    active = _active_by_email(data, meeting_id)
    new_keys = {p["email"].lower() for p in people if p["email"].lower() not in active}
    if len(active) + len(new_keys) > config.registrant_cap:
        raise zoom_error(400, 3043, "Meeting has reached maximum attendee capacity.")
    for person in people:
        _take_daily_add(data, config, meeting_id, person["email"], now, "Meeting Batch Registration API")
    answers = []
    for person in people:
        registrant = active.get(person["email"].lower())
        if registrant is None:
            registrant = _store(data, config, meeting, person, auto_approve, now)
            active[person["email"].lower()] = registrant
        answer = {"email": registrant["email"], "registrant_id": registrant["id"]}
        if registrant["status"] == "approved":
            answer["join_url"] = registrant["join_url"]
        answers.append(answer)
    return {"registrants": answers}


def list_registrants(
    data: dict[str, Any], config: EmulatorConfig, meeting_id: str, query: dict[str, list[str]], now: datetime
) -> dict[str, Any]:
    """``GET /meetings/{meetingId}/registrants?status=...``: one page of registrants with that status."""
    find_meeting(data, meeting_id)
    status = (query.get("status") or ["approved"])[0]
    if status not in LISTED_STATUSES:
        raise invalid_field(f"Invalid field: status {status!r}.")
    chosen = [r for r in data["registrants"].get(meeting_id, []) if r["status"] == status]
    items = [registrant_body(r) for r in chosen]
    page, meta = paginate(data, config, f"registrants:{meeting_id}:{status}", items, query, now)
    return {**meta, "registrants": page}


def get_registrant(data: dict[str, Any], meeting_id: str, registrant_id: str) -> dict[str, Any]:
    """``GET /meetings/{meetingId}/registrants/{registrantId}``."""
    find_meeting(data, meeting_id)
    return registrant_body(_by_id(data, meeting_id, registrant_id))


def delete_registrant(data: dict[str, Any], meeting_id: str, registrant_id: str) -> None:
    """``DELETE /meetings/{meetingId}/registrants/{registrantId}``: the registration is gone."""
    find_meeting(data, meeting_id)
    registrant = _by_id(data, meeting_id, registrant_id)
    data["registrants"][meeting_id].remove(registrant)


def update_status(
    data: dict[str, Any], config: EmulatorConfig, meeting_id: str, body: dict[str, Any], now: datetime
) -> None:
    """``PUT /meetings/{meetingId}/registrants/status``: approve, deny or cancel up to 30 registrants."""
    find_meeting(data, meeting_id)
    action = body.get("action")
    if action not in ACTIONS:
        raise validation_error("action", "action must be one of approve, cancel, deny.")
    entries = body.get("registrants")
    if not isinstance(entries, list) or not entries:
        raise validation_error("registrants", "registrants must be a non-empty array.")
    if len(entries) > config.status_update_max:
        raise validation_error(
            "registrants", f"You can update up to {config.status_update_max} registrants at once."
        )
    targets = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise validation_error(f"registrants[{index}]", "Each registrant must be an object.")
        targets.append(_match(data, meeting_id, entry, index))
    _take_daily_status_changes(data, config, meeting_id, targets, now)
    # all found and within the daily limit: apply (a refused request changes nothing)
    for registrant in targets:
        registrant["status"] = ACTIONS[str(action)]


def registrant_body(registrant: dict[str, Any]) -> dict[str, Any]:
    """A registrant as Zoom lists it (``join_url`` for approved registrants only)."""
    body: dict[str, Any] = {
        "id": registrant["id"],
        "email": registrant["email"],
        "first_name": registrant["first_name"],
        "last_name": registrant["last_name"],
    }
    for key in OPTIONAL_TEXT:
        body[key] = registrant.get(key, "")
    body["custom_questions"] = list(registrant.get("custom_questions", []))
    body["status"] = registrant["status"]
    body["create_time"] = registrant["create_time"]
    if registrant["status"] == "approved":
        body["join_url"] = registrant["join_url"]
    return body


def join_link_valid(data: dict[str, Any], url: str) -> bool:
    """Whether ``url`` is the join link of an approved registration of an existing meeting."""
    parts = urlsplit(url)
    meeting_id = parts.path.rstrip("/").rsplit("/", 1)[-1]
    token = (parse_qs(parts.query).get("tk") or [""])[0]
    if not token or not parts.path.startswith("/w/") or meeting_id not in data["meetings"]:
        return False
    stored = data["registrants"].get(meeting_id, [])
    return any(r["token"] == token and r["status"] == "approved" for r in stored)


def _store(
    data: dict[str, Any],
    config: EmulatorConfig,
    meeting: dict[str, Any],
    person: dict[str, Any],
    auto_approve: bool,
    now: datetime,
) -> dict[str, Any]:
    token = secrets.token_urlsafe(24)
    approval = meeting["settings"]["approval_type"]
    registrant = {
        **person,
        "id": secrets.token_urlsafe(16)[:22],
        "status": "approved" if approval == 0 or auto_approve else "pending",
        "create_time": zoom_datetime(now),
        "token": token,
        "join_url": f"{config.join_base_url.rstrip('/')}/w/{meeting['id']}?tk={token}",
    }
    data["registrants"].setdefault(str(meeting["id"]), []).append(registrant)
    return registrant


def _check_person(entry: object, where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise validation_error(where.rstrip(".") or "body", "A registrant must be an object.")
    email = entry.get("email")
    if not isinstance(email, str) or not email.strip():
        raise validation_error(f"{where}email", "email is required.")
    email = email.strip()
    if len(email) > 128 or not _EMAIL.match(email):
        raise validation_error(f"{where}email", "Invalid email address.")
    first_name = entry.get("first_name")
    if not isinstance(first_name, str) or not first_name.strip():
        raise validation_error(f"{where}first_name", "first_name is required.")
    person: dict[str, Any] = {"email": email, "first_name": _text(entry, "first_name", where, 64)}
    person["last_name"] = _text(entry, "last_name", where, 64) if "last_name" in entry else ""
    for key in OPTIONAL_TEXT:
        if key in entry:
            person[key] = _text(entry, key, where, None)
    if "language" in entry and entry["language"] not in LANGUAGES:
        raise validation_error(f"{where}language", "Invalid language.")
    if "custom_questions" in entry:
        person["custom_questions"] = _custom_questions(entry["custom_questions"], where)
    return person


def _custom_questions(value: object, where: str) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise validation_error(f"{where}custom_questions", "custom_questions must be an array.")
    result = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("title", ""), str):
            raise validation_error(f"{where}custom_questions", "Each custom question needs a title.")
        answer = item.get("value", "")
        if not isinstance(answer, str) or len(answer) > 128:
            raise validation_error(f"{where}custom_questions", "Answers are limited to 128 characters.")
        result.append({"title": str(item.get("title", "")), "value": answer})
    return result


def _text(entry: dict[str, Any], key: str, where: str, limit: int | None) -> str:
    value = entry[key]
    if not isinstance(value, str):
        raise validation_error(f"{where}{key}", f"{key} must be a string.")
    if limit is not None and len(value) > limit:
        raise validation_error(f"{where}{key}", f"{key} is limited to {limit} characters.")
    return value


def _optional_bool(body: dict[str, Any], key: str) -> bool:
    value = body.get(key, False)
    if not isinstance(value, bool):
        raise validation_error(key, f"{key} must be a boolean.")
    return value


def _check_not_host(person: dict[str, Any], host: dict[str, Any]) -> None:
    if person["email"].lower() == str(host["email"]).lower():
        raise zoom_error(400, 3027, "Host can not register.")


def _take_daily_add(
    data: dict[str, Any], config: EmulatorConfig, meeting_id: str, email: str, now: datetime, what: str
) -> None:
    if not config.enforce_rate_limits:
        return
    limit = config.registrant_daily_adds
    if not take_daily(data, f"registrant-add:{meeting_id}:{email.lower()}", limit, now):
        raise _registrant_daily_error(limit, what, now)


def _take_daily_status_changes(
    data: dict[str, Any],
    config: EmulatorConfig,
    meeting_id: str,
    targets: list[dict[str, Any]],
    now: datetime,
) -> None:
    """Zoom allows ``registrant_daily_status_changes`` (10) updates per registrant, meeting and day."""
    if not config.enforce_rate_limits:
        return
    limit = config.registrant_daily_status_changes
    keys = [f"registrant-status:{meeting_id}:{r['id']}" for r in targets]
    if any(daily_used(data, key, now) >= limit for key in keys):
        raise _registrant_daily_error(limit, "Update Registrant Status API", now)
    for key in keys:
        take_daily(data, key, limit, now)


def _registrant_daily_error(limit: int, what: str, now: datetime) -> ApiError:
    # Zoom's message names the registrant's e-mail; the emulator leaves it out (clients log messages)
    message = (
        f"You have exceeded the daily rate limit ({limit}) of {what} requests permitted for this "
        "particular registrant. You may resume these requests at GMT 00:00:00."
    )
    headers = {
        "X-RateLimit-Category": Category.LIGHT.value,
        "X-RateLimit-Type": "Daily-limit",
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": "0",
        "Retry-After": zoom_datetime(next_utc_midnight(now)),
    }
    return ApiError(429, {"code": 429, "message": message}, headers)


def _existing(data: dict[str, Any], meeting_id: str, email: str) -> dict[str, Any] | None:
    key = email.lower()
    stored: list[dict[str, Any]] = data["registrants"].get(meeting_id, [])
    for registrant in stored:
        if registrant["email"].lower() == key and registrant["status"] != "cancelled":
            return registrant
    return None


def _active_by_email(data: dict[str, Any], meeting_id: str) -> dict[str, dict[str, Any]]:
    """The meeting's registrants that are not cancelled, by lower-cased e-mail."""
    stored: list[dict[str, Any]] = data["registrants"].get(meeting_id, [])
    return {r["email"].lower(): r for r in stored if r["status"] != "cancelled"}


def _active_count(data: dict[str, Any], meeting_id: str) -> int:
    return sum(1 for r in data["registrants"].get(meeting_id, []) if r["status"] != "cancelled")


def _by_id(data: dict[str, Any], meeting_id: str, registrant_id: str) -> dict[str, Any]:
    stored: list[dict[str, Any]] = data["registrants"].get(meeting_id, [])
    for registrant in stored:
        if registrant["id"] == registrant_id and registrant["status"] != "cancelled":
            return registrant
    raise zoom_error(404, 3079, f"Registrant not found: {registrant_id}.")


def _match(data: dict[str, Any], meeting_id: str, entry: dict[str, Any], index: int) -> dict[str, Any]:
    wanted_id = entry.get("id")
    wanted_email = str(entry.get("email") or "").lower()
    if not wanted_id and not wanted_email:
        raise validation_error(f"registrants[{index}]", "Each registrant needs an id or an email.")
    stored: list[dict[str, Any]] = data["registrants"].get(meeting_id, [])
    for registrant in stored:
        if registrant["status"] == "cancelled":
            continue
        if (wanted_id and registrant["id"] == wanted_id) or (
            not wanted_id and registrant["email"].lower() == wanted_email
        ):
            return registrant
    raise validation_error(f"registrants[{index}]", "Registrant not found.")
