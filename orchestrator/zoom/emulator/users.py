"""The emulated account's one host user (``GET /users/{userId}``, ``me``)."""

from __future__ import annotations

import random
import secrets
from datetime import datetime
from typing import Any

from orchestrator.zoom.emulator.config import EmulatorConfig
from orchestrator.zoom.emulator.errors import user_not_found
from orchestrator.zoom.emulator.formats import zoom_datetime

_ids = random.SystemRandom()


def host_user(data: dict[str, Any], config: EmulatorConfig, now: datetime) -> dict[str, Any]:
    """The host user, created on first use; its e-mail and name follow the current config."""
    user = data.get("user")
    if user is None:
        user = {
            "id": secrets.token_urlsafe(16)[:22],
            "account_id": config.account_id or secrets.token_urlsafe(16)[:22],
            "account_number": _ids.randint(10_000_000, 99_999_999),
            "pmi": _ids.randint(1_000_000_000, 9_999_999_999),
            "created_at": zoom_datetime(now),
        }
        data["user"] = user
    if config.account_id is not None:
        user["account_id"] = config.account_id
    user.update(
        email=config.host_email,
        first_name=config.host_first_name,
        last_name=config.host_last_name,
        timezone=config.host_timezone,
    )
    return dict(user)


def resolve_user(data: dict[str, Any], config: EmulatorConfig, user_id: str, now: datetime) -> dict[str, Any]:
    """The host for ``me``, its id or its e-mail; 404 code 1001 for anybody else."""
    user = host_user(data, config, now)
    if user_id == "me" or user_id == user["id"] or user_id.lower() == str(user["email"]).lower():
        return user
    raise user_not_found(user_id)


def user_body(user: dict[str, Any]) -> dict[str, Any]:
    """``GET /users/{userId}`` answer (Zoom's Users API shape, licensed user)."""
    return {
        "id": user["id"],
        "first_name": user["first_name"],
        "last_name": user["last_name"],
        "display_name": f"{user['first_name']} {user['last_name']}",
        "email": user["email"],
        "type": 2,
        "role_name": "Owner",
        "pmi": user["pmi"],
        "use_pmi": False,
        "timezone": user["timezone"],
        "verified": 1,
        "dept": "",
        "created_at": user["created_at"],
        "user_created_at": user["created_at"],
        "last_login_time": user["created_at"],
        "language": "de-DE",
        "phone_number": "",
        "status": "active",
        "role_id": "0",
        "account_id": user["account_id"],
        "account_number": user["account_number"],
        "cluster": "us06",
    }
