"""The organiser-shaped export (tests/fixtures/anmeldungen-fachtag.csv): every row accounted for.

The expected figures come from the export's generator (tests/support/registration_export.py), which
works them out from its own plan of the file, never by running the importer:
246 rows → 5 rejected (3 invalid e-mails, two of them with non-ASCII characters before the @ that
Zoom would refuse; 2 CR/LF header injections, one in a first name, one in a last name, each row
spanning two text lines) → 241 accepted → 6 rows merged into earlier registrations with case/space
noise → 235 people; 4 of them without wishes. test_registration_export.py pins these numbers.
"""

from __future__ import annotations

import datetime as dt

import pytest

from orchestrator.i18n import language
from orchestrator.registrants import ImportBatch, parse_registrations
from tests.support.registration_export import ExportFacts, Fault, fachtag_export

from .conftest import FIXTURE_CSV, WORKSHOPS


@pytest.fixture(scope="module")
def batch() -> ImportBatch:
    return parse_registrations(FIXTURE_CSV, workshops=WORKSHOPS)


@pytest.fixture(scope="module")
def facts() -> ExportFacts:
    return fachtag_export().facts


def test_dialect_is_detected(batch: ImportBatch) -> None:
    assert batch.encoding == "utf-8-sig"
    assert batch.delimiter == ";"
    assert batch.headers[0] == "Anmeldung-Nr."  # BOM not glued to the first header
    assert batch.unmapped_headers == []


def test_counts(batch: ImportBatch, facts: ExportFacts) -> None:
    stats = batch.stats
    assert stats.rows_read == facts.rows_read == 246
    assert stats.empty_rows == 0
    assert stats.rows_rejected == facts.rows_rejected
    assert stats.rows_accepted == facts.rows_accepted
    assert stats.people == len(batch.records) == facts.people == 235
    assert stats.merged_rows == len(batch.merges) == facts.merged_rows
    assert stats.rejections_by_reason == facts.rejections_by_reason
    assert stats.rows_read == stats.rows_rejected + stats.people + stats.merged_rows


def test_rejected_rows_name_row_field_and_reason(batch: ImportBatch, facts: ExportFacts) -> None:
    got = [(r.row, r.line, r.column, r.code) for r in batch.rejected]
    assert got == [(r.row, r.line, r.column, r.code) for r in facts.rejections]
    assert any(r.line > r.row for r in facts.rejections)  # rows after an injection start lower down
    for rejected in batch.rejected:
        assert "\n" not in rejected.message and "\r" not in rejected.message
    non_ascii = [
        got for got, want in zip(batch.rejected, facts.rejections, strict=True)
        if want.fault is Fault.NON_ASCII_LOCAL_PART
    ]  # fmt: skip
    assert len(non_ascii) == facts.non_ascii_local_parts == 2
    assert all("before the @" in r.message for r in non_ascii)


def test_injection_is_reported_safely(batch: ImportBatch, facts: ExportFacts) -> None:
    for got, expected in zip(batch.rejected, facts.rejections, strict=True):
        if expected.fault is not Fault.INJECTION:
            continue
        assert r"\r\n" in got.value_preview_safe and ": victim@example." in got.value_preview_safe
        where = f"Row {expected.row}" + (f" (line {expected.line})" if expected.line != expected.row else "")
        assert got.message.startswith(f"{where}, column '{expected.column}': contains a line break")


def test_injection_rows_are_not_imported_under_any_address(batch: ImportBatch, facts: ExportFacts) -> None:
    emails = {r.email for r in batch.records}
    injected = [r.email for r in facts.rejections if r.fault is Fault.INJECTION]
    assert len(injected) == facts.injections == 2
    assert emails.isdisjoint(injected)
    for record in batch.records:
        assert not any("\n" in text or "\r" in text for text in (record.first_name, record.last_name))


def test_merges_keep_the_later_row(batch: ImportBatch, facts: ExportFacts) -> None:
    assert [(m.rows, m.kept_row) for m in batch.merges] == [(list(m.rows), m.kept_row) for m in facts.merges]
    by_email = {r.email: r for r in batch.records}
    expected = {p.source_row: p for p in facts.expected_people}
    for merge in facts.merges:
        record = by_email[merge.email]
        assert record.source_row == merge.kept_row
        assert record.external_ref == expected[merge.kept_row].external_ref
        assert record.registered_at == expected[merge.kept_row].registered_at
        assert record.wishes == expected[merge.kept_row].wishes
        # The noisy (upper case, padded) earlier row did not leave its spelling behind.
        assert record.email_display == merge.email


def test_every_person_is_imported_as_written(batch: ImportBatch, facts: ExportFacts) -> None:
    got = sorted(
        (r.source_row, r.email, r.first_name, r.last_name, r.organisation, r.job_title, tuple(r.wishes),
         r.external_ref, r.registered_at)
        for r in batch.records
    )  # fmt: skip
    assert got == [
        (p.source_row, p.email, p.first_name, p.last_name, p.organisation, p.job_title, p.wishes,
         p.external_ref, p.registered_at)
        for p in facts.expected_people
    ]  # fmt: skip
    assert all(r.consent is True and r.language is None and r.notes is None for r in batch.records)


def test_records_are_normalised(batch: ImportBatch, facts: ExportFacts) -> None:
    first = batch.records[0]
    assert (first.email, first.source_row, first.external_ref) == (facts.first.email, 2, "FT25-0001")
    assert first.registered_at == facts.first.registered_at  # "Angemeldet am" is Berlin time
    assert first.registered_at.utcoffset() == dt.timedelta(0)  # stored in UTC
    assert len(first.wishes) == 3 and set(first.wishes) <= set(WORKSHOPS)
    no_wishes = sorted(r.external_ref or "" for r in batch.records if not r.wishes)
    assert no_wishes == sorted(facts.without_wishes) and len(no_wishes) == 4
    assert sum(1 for r in batch.records if r.organisation is None) == facts.without_organisation


def test_unicode_names_are_kept(batch: ImportBatch) -> None:
    names = " ".join(f"{r.first_name} {r.last_name}" for r in batch.records)
    for letter in ("ä", "ö", "ü", "ß", "é", "ë", "ł", "ş", "ı", "'"):
        assert letter in names, letter


def test_german_report(batch: ImportBatch, facts: ExportFacts) -> None:
    broken = next(i for i, r in enumerate(facts.rejections) if r.fault is Fault.INVALID_ADDRESS)
    injection = next(i for i, r in enumerate(facts.rejections) if r.fault is Fault.INJECTION)
    merge = facts.merges[0]
    with language("de"):
        for index, text in ((broken, "ungültige E-Mail-Adresse"), (injection, "enthält einen Zeilenumbruch")):
            expected = facts.rejections[index]
            where = f"Zeile {expected.row}"
            if expected.line != expected.row:
                where += f" (Textzeile {expected.line})"
            assert batch.rejected[index].message.startswith(f"{where}, Spalte '{expected.column}': {text}")
        rows = ", ".join(str(r) for r in merge.rows)
        assert batch.merges[0].message.startswith(f"Die Zeilen {rows} haben dieselbe E-Mail-Adresse")
