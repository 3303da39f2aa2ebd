"""Header recognition (German and English), --map, and missing/ambiguous columns."""

from __future__ import annotations

import pytest

from orchestrator.i18n import language
from orchestrator.registrants import (
    AmbiguousColumns,
    BadMapOption,
    ColumnMapping,
    MissingColumns,
    map_headers,
    parse_map_option,
    parse_registrations,
)
from orchestrator.registrants.headers import recognise

from .conftest import WORKSHOPS, WriteCsv


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Vorname", "first_name"), ("First Name", "first_name"), ("Vorname / First name", "first_name"),
        ("Nachname", "last_name"), ("Last Name", "last_name"), ("Surname", "last_name"),
        ("E-Mail", "email"), ("Email", "email"), ("E-Mail-Adresse", "email"), (" EMAIL ", "email"),
        ("Organisation", "organisation"), ("Company", "organisation"), ("Organization", "organisation"),
        ("Funktion", "job_title"), ("Job Title", "job_title"),
        ("Workshop-Wunsch 1", "wish_1"), ("Workshop-Wunsch 2", "wish_2"), ("Workshop-Wunsch 3", "wish_3"),
        ("Breakout preference 1st", "wish_1"), ("Breakout preference 2nd", "wish_2"),
        ("Breakout preference 3rd", "wish_3"), ("Erstwunsch", "wish_1"), ("1st choice", "wish_1"),
        ("Datenschutz akzeptiert", "consent"), ("Privacy consent", "consent"),
        ("Anmeldung-Nr.", "external_ref"), ("Order #", "external_ref"),
        ("Angemeldet am", "registered_at"), ("Registration date", "registered_at"),
        ("Sprache/Language", "language"), ("Bemerkungen", "notes"), ("Notes", "notes"), ("Name", "name"),
    ],
)  # fmt: skip
def test_recognises(header: str, field: str) -> None:
    assert recognise(header) == field


@pytest.mark.parametrize("header", ["First", "PLZ", "1", "Workshop", "Datum", ""])
def test_does_not_guess(header: str) -> None:
    assert recognise(header) is None


def test_parse_map_option() -> None:
    assert parse_map_option("E-Mail Adresse (dienstlich)=email") == ColumnMapping(
        "E-Mail Adresse (dienstlich)", "email"
    )
    assert parse_map_option("Wunsch A = wish-1") == ColumnMapping("Wunsch A", "wish_1")
    assert parse_map_option("Kürzel=Vorname") == ColumnMapping(
        "Kürzel", "first_name"
    )  # a header name as target
    assert parse_map_option("E-Mail=skip") == ColumnMapping("E-Mail", "ignore")
    with pytest.raises(BadMapOption, match='--map expects "Column=field"'):
        parse_map_option("email")
    with pytest.raises(BadMapOption, match="Unknown field 'shoe_size'"):
        parse_map_option("Größe=shoe_size")


def test_map_unknown_header(write_csv: WriteCsv) -> None:
    path = write_csv("Rufname;Familie;Kontakt\nAnna;Lee;anna@example.org\n")
    with pytest.raises(MissingColumns):
        parse_registrations(path, workshops=WORKSHOPS)
    overrides = dict([parse_map_option("Familie=last_name"), parse_map_option("Kontakt=email")])
    batch = parse_registrations(path, workshops=WORKSHOPS, overrides=overrides)
    record = batch.records[0]
    assert (record.first_name, record.last_name, record.email) == ("Anna", "Lee", "anna@example.org")


def test_map_overrides_recognition_and_can_ignore() -> None:
    headers = ["Vorname", "Nachname", "E-Mail", "E-Mail privat", "Kommentar"]
    mapping = map_headers(headers, {"E-Mail privat": "email", "Kommentar": "ignore"})
    assert mapping["email"] == 3
    assert "notes" not in mapping
    assert mapping.unmapped == ["E-Mail", "Kommentar"]
    with pytest.raises(BadMapOption, match="--map names the column 'Mail', which is not in the file"):
        map_headers(headers, {"Mail": "email"})


def test_missing_required_column_lists_the_headers_seen() -> None:
    headers = ["Anmeldung-Nr.", "Vorname", "Nachname", "Mail-Adr.", "Organisation"]
    with pytest.raises(MissingColumns) as caught:
        map_headers(headers, {})
    error = caught.value
    assert error.missing == ["email"]
    assert error.seen == headers
    assert error.exit_code == 2
    assert "Required columns not found: E-mail (email)" in error.message
    assert "'Anmeldung-Nr.', 'Vorname', 'Nachname', 'Mail-Adr.', 'Organisation'" in error.message
    with language("de"):
        assert MissingColumns(["first_name"], ["x"]).message.startswith(
            "Pflichtspalten nicht gefunden: Vorname (first_name). Spalten in der Datei: 'x'."
        )


def test_single_name_column_is_enough() -> None:
    mapping = map_headers(["Name", "E-Mail"], {})
    assert mapping.columns == {"name": 0, "email": 1}
    with pytest.raises(MissingColumns) as caught:
        map_headers(["Vorname", "E-Mail"], {})
    assert caught.value.missing == ["last_name"]


def test_two_different_email_columns_are_ambiguous() -> None:
    with pytest.raises(AmbiguousColumns, match="'E-Mail', 'Email'"):
        map_headers(["Vorname", "Nachname", "E-Mail", "Email"], {})
    # identical duplicate headers: the first one counts, the other is reported as unmapped
    mapping = map_headers(["Vorname", "Nachname", "E-Mail", "E-Mail"], {})
    assert mapping["email"] == 2 and mapping.unmapped == ["E-Mail"]


def test_ambiguity_is_resolved_with_map() -> None:
    mapping = map_headers(["Vorname", "Nachname", "E-Mail", "Email"], {"Email": "ignore"})
    assert mapping["email"] == 2 and mapping.unmapped == ["Email"]
