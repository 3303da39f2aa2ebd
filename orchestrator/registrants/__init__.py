"""Registrants: import of the organiser's registration export (parse, validate, merge), sync to Zoom.

The pure part: :func:`parse_registrations` turns a CSV/XLSX file into an :class:`ImportBatch` of
records plus a row-by-row report; applying it to the store is the caller's. The use cases live in
:mod:`orchestrator.registrants.service`.

The parser's names are re-exported here but load on first use: a command that only lists people
(and so imports ``registrants.service``) does not pay for the parser and the address checks.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orchestrator.registrants.headers import (
        FIELDS,
        AmbiguousColumns,
        BadMapOption,
        ColumnMapping,
        HeaderMap,
        MissingColumns,
        map_headers,
        parse_map_option,
    )
    from orchestrator.registrants.reader import RawRow, RawTable, UnreadableTable, read_rows
    from orchestrator.registrants.records import (
        ImportBatch,
        ImportStats,
        Merge,
        RegistrantRecord,
        RejectedRow,
        RowWarning,
        build_batch,
        parse_registrations,
    )

_MODULES = {
    "orchestrator.registrants.headers": (
        "FIELDS",
        "AmbiguousColumns",
        "BadMapOption",
        "ColumnMapping",
        "HeaderMap",
        "MissingColumns",
        "map_headers",
        "parse_map_option",
    ),
    "orchestrator.registrants.reader": ("RawRow", "RawTable", "UnreadableTable", "read_rows"),
    "orchestrator.registrants.records": (
        "ImportBatch",
        "ImportStats",
        "Merge",
        "RegistrantRecord",
        "RejectedRow",
        "RowWarning",
        "build_batch",
        "parse_registrations",
    ),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> object:
    """Load a re-exported name from its module on first use."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


__all__ = [
    "FIELDS",
    "AmbiguousColumns",
    "BadMapOption",
    "ColumnMapping",
    "HeaderMap",
    "ImportBatch",
    "ImportStats",
    "Merge",
    "MissingColumns",
    "RawRow",
    "RawTable",
    "RegistrantRecord",
    "RejectedRow",
    "RowWarning",
    "UnreadableTable",
    "build_batch",
    "map_headers",
    "parse_map_option",
    "parse_registrations",
    "read_rows",
]
