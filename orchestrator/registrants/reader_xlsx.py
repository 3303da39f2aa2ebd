"""Read the registrations of an XLSX workbook, bounded in time and memory whatever the file claims.

The archive's directory is checked before anything is unpacked
(:func:`~orchestrator.registrants.table_limits.check_archive`). The sheet's declared dimension is
ignored: openpyxl would pad every row to it, and merely finding it parses the whole sheet when it
is missing. Rows are streamed element by element with openpyxl's own cell parser, so values (shared
strings, dates, booleans) are read exactly as openpyxl reads them.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from orchestrator.i18n import _
from orchestrator.registrants.reader import RawRow, RawTable, UnreadableTable, cell_text, trim_headers
from orchestrator.registrants.table_limits import (
    MAX_CELL_PARTS,
    MAX_CELLS,
    MAX_CELLS_PER_ROW,
    MAX_COLUMNS,
    MAX_ROWS,
    check_archive,
    too_many_cells,
    too_many_columns,
    too_many_rows,
)

_ROW_TAG = f"{{{SHEET_MAIN_NS}}}row"
_CELL_TAG = f"{{{SHEET_MAIN_NS}}}c"


class _UnsizedSheet(ReadOnlyWorksheet):
    """A read-only sheet that does not look for its dimension (see the module docstring)."""

    def _get_size(self) -> None:
        pass


class _SheetsWithoutSize(ExcelReader):
    """openpyxl's workbook reader, creating :class:`_UnsizedSheet` worksheets (chart sheets skipped)."""

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            worksheet = _UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)


def read_xlsx(path: Path, sheet: str | None) -> RawTable:
    """Read one sheet (default: the active one) of the workbook at ``path`` into a :class:`RawTable`."""
    try:
        check_archive(path)
        reader = _SheetsWithoutSize(path, read_only=True, data_only=True)
        reader.read()
        workbook = reader.wb
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableTable(
            _("{file} cannot be read as an Excel workbook: {error}", file=str(path), error=str(exc))
        ) from exc
    try:
        if not workbook.worksheets:
            raise UnreadableTable(_("{file} is empty.", file=str(path)))
        if sheet is None:
            worksheet = workbook.active or workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise UnreadableTable(
                _(
                    "{file} has no sheet '{sheet}'. Sheets: {sheets}",
                    file=str(path),
                    sheet=sheet,
                    sheets=", ".join(workbook.sheetnames),
                )
            )
        try:
            headers, rows, empty = _sheet_table(workbook, worksheet, path)
        except (ValueError, IndexError, KeyError, SyntaxError) as exc:  # SyntaxError: XML ParseError
            raise UnreadableTable(
                _("{file} cannot be read as an Excel workbook: {error}", file=str(path), error=str(exc)[:200])
            ) from exc
        title = str(worksheet.title)
    finally:
        workbook.close()
    if headers is None:
        raise UnreadableTable(_("{file} is empty.", file=str(path)))
    return RawTable(trim_headers(headers), rows, "xlsx", None, path, empty, sheet=title)


def _sheet_table(
    workbook: Any, worksheet: Any, path: Path
) -> tuple[list[str] | None, list[RawRow], list[int]]:
    """The header, data rows and empty row numbers of a sheet, within the row and column limits."""
    headers: list[str] | None = None
    rows: list[RawRow] = []
    empty: list[int] = []
    previous = 0
    for number, cells in _stored_rows(workbook, worksheet, path):
        # Rows missing from the file are empty rows too; numbers match what Excel shows.
        if headers is not None:
            empty.extend(range(previous + 1, min(number, MAX_ROWS + 1)))
        previous = max(previous, number)
        if not any(v.strip() for v in cells.values()):
            if headers is not None and number <= MAX_ROWS:
                empty.append(number)
            continue
        if number > MAX_ROWS:
            raise too_many_rows(path, number)
        width = max(cells)
        if width > MAX_COLUMNS:
            names = headers if headers is not None else [cells.get(c, "") for c in range(1, 7)]
            raise too_many_columns(path, number, width, names)
        values = [cells.get(column, "") for column in range(1, width + 1)]
        if headers is None:
            headers = [h.strip() for h in values]
            continue
        rows.append(RawRow(number, values))
    return headers, rows, empty


def _stored_rows(  # noqa: C901  one pass over the sheet XML; each branch is one element kind
    workbook: Any, worksheet: Any, path: Path
) -> Iterator[tuple[int, dict[int, str]]]:
    """(row number, {column: text}) for each row element of the sheet, empty cells left out.

    openpyxl's ``iter_rows`` pads every row to the sheet's declared dimension, which the file
    itself states (``A1:XFD1048576`` in a 2 KB file: 16,384 cells for each of a million rows), and
    its parser keeps every element of a row, and an emptied element for every row, until the end.
    This loop streams: each cell is converted by openpyxl's own cell parser (shared strings, dates,
    booleans as openpyxl reads them) and every finished element is dropped from the tree at once,
    so memory stays flat and the work is bounded by the cell limits.
    """
    with worksheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            worksheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        open_elements: list[Any] = []
        number = row_elements = total_cells = row_cells = cell_parts = 0
        in_cell = False
        cells: dict[int, str] = {}
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                open_elements.append(element)
                if element.tag == _ROW_TAG:
                    number = _row_number(element.get("r"), number, path)
                    row_elements += 1
                    if row_elements > MAX_ROWS:  # even empty ones: each costs parsing time
                        raise too_many_rows(path, number)
                    parser.row_counter, parser.col_counter = number, 0
                    cells, row_cells = {}, 0
                elif element.tag == _CELL_TAG:
                    in_cell, cell_parts = True, 0
                continue
            open_elements.pop()
            if element.tag == _CELL_TAG:
                in_cell = False
                row_cells += 1
                total_cells += 1
                if row_cells > MAX_CELLS_PER_ROW or total_cells > MAX_CELLS:
                    raise too_many_cells(path, number)
                value = parser.parse_cell(element)["value"]
                text = cell_text(value) if value is not None else ""
                if text:
                    cells[parser.col_counter] = text
            elif in_cell:
                cell_parts += 1  # the value, an inline string and its runs: kept until the cell ends
                if cell_parts > MAX_CELL_PARTS:
                    raise too_many_cells(path, number)
                continue
            elif element.tag == _ROW_TAG:
                yield number, cells
            if open_elements:
                open_elements[-1].remove(element)  # finished: drop it (it is the parent's only child)


def _row_number(declared: str | None, previous: int, path: Path) -> int:
    if declared is None:
        return previous + 1
    if declared.isascii() and declared.isdigit() and len(declared) <= 9:
        return int(declared)
    raise UnreadableTable(
        _(
            "{file} cannot be read as an Excel workbook: {error}",
            file=str(path),
            error=f"row '{declared[:20]}'",
        )
    )
