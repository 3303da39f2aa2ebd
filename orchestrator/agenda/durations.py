"""Offsets written like ``7d``, ``1h``, ``1d12h`` or ``90m`` (reminders, thank-you delay)."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"w": timedelta(weeks=1), "d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}
_PART = re.compile(r"(\d+)\s*([wdhm])")
_WHOLE = re.compile(r"^\s*(?:\d+\s*[wdhm]\s*)+$")


def parse_offset(text: str) -> timedelta:
    """Parse ``"1d12h"`` into a timedelta; raise ``ValueError`` for anything else."""
    if not _WHOLE.match(text):
        raise ValueError(text)
    return sum((int(n) * _UNITS[unit] for n, unit in _PART.findall(text)), timedelta())


def format_offset(offset: timedelta) -> str:
    """The inverse of :func:`parse_offset` (``timedelta(days=1, hours=12)`` -> ``"1d12h"``)."""
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "0m"
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    parts = []
    for unit, size in (("d", 1440), ("h", 60), ("m", 1)):
        count, minutes = divmod(minutes, size)
        if count:
            parts.append(f"{count}{unit}")
    return sign + "".join(parts)
