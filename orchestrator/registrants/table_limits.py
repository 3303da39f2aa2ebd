"""Size limits for registration exports, checked before and while a file is read.

A registration export of an online event has hundreds, at most a few thousand rows and a few dozen
columns. The limits are far above that and far below what a hostile file can make the parser do:
a 2 KB workbook declaring ``A1:XFD1048576``, a 0.3 MB workbook unpacking to 300 MB, a CSV header
line of millions of columns. Every refusal names the file and the limit.

XLSX archives are checked from the zip directory alone (member count, declared unpacked sizes,
compression ratio) before openpyxl reads anything. The declared sizes can be trusted: Python's
zipfile stops decompressing a member at its declared size (and then fails its CRC check).
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

from orchestrator.errors import BadInput
from orchestrator.i18n import _, get_language

MAX_ROWS = 20_000  # rows of the sheet (header included); a non-empty row further down is refused
MAX_COLUMNS = 200
MAX_CELLS = 1_000_000  # cell elements of an XLSX sheet, empty (formatted) ones included
MAX_CELLS_PER_ROW = 16_384  # Excel's own column limit
MAX_CELL_PARTS = 1_000  # elements inside one cell (value, inline string runs)
MAX_RECORD_CHARS = 1_000_000  # one CSV record (a line, or several with quoted line breaks)
MAX_ARCHIVE_MEMBERS = 1_000
MAX_UNPACKED_BYTES = 40 * 1024 * 1024  # all members of an XLSX together
MAX_COMPRESSION_RATIO = 200  # for members above RATIO_CHECK_FROM bytes; real sheets compress ~5-30x
RATIO_CHECK_FROM = 1024 * 1024
_NAMED_COLUMNS = 5


def _count(number: int) -> str:
    """``20,000`` in English, ``20.000`` in German."""
    return f"{number:,}".replace(",", "." if get_language() == "de" else ",")


class TableTooLarge(BadInput):
    """The file exceeds a size limit of the import (rows, columns, unpacked size)."""


def check_archive(path: Path) -> None:
    """Refuse an XLSX whose zip directory promises more than the limits (nothing is unpacked).

    Raises :class:`TableTooLarge`; ``zipfile.BadZipFile`` for a file that is not a zip archive.
    """
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise TableTooLarge(
            _(
                "{file} is not a usable Excel workbook: it has {count} parts; at most {limit} are accepted.",
                file=str(path),
                count=_count(len(members)),
                limit=_count(MAX_ARCHIVE_MEMBERS),
            )
        )
    total = 0
    for member in members:
        total += member.file_size
        if total > MAX_UNPACKED_BYTES:
            raise TableTooLarge(
                _(
                    "{file} unpacks to more than {limit} MB (the part '{part}' has {size} MB); "
                    "a registration export is far smaller. Save only the registrations as CSV or XLSX.",
                    file=str(path),
                    limit=MAX_UNPACKED_BYTES // (1024 * 1024),
                    part=member.filename[:100],
                    size=f"{member.file_size / (1024 * 1024):,.1f}",
                )
            )
        ratio_limit = max(member.compress_size, 1) * MAX_COMPRESSION_RATIO
        if member.file_size > RATIO_CHECK_FROM and member.file_size > ratio_limit:
            raise TableTooLarge(
                _(
                    "{file} is not a usable Excel workbook: part '{part}' is compressed more than "
                    "{ratio}:1 (a zip bomb?).",
                    file=str(path),
                    part=member.filename[:100],
                    ratio=MAX_COMPRESSION_RATIO,
                )
            )


def too_many_rows(path: Path, row: int) -> TableTooLarge:
    """The error for a non-empty row below :data:`MAX_ROWS`."""
    return TableTooLarge(
        _(
            "{file}, row {row}: the import reads at most {limit} rows. Split the file, or delete "
            "what is below the registrations.",
            file=str(path),
            row=_count(row),
            limit=_count(MAX_ROWS),
        )
    )


def too_many_columns(path: Path, row: int, count: int, names: Sequence[str] = ()) -> TableTooLarge:
    """The error for a row with a value beyond column :data:`MAX_COLUMNS`; ``names`` are header texts."""
    shown = ", ".join(f"'{n[:40]}'" for n in names[:_NAMED_COLUMNS])
    if count > _NAMED_COLUMNS and shown:
        shown += " " + _("and {count} more", count=_count(count - _NAMED_COLUMNS))
    return TableTooLarge(
        _(
            "{file}, row {row}: {count} columns; the import reads at most {limit}.{columns}",
            file=str(path),
            row=_count(row),
            count=_count(count),
            limit=_count(MAX_COLUMNS),
            columns=(" " + _("Columns: {names}", names=shown)) if shown else "",
        )
    )


def too_many_cells(path: Path, row: int) -> TableTooLarge:
    """The error for an XLSX sheet with more cell elements than a registration export has."""
    return TableTooLarge(
        _(
            "{file}, row {row}: the sheet has more cells than the import reads (at most {limit} "
            "cells, {per_row} per row). Save only the registrations as CSV or XLSX.",
            file=str(path),
            row=_count(row),
            limit=_count(MAX_CELLS),
            per_row=_count(MAX_CELLS_PER_ROW),
        )
    )


def record_too_long(path: Path, row: int) -> TableTooLarge:
    """The error for a CSV record longer than :data:`MAX_RECORD_CHARS`."""
    return TableTooLarge(
        _(
            "{file}, row {row}: the row is longer than {limit} characters (an unclosed quote?).",
            file=str(path),
            row=_count(row),
            limit=_count(MAX_RECORD_CHARS),
        )
    )
