"""Numeric ids that come from outside (Zoom payloads, URL paths, form fields).

An id is 1 to 18 ASCII digits. ``str.isdigit()`` is not enough: it accepts "²³" (which ``int()``
then refuses) and any length (a 20-digit id overflows the store's 64-bit integers). 18 digits fit
a signed 64-bit column with room to spare; Zoom meeting ids have 9 to 11.
"""

from __future__ import annotations

import re

_STORE_ID = re.compile(r"[0-9]{1,18}")
_LIMIT = 10**18


def parse_store_id(value: object) -> int | None:
    """``value`` (a string of 1-18 ASCII digits, or such an int) as an int; ``None`` for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < _LIMIT else None
    if isinstance(value, str) and _STORE_ID.fullmatch(value):
        return int(value)
    return None
