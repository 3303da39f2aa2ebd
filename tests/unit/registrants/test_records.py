"""Validation, normalisation and merging of rows (pure: tables built in memory)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest

from orchestrator.i18n import language
from orchestrator.registrants import ImportBatch, RawRow, RawTable, build_batch

from .conftest import WORKSHOPS

HEADERS = ["Vorname", "Nachname", "E-Mail", "Organisation", "Workshop-Wunsch 1", "Workshop-Wunsch 2",
           "Workshop-Wunsch 3", "Datenschutz akzeptiert", "Angemeldet am", "Sprache",
           "Bemerkungen"]  # fmt: skip


def row(first: str = "Anna", last: str = "Lee", email: str = "anna@example.org", org: str = "",
        w1: str = "", w2: str = "", w3: str = "", consent: str = "ja", at: str = "", lang: str = "",
        notes: str = "") -> list[str]:  # fmt: skip
    return [first, last, email, org, w1, w2, w3, consent, at, lang, notes]


def parse(
    *rows: list[str], headers: Sequence[str] = HEADERS, workshops: Sequence[str] = WORKSHOPS
) -> ImportBatch:
    table = RawTable(
        headers=list(headers),
        rows=[RawRow(number, values, number) for number, values in enumerate(rows, start=2)],
        encoding="utf-8",
        delimiter=";",
        source=Path("test.csv"),
    )
    return build_batch(table, workshops=workshops)


def test_wishes_match_tolerantly_and_collapse() -> None:
    batch = parse(
        row(w1="kuemmerei koeln", w2="ALIA - Agil leben im Alter", w3="KÜMMEREI  KÖLN"),
        row(
            email="b@example.org",
            w1="",
            w2="  caring community köln ",
            w3="Wohnen statt Unterbringung — reloaded",
        ),
    )
    assert batch.rejected == []
    first, second = batch.records
    assert first.wishes == ("Kümmerei Köln", "ALIA – Agil leben im Alter")
    assert second.wishes == ("Caring Community Köln", "Wohnen statt Unterbringung – reloaded")


def test_unknown_wish_is_rejected_with_a_hint() -> None:
    batch = parse(
        row(w1="Kümerei Köln"), row(email="b@example.org", w2="ALIA"), row(email="c@example.org", w3="Yoga")
    )
    assert batch.records == []
    typo, abbreviation, unknown = batch.rejected
    assert (typo.row, typo.field, typo.column, typo.code) == (
        2,
        "wish_1",
        "Workshop-Wunsch 1",
        "unknown_wish",
    )
    assert typo.reason == "matches no workshop of the agenda; did you mean 'Kümmerei Köln'?"
    assert abbreviation.hints == ("ALIA – Agil leben im Alter",)
    assert unknown.hints == WORKSHOPS
    assert unknown.reason.startswith(
        "matches no workshop of the agenda (workshops: 'ALIA – Agil leben im Alter', "
    )
    assert typo.message == (
        "Row 2, column 'Workshop-Wunsch 1': matches no workshop of the agenda; did you mean "
        "'Kümmerei Köln'? (value: 'Kümerei Köln')"
    )
    with language("de"):
        assert typo.reason == "passt zu keinem Workshop der Agenda; meinten Sie 'Kümmerei Köln'?"


def test_rooms_that_fold_alike_only_match_exactly() -> None:
    rooms = ("Raum A", "Raum-A")
    batch = parse(row(w1="Raum-A"), row(email="b@example.org", w1="raum a"), workshops=rooms)
    assert batch.records[0].wishes == ("Raum-A",)
    assert batch.rejected[0].code == "unknown_wish"
    assert set(batch.rejected[0].hints) == set(rooms)


def test_duplicates_merge_and_the_later_row_wins() -> None:
    batch = parse(
        row(email="  Anna.Lee@EXAMPLE.org ", org="Alt e.V.", w1="Kümmerei Köln"),
        row(first="Bea", email="bea@example.org"),
        row(email="anna.lee@example.org", org="", w1="Caring Community Köln", lang="English"),
    )
    assert [r.email for r in batch.records] == ["anna.lee@example.org", "bea@example.org"]
    anna = batch.records[0]
    assert anna.source_row == 4
    assert anna.organisation is None  # the whole later row wins, including its empty cells
    assert anna.wishes == ("Caring Community Köln",)
    assert anna.language == "en"
    assert [(m.email, m.rows, m.kept_row) for m in batch.merges] == [("anna.lee@example.org", [2, 4], 4)]
    assert batch.stats.merged_rows == 1 and batch.stats.people == 2
    assert batch.merges[0].message == (
        "Rows 2, 4 have the same e-mail address anna.lee@example.org; they are one person and row 4 "
        "(the last one) is used."
    )


def test_a_rejected_duplicate_is_not_a_merge() -> None:
    batch = parse(row(), row(last="", email="ANNA@example.org"))
    assert batch.merges == []
    assert batch.records[0].source_row == 2
    assert [(r.row, r.code) for r in batch.rejected] == [(3, "missing_name")]


def test_unicode_names_are_unchanged() -> None:
    decomposed = "Rene\u0301e"  # e + combining acute: must not be re-composed either
    batch = parse(
        row(first="Małgorzata", last="Dąbrowski", email="m@example.org"),
        row(first=decomposed, last="Öztürk", email="r@example.org"),
        row(first=" Zoë ", last="Yılmaz", email="z@example.org"),
    )
    assert [(r.first_name, r.last_name) for r in batch.records] == [
        ("Małgorzata", "Dąbrowski"),
        (decomposed, "Öztürk"),
        ("Zoë", "Yılmaz"),
    ]


@pytest.mark.parametrize(
    ("values", "column", "preview"),
    [
        (row(last="Evil\r\nBcc: victim@example.com"), "Nachname", r"'Evil\r\nBcc: victim@example.com'"),
        (row(first="Anna\nCc: x@example.org"), "Vorname", r"'Anna\nCc: x@example.org'"),
        (row(org="ACME\u2028Bcc: x"), "Organisation", r"'ACME\u2028Bcc: x'"),
        (row(first="An\x00na"), "Vorname", r"'An\x00na'"),
        (row(first="Anna\t"), "Vorname", r"'Anna\t'"),
        (row(last="Lee\x85"), "Nachname", r"'Lee\x85'"),
        (row(email="a@example.org\r\nBcc: v@x.org"), "E-Mail", r"'a@example.org\r\nBcc: v@x.org'"),
    ],
)  # fmt: skip
def test_header_injection_is_rejected_and_not_echoed(values: list[str], column: str, preview: str) -> None:
    batch = parse(values)
    assert batch.records == []
    (rejected,) = batch.rejected
    assert (rejected.column, rejected.code) == (column, "control_characters")
    assert rejected.value_preview_safe == preview
    for lang in ("en", "de"):
        with language(lang):
            text = rejected.message
            assert not any(c in text for c in "\r\n\t\x00\x85\u2028"), text
            assert preview in text


def test_notes_may_have_line_breaks() -> None:
    batch = parse(row(notes="Rollstuhl.\r\nBitte Untertitel."))
    assert batch.records[0].notes == "Rollstuhl.\nBitte Untertitel."


@pytest.mark.parametrize("value", ["ja", "Ja", "yes", "TRUE", "1", "x", "X", "✓", " ja "])
def test_consent_given(value: str) -> None:
    assert parse(row(consent=value)).records[0].consent is True


@pytest.mark.parametrize(
    ("value", "code"),
    [("nein", "consent_missing"), ("", "consent_missing"), ("0", "consent_missing"),
     ("vielleicht", "bad_consent")],
)  # fmt: skip
def test_consent_missing_or_unreadable(value: str, code: str) -> None:
    batch = parse(row(consent=value))
    assert batch.records == []
    assert [(r.column, r.code) for r in batch.rejected] == [("Datenschutz akzeptiert", code)]
    if code == "consent_missing":
        assert batch.rejected[0].reason == "privacy consent not given"


def test_no_consent_column_means_unknown() -> None:
    headers = ["Vorname", "Nachname", "E-Mail"]
    assert parse(["Anna", "Lee", "anna@example.org"], headers=headers).records[0].consent is None


def test_email_problems() -> None:
    batch = parse(row(email=""), row(email="a@b"), row(email="jürgen@müller-example.de"),
                  row(email="Ann.Lee@Müller-Example.de"))  # fmt: skip
    assert [(r.row, r.code) for r in batch.rejected] == [
        (2, "missing_email"),
        (3, "invalid_email"),
        (4, "invalid_email"),
    ]
    assert batch.rejected[0].reason == "the e-mail address is missing"
    assert "non-ASCII characters before the @" in batch.rejected[2].reason
    (idn,) = batch.records  # an international domain name is fine
    assert idn.email == "ann.lee@xn--mller-example-wob.de"
    assert idn.email_display == "Ann.Lee@müller-example.de"


def test_every_problem_of_a_row_is_reported_but_the_row_counts_once() -> None:
    batch = parse(row(first="", email="nope", consent="nein", w1="Yoga"))
    assert [r.code for r in batch.rejected] == [
        "invalid_email",
        "missing_name",
        "consent_missing",
        "unknown_wish",
    ]
    assert batch.stats.rows_rejected == 1
    assert batch.stats.rejections_by_reason == {"invalid_email": 1, "missing_name": 1, "consent_missing": 1,
                                                "unknown_wish": 1}  # fmt: skip


def test_single_name_column_is_split() -> None:
    headers = ["Name", "E-Mail"]
    batch = parse(["Dieter Van der Berg", "d@example.org"], ["Weiß, Karl-Heinz", "k@example.org"],
                  ["Cher", "c@example.org"], headers=headers)  # fmt: skip
    assert [(r.first_name, r.last_name) for r in batch.records] == [
        ("Dieter", "Van der Berg"),
        ("Karl-Heinz", "Weiß"),
    ]
    assert [(r.row, r.column, r.code) for r in batch.rejected] == [(4, "Name", "missing_name")]


def test_row_with_more_values_than_headers_is_rejected() -> None:
    batch = parse([*row(), "", ""], [*row(email="b@example.org"), "Amt für Soziales"])
    assert [r.source_row for r in batch.records] == [2]
    (rejected,) = batch.rejected
    assert (rejected.row, rejected.field, rejected.code) == (3, None, "extra_values")
    assert rejected.message == (
        "Row 3: the row has 12 values but the header has 11 columns (a separator inside an unquoted value?)"
    )


def test_short_rows_are_padded() -> None:
    batch = parse(["Anna", "Lee", "anna@example.org", "", "", "", "", "ja"])
    assert batch.records[0].registered_at is None and batch.rejected == []


def test_timestamps_and_language() -> None:
    batch = parse(
        row(email="a@example.org", at="02.12.2025 09:01", lang="Deutsch"),
        row(email="b@example.org", at="2025-07-02T09:01:00+02:00", lang="en"),
        row(email="c@example.org", at="2.7.25", lang=""),
        row(email="d@example.org", at="gestern", lang="Klingonisch"),
    )
    assert [r.registered_at for r in batch.records] == [
        dt.datetime(2025, 12, 2, 8, 1, tzinfo=dt.UTC),  # CET
        dt.datetime(2025, 7, 2, 7, 1, tzinfo=dt.UTC),
        dt.datetime(2025, 7, 1, 22, 0, tzinfo=dt.UTC),
        None,
    ]
    assert [r.language for r in batch.records] == ["de", "en", None, None]
    assert [(w.row, w.code) for w in batch.warnings] == [(5, "bad_timestamp"), (5, "bad_language")]
    assert batch.stats.warnings == 2 and batch.rejected == []
    with language("de"):
        assert batch.warnings[0].message == (
            "Zeile 5, Spalte 'Angemeldet am': Datum nicht erkannt "
            "(erwartet: TT.MM.JJJJ HH:MM oder ISO 8601); ohne Datum importiert (Wert: 'gestern')"
        )


def test_previews_are_shortened() -> None:
    batch = parse(row(email="x" * 200))
    assert len(batch.rejected[0].value_preview_safe) == 62
    assert batch.rejected[0].value_preview_safe.endswith("…'")
