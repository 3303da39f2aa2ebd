"""The addresses of a cancellation file: one per line, or the e-mail column of an export.

An export may be Zoom's registration report, whose table starts below a block about the meeting;
:func:`~orchestrator.registrants.table_start.locate_table` finds it, as the import does.
"""

from __future__ import annotations

from pathlib import Path

from orchestrator.errors import BadInput
from orchestrator.i18n import _
from orchestrator.registrants.headers import AmbiguousColumns, BadMapOption, MissingColumns
from orchestrator.registrants.reader import UnreadableTable, read_rows
from orchestrator.registrants.table_start import locate_table


def read_email_file(path: Path) -> list[str]:
    """E-mail addresses from ``path``: the e-mail column of a CSV/XLSX export, else one per line."""
    try:
        table, header_map = locate_table(read_rows(path))
    except (UnreadableTable, MissingColumns, BadMapOption, AmbiguousColumns):
        header_map = None
    if header_map is not None and "email" in header_map.columns:
        index = header_map.columns["email"]
        return [row.values[index] for row in table.rows if index < len(row.values)]
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(_("Cannot read {file}: {error}", file=str(path), error=str(exc))) from exc
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
