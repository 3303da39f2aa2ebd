"""Zoom's token pagination: ``page_size`` (≤ 300) and a ``next_page_token`` that expires after 15 min."""

from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta
from typing import Any

from orchestrator.zoom.emulator.config import EmulatorConfig
from orchestrator.zoom.emulator.errors import invalid_field
from orchestrator.zoom.emulator.formats import parse_zoom_datetime, zoom_datetime

DEFAULT_PAGE_SIZE = 30


def paginate(
    data: dict[str, Any],
    config: EmulatorConfig,
    listing: str,
    items: list[dict[str, Any]],
    query: dict[str, list[str]],
    now: datetime,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One page of ``items`` and Zoom's pagination fields.

    ``listing`` names what is listed (e.g. ``registrants:123:approved``); a page token only
    continues the listing it was issued for.
    """
    tokens: dict[str, dict[str, Any]] = data["page_tokens"]
    for stale in [t for t, v in tokens.items() if parse_zoom_datetime(v["expires"]) <= now]:
        del tokens[stale]
    page_size = _page_size(query, config)
    offset = 0
    token = (query.get("next_page_token") or [""])[0]
    if token:
        entry = tokens.get(token)
        if entry is None or entry["listing"] != listing:
            raise invalid_field("The next page token is invalid or expired.")
        offset = int(entry["offset"])
        page_size = int(entry["page_size"])
    page = items[offset : offset + page_size]
    next_token = ""
    if offset + page_size < len(items):
        next_token = secrets.token_urlsafe(24)
        tokens[next_token] = {
            "listing": listing,
            "offset": offset + page_size,
            "page_size": page_size,
            "expires": zoom_datetime(now + timedelta(seconds=config.page_token_ttl_seconds)),
        }
    meta = {
        "page_count": max(1, math.ceil(len(items) / page_size)) if items else 0,
        "page_number": offset // page_size + 1,
        "page_size": page_size,
        "total_records": len(items),
        "next_page_token": next_token,
    }
    return page, meta


def _page_size(query: dict[str, list[str]], config: EmulatorConfig) -> int:
    raw = (query.get("page_size") or [""])[0]
    if not raw:
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError as exc:
        raise invalid_field(f"Invalid field: page_size {raw!r}.") from exc
    if size < 1:
        return DEFAULT_PAGE_SIZE
    # Zoom answers at most page_size_max records per page, whatever is asked for
    return min(size, config.page_size_max)
