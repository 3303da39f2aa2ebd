"""Language of the web pages (German by default, English on request) and date formatting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from fastapi import Request

from orchestrator.i18n import SUPPORTED_LANGUAGES, translate

SESSION_KEY = "lang"
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}


def request_language(request: Request, default: str) -> str:
    """The language chosen in this session, else ``default``."""
    chosen = request.session.get(SESSION_KEY)
    if isinstance(chosen, str) and chosen in SUPPORTED_LANGUAGES:
        return chosen
    return default if default in SUPPORTED_LANGUAGES else "de"


def choose_language(request: Request, language: str) -> bool:
    """Remember ``language`` for this session; ``False`` when it is not offered."""
    if language not in SUPPORTED_LANGUAGES:
        return False
    request.session[SESSION_KEY] = language
    return True


def translator(language: str) -> Callable[..., str]:
    """``_`` for templates: translate into ``language`` and format with keyword arguments."""

    def gettext(text: str, **values: Any) -> str:
        return translate(text, language, **values)

    return gettext


def date_formatter(language: str, timezone: str) -> Callable[[datetime | None, str], str]:
    """Format aware UTC datetimes in the event's timezone, the reader's way ("27.08.2025, 11:30")."""
    zone = ZoneInfo(timezone)

    def fmt(value: datetime | None, style: str = "medium") -> str:
        if value is None:
            return "–"
        if style == "time":
            return format_time(value, "short", tzinfo=zone, locale=language)
        if style == "medium":  # "27.08.2025, 09:30": the date spelled out, the time without seconds
            local = value.astimezone(zone)
            day = format_date(local, "medium", locale=language)
            return f"{day}, {format_time(local, 'short', locale=language)}"
        return format_datetime(value, style, tzinfo=zone, locale=language)

    return fmt
