"""Read a registration export (CSV in any common dialect, or XLSX) into raw rows of strings.

Nothing here interprets values: this module only turns bytes into a header line and rows, and
remembers where each row came from (the row number the organiser sees in Excel and, for CSV, the
physical line in a text editor, which differs after a quoted field with line breaks).

Reading is bounded (see :mod:`orchestrator.registrants.table_limits`): at most ``MAX_ROWS`` rows
and ``MAX_COLUMNS`` columns, CSV records of bounded length, XLSX archives checked before unpacking
and their declared dimension ignored (a sheet costs what it contains, not what it claims).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from orchestrator.errors import BadInput
from orchestrator.i18n import _
from orchestrator.registrants.parse_text import safe_preview
from orchestrator.registrants.table_limits import (
    MAX_COLUMNS,
    MAX_RECORD_CHARS,
    MAX_ROWS,
    record_too_long,
    too_many_columns,
    too_many_rows,
)

DELIMITERS = (";", ",", "\t")
PREAMBLE_LINES = 30  # how far below the top a report's table may start (title block, blank lines)
_SNIFF_SAMPLE_CHARS = 32_768
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_ZIP_MAGIC = b"PK\x03\x04"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class UnreadableTable(BadInput):
    """The file is not a table we can read (binary, broken quoting, unknown encoding, missing sheet)."""


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row: ``number`` is the row as Excel shows it (header = 1), ``line`` the first text line."""

    number: int
    values: list[str]
    line: int | None = None


@dataclass(slots=True)
class RawTable:
    """The header and non-empty rows of one file, plus how it was decoded."""

    headers: list[str]
    rows: list[RawRow]
    encoding: str
    delimiter: str | None
    source: Path
    empty_rows: list[int] = field(default_factory=list)
    sheet: str | None = None
    # The file row holding ``headers``: 1 unless a preamble (a report's title block) stands above
    # the table (see :mod:`orchestrator.registrants.table_start`).
    header_row: int = 1


def read_rows(
    path: Path, *, encoding: str | None = None, sheet: str | None = None, delimiter: str | None = None
) -> RawTable:
    """Read ``path`` (CSV or XLSX) into a :class:`RawTable`.

    CSV: ``encoding`` overrides detection (BOM, UTF-8, else Windows-1252); ``delimiter`` overrides
    sniffing among ``;``, ``,`` and tab. XLSX: ``sheet`` selects a worksheet (default: the active one).
    Raises :class:`UnreadableTable` when the file cannot be read as a table.
    """
    if not path.is_file():
        raise UnreadableTable(_("File not found: {file}", file=str(path)))
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise UnreadableTable(_("Cannot open {file}: {error}", file=str(path), error=exc.strerror)) from exc
    if path.suffix.lower() in _XLSX_SUFFIXES or head.startswith(_ZIP_MAGIC):
        from orchestrator.registrants.reader_xlsx import read_xlsx  # lazily: it imports openpyxl

        return read_xlsx(path, sheet)
    if path.suffix.lower() == ".xls" or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableTable(
            _("{file} is an old Excel (.xls) file; please save it as .xlsx or CSV.", file=str(path))
        )
    return _read_csv(path, encoding, delimiter)


# --- CSV -------------------------------------------------------------------------------------


def detect_encoding(data: bytes) -> str:
    """Pick the encoding of a CSV export: BOM, else strict UTF-8, else Windows-1252 (else Latin-1)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith(_UTF16_BOMS):  # Excel's "Unicode text" export
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    try:
        # cp1252 is what Excel on German Windows writes; it is a superset of Latin-1's printable
        # range, so prefer it (curly quotes, €, – decode correctly instead of becoming C1 controls).
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"  # five bytes are undefined in cp1252; Latin-1 decodes everything
    return "cp1252"


def _decode(data: bytes, encoding: str | None, path: Path) -> tuple[str, str]:
    if encoding is None:
        encoding = detect_encoding(data)
    else:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise UnreadableTable(_("Unknown encoding '{encoding}'.", encoding=encoding)) from exc
        if codecs.lookup(encoding).name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"  # a BOM is never part of the first header
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableTable(
            _(
                "{file}, line {line}: the file is not valid {encoding}. Try another --encoding "
                "(for example cp1252 or utf-8).",
                file=str(path),
                line=line,
                encoding=encoding,
            )
        ) from exc
    return text, encoding


def _first_record(text: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error:
        return []


def sniff_delimiter(text: str) -> str | None:
    """Guess the delimiter among ``;``, ``,`` and tab; ``None`` if the text has none of them.

    ``csv.Sniffer`` looks at the consistency of counts over many lines; its guess is checked
    against the header line, because a ``;`` file whose values contain commas ("Stadt Köln, Amt
    für Soziales") can fool it. The delimiter that splits the header into most fields wins.
    """
    sample = text[:_SNIFF_SAMPLE_CHARS]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rfind("\n") + 1]  # whole lines only
    # Count named columns only: "Dear organiser," is prose, not a two-column header. A report's
    # title line ("Registration Report") may stand above the table: the first line with two named
    # columns among the first ``PREAMBLE_LINES`` counts.
    counts = {d: sum(1 for h in _first_record(sample, d) if h.strip()) for d in DELIMITERS}
    for line in sample.splitlines()[1:PREAMBLE_LINES]:
        if max(counts.values()) >= 2:
            break
        counts = {d: sum(1 for h in _first_record(line, d) if h.strip()) for d in DELIMITERS}
    best = max(counts.values())
    if best < 2:
        return None
    try:
        sniffed: str | None = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    if sniffed in counts and counts[sniffed] == best:
        return sniffed
    return next(d for d in DELIMITERS if counts[d] == best)


def _read_csv(path: Path, encoding: str | None, delimiter: str | None) -> RawTable:
    data = path.read_bytes()
    if not data or data.isspace():
        raise UnreadableTable(_("{file} is empty.", file=str(path)))
    if b"\x00" in data[:4096] and not data.startswith(_UTF16_BOMS) and encoding is None:
        raise UnreadableTable(
            _("{file} is not a text table (it contains binary data). Use CSV or XLSX.", file=str(path))
        )
    text, used_encoding = _decode(data, encoding, path)
    if delimiter is None:
        delimiter = sniff_delimiter(text.lstrip("\r\n"))
    if delimiter is None:
        first_line = text.lstrip("\r\n")[:1000].splitlines()[0] if text.strip() else ""
        raise UnreadableTable(
            _(
                "{file} does not look like a table: no ';', ',' or tab separates the columns of its "
                "first line ({line}).",
                file=str(path),
                line=safe_preview(first_line),
            )
        )
    _check_first_line(text, delimiter, path)
    headers, rows, empty, header_row = _parse_csv(text, delimiter, path)
    return RawTable(headers, rows, used_encoding, delimiter, path, empty, header_row=header_row)


class _RecordTooLong(Exception):
    def __init__(self, line: str) -> None:
        self.line = line


class _BoundedLines:
    """The lines of ``text`` for ``csv.reader``, refusing a record longer than ``MAX_RECORD_CHARS``.

    ``csv.reader`` builds a whole record before returning it, so a header line of millions of
    columns would cost gigabytes before any check on the record could run.
    """

    def __init__(self, text: str) -> None:
        self._lines = io.StringIO(text, newline="")
        self.record_chars = 0  # the caller resets it after each record

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.record_chars += len(line)
        if self.record_chars > MAX_RECORD_CHARS:
            raise _RecordTooLong(line)
        return line


def _parse_csv(text: str, delimiter: str, path: Path) -> tuple[list[str], list[RawRow], list[int], int]:
    lines = _BoundedLines(text)
    # strict: a quote that is never closed would otherwise swallow the rest of the file silently.
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    headers: list[str] | None = None
    rows: list[RawRow] = []
    empty: list[int] = []
    number = header_row = 0
    next_line = 1
    try:
        for record in reader:
            lines.record_chars = 0
            number += 1
            line, next_line = next_line, reader.line_num + 1
            if _is_blank(record):
                if headers is not None and number <= MAX_ROWS:
                    empty.append(number)
                continue
            if number > MAX_ROWS:
                raise too_many_rows(path, number)
            _check_width(path, number, record, headers)
            if headers is None:
                headers, header_row = [h.strip() for h in record], number
                continue
            rows.append(RawRow(number, record, line))
    except _RecordTooLong as exc:
        raise _long_record(path, number + 1, exc.line, delimiter, headers) from None
    except csv.Error as exc:
        raise UnreadableTable(
            _(
                "{file}, line {line}: broken quoting ({error}). Check that every opening quote "
                "has a closing quote.",
                file=str(path),
                line=reader.line_num,
                error=str(exc),
            )
        ) from exc
    if headers is None:
        raise UnreadableTable(_("{file} is empty.", file=str(path)))
    return trim_headers(headers), rows, empty, header_row


def _check_first_line(text: str, delimiter: str, path: Path) -> None:
    """Refuse an over-long first line before the parser copies the whole text (fast, little memory)."""
    ends = [
        i
        for i in (text.find("\n", 0, MAX_RECORD_CHARS + 1), text.find("\r", 0, MAX_RECORD_CHARS + 1))
        if i >= 0
    ]
    if ends or len(text) <= MAX_RECORD_CHARS:
        return
    line_end = min((i for i in (text.find("\n"), text.find("\r")) if i >= 0), default=len(text))
    columns = text.count(delimiter, 0, line_end) + 1  # an upper bound: quoted delimiters count too
    raise _long_record(path, 1, text[:4096], delimiter, None, columns)


def _check_width(path: Path, number: int, values: Sequence[str], headers: Sequence[str] | None) -> None:
    """Refuse a row with a value beyond column ``MAX_COLUMNS`` (trailing empty cells do not count)."""
    if len(values) <= MAX_COLUMNS:
        return
    width = len(values)
    while width > MAX_COLUMNS and not values[width - 1].strip():
        width -= 1
    if width > MAX_COLUMNS:
        raise too_many_columns(path, number, width, headers if headers is not None else values)


def _long_record(
    path: Path,
    number: int,
    line: str,
    delimiter: str,
    headers: Sequence[str] | None,
    columns: int | None = None,
) -> BadInput:
    """The error for an over-long CSV record: too many columns if its first line says so."""
    if columns is None:
        columns = line.count(delimiter) + 1  # an upper bound (quoted delimiters count too); cheap
    if columns > MAX_COLUMNS:
        names = headers if headers is not None else _first_record(line[:4096], delimiter)[:-1]
        return too_many_columns(path, number, columns, names)
    return record_too_long(path, number)


# --- XLSX (read in :mod:`orchestrator.registrants.reader_xlsx`) --------------------------


def cell_text(value: object) -> str:
    """An Excel cell as text: dates ISO, whole numbers without ``.0``, empty cells as ``""``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


# --- helpers ---------------------------------------------------------------------------------


def _is_blank(values: Iterable[str]) -> bool:
    return all(not v.strip() for v in values)


def trim_headers(headers: Sequence[str]) -> list[str]:
    """Drop trailing unnamed columns (exporters pad the header line with empty cells)."""
    trimmed = list(headers)
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed
