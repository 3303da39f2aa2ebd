"""Builders for Zoom webhook notifications shaped like Zoom's (used by web, attendance, benchmark tests)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from orchestrator.zoom.webhooks import sign

SECRET = "test-webhook-secret-token"


def zoom_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def event_ts(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def meeting_event(kind: str, meeting_id: int, at: datetime, *, uuid: str = "run-1==") -> dict[str, Any]:
    """``meeting.started`` or ``meeting.ended``."""
    obj: dict[str, Any] = {
        "id": str(meeting_id),
        "uuid": uuid,
        "host_id": "host",
        "topic": "Fachtag",
        "type": 2,
        "timezone": "Europe/Berlin",
        "duration": 285,
    }
    obj["start_time" if kind == "meeting.started" else "end_time"] = zoom_time(at)
    return {"event": kind, "event_ts": event_ts(at), "payload": {"account_id": "acc", "object": obj}}


def participant_event(
    kind: str,
    meeting_id: int,
    at: datetime,
    *,
    participant_uuid: str,
    name: str,
    email: str = "",
    registrant_id: str | None = None,
    uuid: str = "run-1==",
) -> dict[str, Any]:
    """``meeting.participant_joined`` / ``meeting.participant_left``."""
    participant: dict[str, Any] = {
        "user_id": "16778240",
        "user_name": name,
        "id": "",
        "participant_uuid": participant_uuid,
        "email": email,
    }
    if registrant_id:
        participant["registrant_id"] = registrant_id
    participant["join_time" if kind.endswith("joined") else "leave_time"] = zoom_time(at)
    return {
        "event": kind,
        "event_ts": event_ts(at),
        "payload": {
            "account_id": "acc",
            "object": {
                "id": str(meeting_id),
                "uuid": uuid,
                "host_id": "host",
                "topic": "Fachtag",
                "participant": participant,
            },
        },
    }


def registration_event(
    kind: str,
    meeting_id: int,
    at: datetime,
    *,
    email: str,
    first_name: str = "Erika",
    last_name: str = "Muster",
    registrant_id: str = "reg-1",
    join_url: str | None = None,
    status: str = "approved",
) -> dict[str, Any]:
    registrant: dict[str, Any] = {
        "id": registrant_id,
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "status": status,
    }
    if join_url:
        registrant["join_url"] = join_url
    return {
        "event": kind,
        "event_ts": event_ts(at),
        "payload": {
            "account_id": "acc",
            "operator": "host@example.org",
            "object": {
                "id": str(meeting_id),
                "uuid": "run-1==",
                "topic": "Fachtag",
                "registrant": registrant,
            },
        },
    }


def encode(notification: dict[str, Any]) -> bytes:
    return json.dumps(notification, separators=(",", ":")).encode()


def signed_headers(body: bytes, at: datetime, secret: str = SECRET) -> dict[str, str]:
    """Headers Zoom sends with ``body`` at ``at``."""
    timestamp = str(int(at.timestamp()))
    return {
        "content-type": "application/json",
        "x-zm-request-timestamp": timestamp,
        "x-zm-signature": sign(secret.encode(), timestamp, body),
    }
