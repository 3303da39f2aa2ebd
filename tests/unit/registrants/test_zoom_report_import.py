"""Zoom's registration report: the table below the meeting block, and "Approval Status"."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from orchestrator.i18n import language
from orchestrator.registrants import ImportBatch, RawRow, RawTable, build_batch, parse_registrations
from orchestrator.registrants.headers import AmbiguousColumns, MissingColumns
from orchestrator.registrants.parse_approval import parse_approval
from orchestrator.registrants.parse_values import ValueProblem
from orchestrator.registrants.reader import PREAMBLE_LINES, UnreadableTable, read_rows
from tests.support import form_reports as fr

from .conftest import WriteCsv


def _parse(path: Path, **kwargs: object) -> ImportBatch:
    return parse_registrations(path, workshops=fr.WORKSHOPS, **kwargs)  # type: ignore[arg-type]


def test_fixture_is_the_generators_output() -> None:
    assert fr.ZOOM_REPORT.read_bytes() == fr.zoom_registration_report()


def test_zoom_report_imports_the_table_below_the_meeting_block() -> None:
    batch = _parse(fr.ZOOM_REPORT)
    got = [(r.email, r.first_name, r.last_name, r.wishes, r.approval_pending) for r in batch.records]
    want = [(p.email, p.first_name, p.last_name, p.wishes, p.approval_pending) for p in fr.ZOOM_EXPECTED]
    assert got == want
    assert batch.header_row == fr.ZOOM_HEADER_ROW
    assert batch.headers == list(fr.ZOOM_HEADERS)
    assert batch.unmapped_headers == list(fr.ZOOM_UNMAPPED)
    assert batch.warnings == []
    # Row numbers are the file's: the first person is on row 5, after the block and the blank line.
    assert [r.source_row for r in batch.records] == [5, 6, 8, 9, 10]
    assert batch.stats.rows_read == len(fr.ZOOM_ROWS)
    assert batch.stats.empty_rows == 0  # the blank line belongs to the preamble
    assert batch.records[3].notes == "Bitte einen barrierefreien Zugang, danke!"
    assert batch.records[0].organisation == "Stadt Musterstadt – Seniorenbüro"
    assert batch.records[0].job_title == "Quartiersmanagerin"


def test_denied_registrant_is_skipped_with_the_reason() -> None:
    batch = _parse(fr.ZOOM_REPORT)
    (denied,) = batch.rejected
    assert (denied.row, denied.field, denied.column, denied.code) == (
        fr.ZOOM_DENIED_ROW,
        "approval_status",
        "Approval Status",
        "approval_denied",
    )
    assert "joerg.weiss@example.com" not in {r.email for r in batch.records}
    with language("en"):
        assert denied.message == (
            "Row 7, column 'Approval Status': denied in the registration report (approval status); "
            "not imported (value: 'denied')"
        )
    with language("de"):
        assert "abgelehnt" in denied.message
    assert batch.stats.rows_rejected == 1
    assert batch.stats.rejections_by_reason == {"approval_denied": 1}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("approved", "approved"),
        ("Approved", "approved"),
        ("pending", "pending"),
        (" Pending Approval ", "pending"),
        ("denied", "denied"),
        ("Denied/Blocked", "denied"),
        ("genehmigt", "approved"),
        ("ausstehend", "pending"),
        ("abgelehnt", "denied"),
        ("", None),
    ],
)
def test_approval_words(raw: str, expected: str | None) -> None:
    assert parse_approval(raw) == expected


def test_unknown_approval_status_imports_as_pending_with_a_warning() -> None:
    table = RawTable(
        headers=["First Name", "Last Name", "Email", "Approval Status"],
        rows=[RawRow(2, ["Ada", "Lovelace", "ada@example.org", "vielleicht"], 2)],
        encoding="utf-8",
        delimiter=",",
        source=Path("report.csv"),
    )
    batch = build_batch(table, workshops=fr.WORKSHOPS)
    (record,) = batch.records
    assert record.approval_pending is True
    (warning,) = batch.warnings
    assert (warning.row, warning.code, warning.column) == (2, "bad_approval_status", "Approval Status")
    with pytest.raises(ValueProblem):
        parse_approval("vielleicht")


def test_without_an_approval_column_nobody_is_pending(write_csv: WriteCsv) -> None:
    path = write_csv("Vorname;Nachname;E-Mail\nAda;Lovelace;ada@example.org\n")
    (record,) = _parse(path).records
    assert record.approval_pending is False


def test_german_portal_headers_are_recognised(write_csv: WriteCsv) -> None:
    # Assumed headers of Zoom's German web portal (not verified against a real German download).
    path = write_csv(
        "Thema,ID,Startzeit,Dauer (Minuten)\nFachtag,812 3456 7890,27.03.2025 09:00,420\n\n"
        "Vorname,Nachname,E-Mail,Organisation,Berufsbezeichnung,Genehmigungsstatus\n"
        "Ada,Lovelace,ada@example.org,,,genehmigt\nAlan,Turing,alan@example.org,,,ausstehend\n"
        "Grace,Hopper,grace@example.org,,,abgelehnt\n"
    )
    batch = _parse(path)
    assert [(r.email, r.approval_pending) for r in batch.records] == [
        ("ada@example.org", False),
        ("alan@example.org", True),
    ]
    assert [(r.row, r.code) for r in batch.rejected] == [(7, "approval_denied")]


def test_title_line_without_separators_above_the_table(write_csv: WriteCsv) -> None:
    # Some reports start with a bare title line; the delimiter is still found and the table too.
    path = write_csv(
        "Registration Report\nTopic,ID\nFachtag,812\n\nFirst Name,Last Name,Email\nAda,L,a@example.org\n"
    )
    table = read_rows(path)
    assert table.delimiter == ","
    batch = _parse(path)
    assert [(r.email, r.source_row) for r in batch.records] == [("a@example.org", 6)]
    assert batch.header_row == 5


def test_row_numbers_in_errors_are_the_files(write_csv: WriteCsv) -> None:
    path = write_csv(
        "Topic,ID,Start Time\nFachtag,812,heute\n\nFirst Name,Last Name,Email\nAda,L,not-an-address\n"
    )
    (rejected,) = _parse(path).rejected
    assert (rejected.row, rejected.code) == (5, "invalid_email")


def test_no_row_qualifies_keeps_the_clear_error(write_csv: WriteCsv) -> None:
    path = write_csv("Topic,ID,Start Time,Duration (Minutes)\nFachtag,812,heute,420\n\nFoo,Bar\n1,2\n")
    with pytest.raises(MissingColumns) as caught:
        _parse(path)
    assert caught.value.seen == ["Topic", "ID", "Start Time", "Duration (Minutes)"]


def test_header_beyond_the_searched_rows_is_not_taken(write_csv: WriteCsv) -> None:
    filler = "".join(f"note {i},x\n" for i in range(PREAMBLE_LINES + 1))
    path = write_csv(f"Topic,ID\n{filler}First Name,Last Name,Email\nAda,L,a@example.org\n")
    with pytest.raises(MissingColumns):
        _parse(path)


def test_map_names_a_column_of_the_table_below_the_preamble(write_csv: WriteCsv) -> None:
    path = write_csv("Topic,ID\nFachtag,812\n\nFirst Name,Last Name,Mail privat\nAda,L,a@example.org\n")
    batch = _parse(path, overrides={"Mail privat": "email"})
    assert [r.email for r in batch.records] == ["a@example.org"]


def test_ambiguous_columns_below_a_preamble_are_reported(write_csv: WriteCsv) -> None:
    path = write_csv(
        "Topic,ID\nFachtag,812\n\nFirst Name,Last Name,Email,E-Mail\nAda,L,a@example.org,b@example.org\n"
    )
    with pytest.raises(AmbiguousColumns):
        _parse(path)


def test_xlsx_report_with_a_preamble(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Topic", "ID", "Start Time", "Duration (Minutes)"])
    sheet.append(["Fachtag", "812 3456 7890", "Mar 27, 2025 09:00 AM", 420])
    sheet.append([])
    sheet.append(["First Name", "Last Name", "Email", "Approval Status"])
    sheet.append(["Ada", "Lovelace", "ada@example.org", "pending"])
    sheet.append(["Alan", "Turing", "alan@example.org", "denied"])
    path = tmp_path / "report.xlsx"
    workbook.save(path)
    batch = _parse(path)
    assert [(r.email, r.source_row, r.approval_pending) for r in batch.records] == [
        ("ada@example.org", 5, True)
    ]
    assert [(r.row, r.code) for r in batch.rejected] == [(6, "approval_denied")]


def test_plain_export_is_unchanged(write_csv: WriteCsv) -> None:
    path = write_csv("Vorname;Nachname;E-Mail\n\nAda;Lovelace;ada@example.org\n")
    batch = _parse(path)
    assert batch.header_row == 1
    assert batch.stats.empty_rows == 1
    assert [r.source_row for r in batch.records] == [3]


def test_not_a_table_is_still_refused(write_csv: WriteCsv) -> None:
    with pytest.raises(UnreadableTable):
        read_rows(write_csv("Registration Report\n\nnothing here\n"))
