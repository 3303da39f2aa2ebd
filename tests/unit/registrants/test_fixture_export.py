"""The organiser's real-shaped export: every row accounted for, with counts worked out by hand.

Expected figures come from reading the file, not from running the parser:
- 249 text lines = header + 246 registrations; FT25-0123 and FT25-0184 each span two lines
  (a quoted last name "Evil\\r\\nBcc: victim@example.com").
- Rejected (5 rows): invalid e-mail ×3 — FT25-0104 "a@b" (row 105) and FT25-0066 / FT25-0203
  "jürgen@müller-example.de " (rows 67 and 204; non-ASCII before the @, refused by policy);
  header injection ×2 — FT25-0123 (row 124) and FT25-0184 (row 185, text line 186).
  No missing names, all consent values are "ja", every non-empty wish is an exact room name.
- Duplicates among the 241 accepted rows (upper case and surrounding spaces): 6 pairs →
  rows 12+222, 28+244, 40+172, 41+225, 53+141, 226+232 → 235 people, 6 merged rows.
- 4 rows have no wishes at all: FT25-0075, -0097, -0105, -0169.
"""

from __future__ import annotations

import datetime as dt

import pytest

from orchestrator.i18n import language
from orchestrator.registrants import ImportBatch, parse_registrations

from .conftest import FIXTURE_CSV, WORKSHOPS


@pytest.fixture(scope="module")
def batch() -> ImportBatch:
    return parse_registrations(FIXTURE_CSV, workshops=WORKSHOPS)


def test_dialect_is_detected(batch: ImportBatch) -> None:
    assert batch.encoding == "utf-8-sig"
    assert batch.delimiter == ";"
    assert batch.headers[0] == "Anmeldung-Nr."  # BOM not glued to the first header
    assert batch.unmapped_headers == []


def test_counts(batch: ImportBatch) -> None:
    stats = batch.stats
    assert stats.rows_read == 246
    assert stats.empty_rows == 0
    assert stats.rows_rejected == 5
    assert stats.rows_accepted == 241
    assert stats.people == 235
    assert len(batch.records) == 235
    assert stats.merged_rows == 6
    assert len(batch.merges) == 6
    assert stats.rejections_by_reason == {"invalid_email": 3, "control_characters": 2}
    assert stats.rows_read == stats.rows_rejected + stats.people + stats.merged_rows


def test_rejected_rows_name_row_field_and_reason(batch: ImportBatch) -> None:
    got = [(r.row, r.line, r.column, r.code) for r in batch.rejected]
    assert got == [
        (67, 67, "E-Mail", "invalid_email"),
        (105, 105, "E-Mail", "invalid_email"),
        (124, 124, "Nachname", "control_characters"),
        (185, 186, "Nachname", "control_characters"),
        (204, 206, "E-Mail", "invalid_email"),
    ]
    for rejected in batch.rejected:
        assert "\n" not in rejected.message and "\r" not in rejected.message
    injection = batch.rejected[3]
    assert injection.value_preview_safe == r"'Evil\r\nBcc: victim@example.com'"
    assert injection.message.startswith("Row 185 (line 186), column 'Nachname': contains a line break")


def test_injection_rows_are_not_imported_under_any_address(batch: ImportBatch) -> None:
    emails = {r.email for r in batch.records}
    assert "anna.mueller207@example.com" not in emails
    assert "ute.oconnor128@example.com" not in emails
    assert all("\n" not in r.last_name and "\r" not in r.last_name for r in batch.records)


def test_merges_keep_the_later_row(batch: ImportBatch) -> None:
    assert [(m.rows, m.kept_row) for m in batch.merges] == [
        ([12, 222], 222),
        ([28, 244], 244),
        ([40, 172], 172),
        ([41, 225], 225),
        ([53, 141], 141),
        ([226, 232], 232),
    ]
    by_email = {r.email: r for r in batch.records}
    katrin = by_email["katrin.schroeder21@example.net"]
    assert katrin.source_row == 244
    assert katrin.external_ref == "FT25-0243"
    assert katrin.registered_at == dt.datetime(2025, 7, 20, 9, 3, tzinfo=dt.UTC)  # 11:03 CEST
    # The upper-case, space-padded first row did not leave its spelling behind.
    assert katrin.email_display == "katrin.schroeder21@example.net"


def test_records_are_normalised(batch: ImportBatch) -> None:
    first = batch.records[0]
    assert first.email == "elif.fuss122@example.net"
    assert (first.first_name, first.last_name) == ("Elif", "Fuß")
    assert first.organisation == "Diakonie Münster"
    assert first.job_title == "Wohlfahrtsverband"
    assert first.wishes == (
        "Wohnen statt Unterbringung – reloaded",
        "Caring Community Köln",
        "Kommunale Sorgestrukturen",
    )
    assert first.consent is True
    assert first.external_ref == "FT25-0001"
    assert first.registered_at == dt.datetime(2025, 7, 2, 7, 1, tzinfo=dt.UTC)
    assert first.language is None and first.notes is None
    assert first.source_row == 2
    no_wishes = sorted(r.external_ref or "" for r in batch.records if not r.wishes)
    assert no_wishes == ["FT25-0075", "FT25-0097", "FT25-0105", "FT25-0169"]
    # 11 rows have no organisation; one of them (FT25-0123) is rejected.
    assert sum(1 for r in batch.records if r.organisation is None) == 10


def test_unicode_names_are_kept(batch: ImportBatch) -> None:
    names = {(r.first_name, r.last_name) for r in batch.records}
    assert ("Heike", "Öztürk") in names
    assert ("Ömer", "Dąbrowski") in names
    assert ("Renée", "Lehmann") in names
    assert ("Małgorzata", "Yılmaz") in names


def test_german_report(batch: ImportBatch) -> None:
    with language("de"):
        assert batch.rejected[1].message.startswith("Zeile 105, Spalte 'E-Mail': ungültige E-Mail-Adresse")
        assert batch.rejected[3].message.startswith("Zeile 185 (Textzeile 186), Spalte 'Nachname': enthält")
        assert batch.merges[0].message.startswith("Die Zeilen 12, 222 haben dieselbe E-Mail-Adresse")
