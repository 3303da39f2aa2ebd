"""Hostile registration exports, generated on the fly (nothing large is kept in memory or the repo).

Each function writes a minimal, otherwise valid file: a workbook with a lying dimension, a zip
bomb, a sheet of a million empty rows, a CSV whose header line has millions of columns.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Anmeldungen" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
HEADER = ("Vorname", "Nachname", "E-Mail")


def column_letter(number: int) -> str:
    """1 → A, 27 → AA, 16384 → XFD."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def row_xml(number: int, values: Iterable[str], first_column: int = 1) -> str:
    cells = "".join(
        f'<c r="{column_letter(first_column + i)}{number}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def write_workbook(path: Path, sheet_parts: Iterable[str]) -> Path:
    """A minimal XLSX whose sheet XML is ``sheet_parts`` (streamed into the archive)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for part in sheet_parts:
                sheet.write(part.encode())
    return path


def lying_dimension(path: Path) -> Path:
    """Two kilobytes declaring ``A1:XFD1048576`` and ending with (empty) row 1,048,576: openpyxl
    pads every row up to there to 16,384 cells."""
    rows = (row_xml(1, HEADER), row_xml(2, ("Ada", "Lovelace", "ada@example.org")), '<row r="1048576"/>')
    return write_workbook(
        path, [_SHEET_HEAD, '<dimension ref="A1:XFD1048576"/><sheetData>', *rows, "</sheetData></worksheet>"]
    )


def zip_bomb(path: Path, unpacked_bytes: int) -> Path:
    """A valid workbook whose sheet unpacks to ``unpacked_bytes`` (padding whitespace compresses ~1000:1)."""

    def parts() -> Iterable[str]:
        yield _SHEET_HEAD + "<sheetData>" + row_xml(1, HEADER)
        chunk = " " * (1 << 20)
        left = unpacked_bytes
        while left > 0:
            yield chunk[: min(left, len(chunk))]
            left -= len(chunk)
        yield "</sheetData></worksheet>"

    return write_workbook(path, parts())


def empty_rows(path: Path, count: int, *, data_at: int | None = None) -> Path:
    """A header, one registration, then ``count`` empty ``<row>`` elements (optionally data at the end)."""

    def parts() -> Iterable[str]:
        yield (
            _SHEET_HEAD
            + "<sheetData>"
            + row_xml(1, HEADER)
            + row_xml(2, ("Ada", "Lovelace", "ada@example.org"))
        )
        batch: list[str] = []
        for number in range(3, count + 3):
            batch.append(f'<row r="{number}"/>')
            if len(batch) == 10_000:
                yield "".join(batch)
                batch = []
        yield "".join(batch)
        if data_at is not None:
            yield row_xml(data_at, ("Bea", "Late", "bea@example.org"))
        yield "</sheetData></worksheet>"

    return write_workbook(path, parts())


def wide_csv(path: Path, columns: int) -> Path:
    """A CSV whose header line has ``columns`` columns (written in chunks)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Vorname;Nachname;E-Mail")
        chunk = ";".join(f"c{i}" for i in range(1000))
        written = 3
        while written < columns:
            out.write(";" + chunk)
            written += 1000
        out.write("\r\nAda;Lovelace;ada@example.org\r\n")
    return path
