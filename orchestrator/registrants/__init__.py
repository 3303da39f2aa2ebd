"""Registrants: import of the organiser's registration export (parse, validate, merge).

The pure part lives here: :func:`parse_registrations` turns a CSV/XLSX file into an
:class:`ImportBatch` of records plus a row-by-row report; applying it to the store is the caller's.
"""

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
