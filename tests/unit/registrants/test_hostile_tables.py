"""Hostile registration exports are refused (or read) fast, with little memory and a clear message.

Each hostile file is read in a child process that reports its time and peak memory, so a
regression shows as a failed bound instead of a test run that hangs for half an hour (the lying
dimension took about 30 CPU-minutes before the fix).
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from orchestrator.registrants import UnreadableTable, read_rows
from orchestrator.registrants.table_limits import (
    MAX_ARCHIVE_MEMBERS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    TableTooLarge,
)

from . import hostile_files as hostile

REPO = Path(__file__).resolve().parents[3]
_CHILD = """
import json, sys, time
from pathlib import Path
from orchestrator.i18n import set_language
from orchestrator.registrants.reader import read_rows
set_language("en")
started = time.perf_counter()
try:
    table = read_rows(Path(sys.argv[1]))
    outcome = {"rows": [r.values for r in table.rows], "headers": table.headers}
except Exception as exc:
    outcome = {"error": type(exc).__name__, "message": str(exc)}
outcome["seconds"] = time.perf_counter() - started
# VmHWM, not ru_maxrss: the latter keeps the parent's high-water mark across fork and exec.
status = Path("/proc/self/status").read_text()
outcome["peak_mb"] = int(status.split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps(outcome))
"""
# Generous bounds for a loaded test machine; before the fix the figures were 30 CPU-minutes
# (dimension), 685 MB (zip bomb), 545 MB (wide header) and 5 s (a million empty rows).
SECONDS = 5.0
PEAK_MB = 150.0


def read_in_child(path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout)
    assert result["seconds"] < SECONDS, result
    assert result["peak_mb"] < PEAK_MB, result
    return result


def test_a_lying_dimension_costs_nothing(tmp_path: Path) -> None:
    path = hostile.lying_dimension(tmp_path / "dimension.xlsx")
    assert path.stat().st_size < 4096
    result = read_in_child(path)
    assert result["headers"] == list(hostile.HEADER)
    assert result["rows"] == [["Ada", "Lovelace", "ada@example.org"]]


def test_a_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    path = hostile.zip_bomb(tmp_path / "bomb.xlsx", 315 * 1024 * 1024)
    assert path.stat().st_size < 400_000
    result = read_in_child(path)
    assert result["error"] == "TableTooLarge"
    assert "bomb.xlsx" in result["message"] and f"{MAX_UNPACKED_BYTES // 2**20} MB" in result["message"]
    assert "xl/worksheets/sheet1.xml" in result["message"]


def test_a_member_compressed_like_a_bomb_is_refused(tmp_path: Path) -> None:
    path = hostile.zip_bomb(tmp_path / "dense.xlsx", 30 * 1024 * 1024)  # under the size cap
    with pytest.raises(TableTooLarge, match=r"dense\.xlsx.*compressed more than 200:1"):
        read_rows(path)


def test_too_many_archive_members_are_refused(tmp_path: Path) -> None:
    path = hostile.lying_dimension(tmp_path / "many.xlsx")
    with zipfile.ZipFile(path, "a") as archive:
        for number in range(MAX_ARCHIVE_MEMBERS):
            archive.writestr(f"xl/media/pad{number}.txt", "")
    with pytest.raises(TableTooLarge, match=rf"many\.xlsx.*at most {MAX_ARCHIVE_MEMBERS:,} are accepted"):
        read_rows(path)


def test_a_million_empty_rows_are_refused_fast(tmp_path: Path) -> None:
    path = hostile.empty_rows(tmp_path / "empty.xlsx", 1_048_574)
    result = read_in_child(path)
    assert result["error"] == "TableTooLarge"
    assert f"at most {MAX_ROWS:,} rows" in result["message"] and "empty.xlsx" in result["message"]


def test_empty_rows_within_the_limit_are_counted_and_data_after_them_is_read(tmp_path: Path) -> None:
    path = hostile.empty_rows(tmp_path / "gaps.xlsx", 300, data_at=1_000)
    table = read_rows(path)
    assert [r.number for r in table.rows] == [2, 1_000]
    assert len(table.empty_rows) == 1_000 - 3  # rows 3..999: stored empty ones and missing ones


def test_a_value_below_the_row_limit_is_refused(tmp_path: Path) -> None:
    path = hostile.empty_rows(tmp_path / "late.xlsx", 10, data_at=MAX_ROWS + 1)
    with pytest.raises(
        TableTooLarge, match=rf"late\.xlsx, row {MAX_ROWS + 1:,}: .* at most {MAX_ROWS:,} rows"
    ):
        read_rows(path)


def test_a_value_in_column_xfd_is_refused_naming_the_limit(tmp_path: Path) -> None:
    far = '<c r="XFD2" t="inlineStr"><is><t>x</t></is></c>'
    sheet = (
        hostile.row_xml(1, hostile.HEADER)
        + f'<row r="2"><c r="A2" t="inlineStr"><is><t>Ada</t></is></c>{far}</row>'
    )
    path = hostile.write_workbook(
        tmp_path / "far.xlsx", [hostile._SHEET_HEAD, "<sheetData>", sheet, "</sheetData></worksheet>"]
    )
    with pytest.raises(TableTooLarge, match=rf"far\.xlsx, row 2: 16,384 columns; .* at most {MAX_COLUMNS}\."):
        read_rows(path)


def test_empty_formatted_cells_far_right_are_ignored(tmp_path: Path) -> None:
    styled = "".join(f'<c r="{hostile.column_letter(c)}2" s="0"/>' for c in range(4, 16_385, 97))
    sheet = (
        hostile.row_xml(1, hostile.HEADER)
        + f'<row r="2"><c r="A2" t="inlineStr"><is><t>Ada</t></is></c>{styled}</row>'
    )
    path = hostile.write_workbook(
        tmp_path / "styled.xlsx", [hostile._SHEET_HEAD, "<sheetData>", sheet, "</sheetData></worksheet>"]
    )
    assert read_rows(path).rows[0].values == ["Ada"]


def test_a_row_of_a_million_cells_is_refused(tmp_path: Path) -> None:
    # Varied style ids: compresses like a real sheet, so only the per-row cell limit can stop it.
    row = '<row r="2">' + "".join(f'<c s="{i % 997}"/>' for i in range(1_000_000)) + "</row>"
    path = hostile.write_workbook(
        tmp_path / "cells.xlsx",
        [
            hostile._SHEET_HEAD,
            "<sheetData>",
            hostile.row_xml(1, hostile.HEADER),
            row,
            "</sheetData></worksheet>",
        ],
    )
    result = read_in_child(path)
    assert result["error"] == "TableTooLarge" and "16,384 per row" in result["message"]


def test_broken_sheet_xml_is_unreadable_not_a_crash(tmp_path: Path) -> None:
    path = hostile.write_workbook(tmp_path / "broken.xlsx", [hostile._SHEET_HEAD, "<sheetData><row r='x1'>"])
    with pytest.raises(UnreadableTable, match=r"broken\.xlsx cannot be read as an Excel workbook"):
        read_rows(path)


def test_a_header_line_of_millions_of_columns_is_refused_fast(tmp_path: Path) -> None:
    path = hostile.wide_csv(tmp_path / "wide.csv", 4_700_000)
    result = read_in_child(path)
    assert result["error"] == "TableTooLarge"
    message = result["message"]
    assert "wide.csv, row 1: 4,700,003 columns" in message and f"at most {MAX_COLUMNS}" in message
    assert "'Vorname', 'Nachname', 'E-Mail', 'c0', 'c1' and 4,699,998 more" in message
    assert len(message) < 400


def test_a_header_of_too_many_columns_names_only_a_few(tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text(";".join(f"Spalte {i}" for i in range(250)) + "\r\na;b\r\n", encoding="utf-8")
    with pytest.raises(TableTooLarge) as caught:
        read_rows(path)
    assert str(caught.value).endswith(
        "Columns: 'Spalte 0', 'Spalte 1', 'Spalte 2', 'Spalte 3', 'Spalte 4' and 245 more"
    )


def test_csv_values_beyond_the_column_limit_are_refused_trailing_separators_are_not(tmp_path: Path) -> None:
    padded = tmp_path / "padded.csv"
    padded.write_text("Vorname;Nachname;E-Mail\r\nAda;Lovelace;ada@example.org" + ";" * 500 + "\r\n")
    assert read_rows(padded).rows[0].values[:3] == ["Ada", "Lovelace", "ada@example.org"]
    wide = tmp_path / "widerow.csv"
    wide.write_text("Vorname;Nachname;E-Mail\r\nAda;Lovelace;ada@example.org" + ";" * 300 + "x\r\n")
    with pytest.raises(
        TableTooLarge, match=r"widerow\.csv, row 2: 303 columns.*Columns: 'Vorname', 'Nachname', 'E-Mail'"
    ):
        read_rows(wide)


def test_csv_rows_beyond_the_row_limit_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    lines = ["Vorname;Nachname;E-Mail", *(f"A{i};B;a{i}@example.org" for i in range(MAX_ROWS))]
    path.write_text("\r\n".join(lines) + "\r\n" + "\r\n" * 50_000)  # trailing blank lines are fine
    with pytest.raises(TableTooLarge, match=rf"long\.csv, row {MAX_ROWS + 1:,}: the import reads at most"):
        read_rows(path)
    path.write_text("\r\n".join(lines[:-1]) + "\r\n" + "\r\n" * 50_000)
    assert len(read_rows(path).rows) == MAX_ROWS - 1


def test_an_overlong_csv_record_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "note.csv"
    long_note = '"' + "x\n" * 60_000 + '"'  # under csv's field limit; ten of them are not
    path.write_text("Vorname;Nachname;E-Mail\r\nAda;Lovelace;" + ";".join([long_note] * 10) + "\r\n")
    with pytest.raises(TableTooLarge, match=r"note\.csv, row 2: the row is longer than 1,000,000 characters"):
        read_rows(path)
