"""Zoom's rate limits: per-second and daily quotas per category, plus per-resource daily quotas.

Windows are measured on the emulator's clock and kept in the state, so separate processes sharing
a state file share the quotas as they would share a real Zoom account.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from orchestrator.zoom.emulator.config import Category, EmulatorConfig
from orchestrator.zoom.emulator.errors import ApiError
from orchestrator.zoom.emulator.formats import zoom_datetime

QPS_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."


def next_utc_midnight(now: datetime) -> datetime:
    """When Zoom's daily quotas reset (GMT 00:00:00)."""
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return start_of_day + timedelta(days=1)


def qps_error(category: Category, limit: int, *, with_headers: bool = True) -> ApiError:
    """A per-second 429, with Zoom's rate-limit headers or (like some Zoom answers) without."""
    headers = (
        {
            "X-RateLimit-Category": category.value,
            "X-RateLimit-Type": "QPS",
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": "0",
            "Retry-After": "1",
        }
        if with_headers
        else {}
    )
    return ApiError(429, {"code": 429, "message": QPS_MESSAGE}, headers)


def daily_error(category: Category, limit: int, now: datetime, what: str) -> ApiError:
    """A daily-quota 429; ``Retry-After`` carries the reset time as Zoom documents it."""
    message = (
        f"You have exceeded the daily rate limit ({limit}) of {what} requests permitted for this "
        "particular account. You may resume these requests at GMT 00:00:00."
    )
    headers = {
        "X-RateLimit-Category": category.value,
        "X-RateLimit-Type": "Daily-limit",
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": "0",
        "Retry-After": zoom_datetime(next_utc_midnight(now)),
    }
    return ApiError(429, {"code": 429, "message": message}, headers)


def enforce_category(data: dict[str, Any], config: EmulatorConfig, category: Category, now: datetime) -> None:
    """Count one request of ``category``; raise a 429 when the second's or the day's quota is used up."""
    if not config.enforce_rate_limits:
        return
    limit = config.limit_for(category)
    counters = data["counters"]
    second = int(now.timestamp())
    window = counters.setdefault("qps", {}).get(category.value)
    if window is None or window[0] != second:
        window = [second, 0]
    if window[1] >= limit.per_second:
        raise qps_error(category, limit.per_second)
    if limit.per_day is not None and not take_daily(data, f"category:{category.value}", limit.per_day, now):
        raise daily_error(category, limit.per_day, now, f"{category.value} API")
    window[1] += 1
    counters["qps"][category.value] = window


def take_daily(data: dict[str, Any], key: str, limit: int, now: datetime) -> bool:
    """Use one unit of the UTC-day quota ``key``; ``False`` (nothing used) when it is exhausted."""
    used = _today(data, now)
    if used.get(key, 0) >= limit:
        return False
    used[key] = used.get(key, 0) + 1
    return True


def daily_used(data: dict[str, Any], key: str, now: datetime) -> int:
    """How much of the UTC-day quota ``key`` is used today."""
    return int(_today(data, now).get(key, 0))


def _today(data: dict[str, Any], now: datetime) -> dict[str, int]:
    day = now.date().isoformat()
    daily = data["counters"].get("daily")
    if not isinstance(daily, dict) or daily.get("day") != day:
        # a new UTC day: every daily quota starts again (and old entries do not pile up)
        daily = {"day": day, "used": {}}
        data["counters"]["daily"] = daily
    used: dict[str, int] = daily["used"]
    return used
