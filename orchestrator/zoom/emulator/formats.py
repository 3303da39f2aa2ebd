"""Zoom's date formats: ``2025-08-27T07:30:00Z`` (UTC) in answers; local or UTC in requests."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from orchestrator.zoom.emulator.errors import validation_error

_UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_LOCAL_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
_UTC_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def zoom_datetime(moment: datetime) -> str:
    """Format an aware datetime the way Zoom answers: UTC with a trailing ``Z``, whole seconds."""
    return moment.astimezone(UTC).strftime(_UTC_FORMAT)


def parse_zoom_datetime(text: str) -> datetime:
    """Parse a ``...Z`` timestamp written by :func:`zoom_datetime`."""
    return datetime.strptime(text, _UTC_FORMAT).replace(tzinfo=UTC)


def zone(name: str, field: str = "timezone") -> ZoneInfo:
    """The IANA zone ``name``; a 400 validation error when Zoom would not know it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise validation_error(field, f"Invalid timezone: {name}") from exc


def parse_start_time(value: object, timezone: str) -> datetime:
    """Parse a request's ``start_time``: ``yyyy-MM-ddTHH:mm:ssZ`` (UTC) or local time in ``timezone``.

    Those are the two formats Zoom documents for creating and updating meetings.
    """
    if not isinstance(value, str):
        raise validation_error("start_time", "start_time must be a string.")
    if _UTC_PATTERN.match(value):
        return _strict(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    if _LOCAL_PATTERN.match(value):
        local = _strict(value, "%Y-%m-%dT%H:%M:%S")
        return local.replace(tzinfo=zone(timezone)).astimezone(UTC)
    raise validation_error(
        "start_time", "Invalid start_time: use yyyy-MM-ddTHH:mm:ssZ or yyyy-MM-ddTHH:mm:ss with timezone."
    )


def _strict(value: str, fmt: str) -> datetime:
    try:
        return datetime.strptime(value, fmt)
    except ValueError as exc:
        raise validation_error("start_time", f"Invalid start_time: {value}") from exc
