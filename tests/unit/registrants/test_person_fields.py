"""One set of field checks for every way a person gets into the store, and safe CSV cells on the way out."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from orchestrator.attendance.export import attendance_csv
from orchestrator.attendance.intervals import Interval
from orchestrator.attendance.minutes import AttendanceReport, PersonAttendance
from orchestrator.breakouts.export import roster_csv, zoom_csv
from orchestrator.breakouts.payload import ZoomRoom
from orchestrator.breakouts.roster import RosterLine, RosterRoom
from orchestrator.csv_cells import csv_address, csv_cell
from orchestrator.i18n import language
from orchestrator.ids import parse_store_id
from orchestrator.registrants import RawRow, RawTable, build_batch
from orchestrator.registrants.parse_text import safe_preview, single_line_problem
from orchestrator.registrants.person_fields import PersonRefused, check_zoom_person

from .conftest import WORKSHOPS

BIDI = [
    "\u202e",
    "\u202a",
    "\u2066",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
    "\u200b",
    "\ufeff",
    "\U000e0041",
]


@pytest.mark.parametrize("char", BIDI, ids=lambda c: f"U+{ord(c):04X}")
def test_invisible_format_characters_are_refused_joiners_are_not(char: str) -> None:
    assert single_line_problem(f"Ann{char}a") == "format_characters"
    assert single_line_problem("Ali\u200cReza") is None  # ZWNJ: Persian
    assert single_line_problem("👩\u200d💻") is None  # ZWJ: emoji sequences
    assert single_line_problem("Zoë Łukasiewicz-Öztürk") is None
    assert "\\u" in safe_preview(f"x{char}y") or "\\U" in safe_preview(f"x{char}y")  # shown escaped


def import_rows(*rows: list[str]) -> tuple[list[str], list[tuple[int, str | None, str, str]]]:
    table = RawTable(
        headers=["Vorname", "Nachname", "E-Mail", "Organisation", "Funktion"],
        rows=[RawRow(n, values, n) for n, values in enumerate(rows, start=2)],
        encoding="utf-8",
        delimiter=";",
        source=Path("test.csv"),
    )
    batch = build_batch(table, workshops=WORKSHOPS)
    return [r.email for r in batch.records], [(r.row, r.field, r.code, r.reason) for r in batch.rejected]


def test_the_import_refuses_bidi_controls_in_names_and_organisation() -> None:
    with language("en"):
        kept, rejected = import_rows(
            ["Anna", "Lee\u202egnp.exe", "anna@example.org", "", ""],
            ["Ben", "Berg", "ben@example.org", "Stadt\u200bKöln", ""],
            ["Cem", "Çelik", "cem@example.org", "Caritas", "Leitung\u2066"],
            ["Dana", "Dorn", "dana@example.org", "Diakonie", ""],
        )
    assert kept == ["dana@example.org"]
    assert [(row, field, code) for row, field, code, _reason in rejected] == [
        (2, "last_name", "format_characters"),
        (3, "organisation", "format_characters"),
        (4, "job_title", "format_characters"),
    ]
    assert "right-to-left override" in rejected[0][3]


@pytest.mark.parametrize("address", ["=1+2@example.org", '=HYPERLINK("http://x")@example.org'])
def test_the_import_refuses_addresses_starting_like_a_formula(address: str) -> None:
    with language("de"):
        kept, rejected = import_rows(["Anna", "Lee", address, "", ""])
    assert kept == []
    assert [(field, code) for _row, field, code, _reason in rejected] == [("email", "invalid_email")]
    assert "Formel" in rejected[0][3]


def test_addresses_starting_with_plus_or_minus_are_real_and_accepted() -> None:
    kept, rejected = import_rows(
        ["Anna", "Lee", "+tag@example.org", "", ""], ["Ben", "B", "-x@example.org", "", ""]
    )
    assert (kept, rejected) == (["+tag@example.org", "-x@example.org"], [])


@pytest.mark.parametrize(
    ("email", "first", "last", "field", "reason"),
    [
        ("a@example.org", "Eve\r\nBcc: x@y.z", "E", "first_name", "control_characters"),
        ("a@example.org", "Eve", "\u202eEvans", "last_name", "format_characters"),
        ("not an email\r\nbcc: x@y.z", "Eve", "E", "email", "control_characters"),
        ("=1+2@example.org", "Eve", "E", "email", "formula_prefix"),
        ("zwölf@example.org", "Eve", "E", "email", "non_ascii_local_part"),
        ("no-at-sign", "Eve", "E", "email", "invalid_email"),
    ],
)
def test_zoom_people_get_the_import_checks(
    email: str, first: str, last: str, field: str, reason: str
) -> None:
    with pytest.raises(PersonRefused) as caught:
        check_zoom_person(email, first, last)
    assert (caught.value.field, caught.value.reason) == (field, reason)
    assert email not in caught.value.note and first not in caught.value.note  # no personal data


def test_a_valid_zoom_person_is_stripped_and_normalised() -> None:
    person = check_zoom_person(" Anna.Lee@Example.ORG ", " Anna ", "Lee ")
    assert (person.email.identity, person.first_name, person.last_name) == (
        "anna.lee@example.org",
        "Anna",
        "Lee",
    )


@pytest.mark.parametrize("value", ["=1+2", "+49 221", "-5", "@sum", "\tx", "\rx", "\nx"])
def test_csv_cells_starting_like_a_formula_are_neutralised(value: str) -> None:
    assert csv_cell(value) == "'" + value
    assert csv_cell("Anna") == "Anna" and csv_cell(None) == "" and csv_cell(90) == "90"


def test_every_csv_export_neutralises_the_address_cell() -> None:
    now = datetime(2025, 8, 27, 12, tzinfo=UTC)
    person = PersonAttendance(
        person_id=1,
        email="=1+2@example.org",  # stored before the import refused it
        first_name="Anna",
        last_name="Lee",
        organisation="-",
        language="de",
        minutes=90,
        first_join=now,
        last_leave=now,
    )
    report = AttendanceReport(
        event_key="k",
        windows=[Interval(now, now)],
        meeting_ended=True,
        people=[person],
        guests=0,
        guest_minutes=0,
    )
    attendance = list(
        csv.reader(
            io.StringIO(attendance_csv(report, timezone="UTC", min_minutes=1).lstrip("\ufeff")), delimiter=";"
        )
    )
    assert attendance[1][:4] == ["'=1+2@example.org", "Anna", "Lee", "'-"]

    zoom = list(
        csv.reader(io.StringIO(zoom_csv([ZoomRoom("+Raum", ("=1+2@example.org", "+tag@example.org"))])))
    )
    # Zoom must still match a legal "+tag" address; "=" cannot be one worth keeping.
    assert zoom[1:] == [["'+Raum", "'=1+2@example.org"], ["'+Raum", "+tag@example.org"]]
    assert csv_address("a@example.org") == "a@example.org"

    roster = roster_csv([RosterRoom("@Raum", 5, [RosterLine("participant", "=Eve", "+Org")])])
    assert list(csv.reader(io.StringIO(roster), delimiter=";"))[1] == [
        "'@Raum",
        "Participant",
        "'=Eve",
        "'+Org",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("123", 123),
        ("000123", 123),
        ("9" * 18, 10**18 - 1),
        (85746065432, 85746065432),
        ("²³", None),
        ("²", None),
        ("١٢٣", None),  # Arabic-Indic digits: isdigit() is True
        ("1" * 19, None),
        ("1" * 20, None),
        (10**18, None),
        (-1, None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1\n", None),
        ("1_000", None),
        ("", None),
        (True, None),
        (1.0, None),
        (None, None),
    ],
)
def test_store_ids_are_1_to_18_ascii_digits(value: object, expected: int | None) -> None:
    assert parse_store_id(value) == expected
