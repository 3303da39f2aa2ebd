"""Zoom's error answers as an exception the emulator's handlers raise.

Zoom answers errors of its REST API with ``{"code": int, "message": str}`` (validation errors add
``"errors": [{"field", "message"}]``); the OAuth endpoint answers ``{"reason": str, "error": str}``.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer: HTTP ``status`` plus the JSON ``body`` Zoom would send."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


def zoom_error(status: int, code: int, message: str, headers: dict[str, str] | None = None) -> ApiError:
    """An error with Zoom's REST error body."""
    return ApiError(status, {"code": code, "message": message}, headers)


def validation_error(field: str, message: str) -> ApiError:
    """Zoom's answer to an invalid field: 400, code 300 "Validation Failed." with the field."""
    return ApiError(
        400,
        {"code": 300, "message": "Validation Failed.", "errors": [{"field": field, "message": message}]},
    )


def invalid_field(message: str) -> ApiError:
    """A 400 with code 300 and a free message (Zoom uses this for most invalid parameters)."""
    return zoom_error(400, 300, message)


def meeting_not_found(meeting_id: object) -> ApiError:
    return zoom_error(404, 3001, f"Meeting does not exist: {meeting_id}.")


def user_not_found(user_id: str) -> ApiError:
    return zoom_error(404, 1001, f"User does not exist: {user_id}.")
