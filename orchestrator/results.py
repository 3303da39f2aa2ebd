"""One serialiser for use-case results: frozen dataclasses (and what they hold) → JSON-able data.

Services return typed results; the CLI's ``--json``, the web's JSON answers and the job reports
turn them into plain data here and nowhere else. Field order is kept (it is the order of keys
in the JSON output); a field whose value is ``OMIT`` is left out, so a result can carry keys that
appear only in some answers without callers reading dicts by key.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final


class _Omit:
    """Marker for a field left out of the JSON answer."""

    _instance: _Omit | None = None

    def __new__(cls) -> _Omit:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "OMIT"

    def __bool__(self) -> bool:
        return False


OMIT: Final = _Omit()


def to_jsonable(value: Any) -> Any:
    """Plain JSON data for ``value``: dataclasses become objects in field order, times ISO text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            item.name: to_jsonable(getattr(value, item.name))
            for item in dataclasses.fields(value)
            # ``field(metadata={"json": False})`` keeps a value out of every JSON answer.
            if item.metadata.get("json", True) and getattr(value, item.name) is not OMIT
        }
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items() if item is not OMIT}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(item) for item in value]
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Path):
        return str(value)
    return value
