"""Reading CSV dialects and XLSX into raw rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from orchestrator.registrants import UnreadableTable, parse_registrations, read_rows
from orchestrator.registrants.reader import cell_text, detect_encoding, sniff_delimiter

from .conftest import GERMAN_HEADER, WORKSHOPS, WriteCsv

ROW = (
    "FT-1;Jörg;Müller;joerg@example.org;Stadt Köln, Amt für Soziales;Ehrenamt;Kümmerei Köln;;;ja;"
    "02.07.2025 09:01"
)


def test_utf8_without_bom(write_csv: WriteCsv) -> None:
    path = write_csv(f"{GERMAN_HEADER}\n{ROW}\n", encoding="utf-8")
    table = read_rows(path)
    assert table.encoding == "utf-8"
    assert table.delimiter == ";"  # not fooled by the comma in the organisation
    assert table.headers[0] == "Anmeldung-Nr."
    assert table.rows[0].values[1:5] == [
        "Jörg",
        "Müller",
        "joerg@example.org",
        "Stadt Köln, Amt für Soziales",
    ]
    assert table.rows[0].number == 2


def test_cp1252_with_umlauts_is_detected(write_csv: WriteCsv) -> None:
    path = write_csv(f"{GERMAN_HEADER}\n{ROW.replace('Ehrenamt', 'Büro – „Süd“')}\n", encoding="cp1252")
    assert b"\xfc" in path.read_bytes()  # really single-byte
    batch = parse_registrations(path, workshops=WORKSHOPS)
    assert batch.encoding == "cp1252"
    record = batch.records[0]
    assert (record.first_name, record.last_name) == ("Jörg", "Müller")
    assert record.job_title == "Büro – „Süd“"  # cp1252-only characters, not Latin-1 C1 controls
    assert record.wishes == ("Kümmerei Köln",)


def test_explicit_encoding_wins_and_wrong_encoding_is_reported(write_csv: WriteCsv) -> None:
    path = write_csv(f"{GERMAN_HEADER}\n{ROW}\n", encoding="cp1252")
    assert read_rows(path, encoding="latin-1").rows[0].values[1] == "Jörg"
    with pytest.raises(UnreadableTable, match=r"line 2: the file is not valid utf-8"):
        read_rows(path, encoding="utf-8")
    with pytest.raises(UnreadableTable, match="Unknown encoding 'klingon'"):
        read_rows(path, encoding="klingon")


def test_detect_encoding() -> None:
    assert detect_encoding(b"\xef\xbb\xbfa;b") == "utf-8-sig"
    assert detect_encoding("ä;b".encode()) == "utf-8"
    assert detect_encoding("ä;€".encode("cp1252")) == "cp1252"
    assert detect_encoding(b"a;\x81") == "latin-1"  # undefined in cp1252
    assert detect_encoding("a\tb".encode("utf-16")) == "utf-16"


def test_comma_english_headers_and_multiline_quoted_note(write_csv: WriteCsv) -> None:
    text = (
        "Order #,First Name,Last Name,Email,Company,Job Title,Breakout preference 1st,"
        "Breakout preference 2nd,Breakout preference 3rd,Privacy consent,Notes\n"
        '1001,Renée,Dąbrowski,renee@example.com,"Acme, Inc.",CEO,kuemmerei koeln,'
        'ALIA - Agil leben im Alter,,yes,"Needs captions.\nArrives late,\n""maybe"""\n'
        "1002,Ann,Lee,ann@example.com,,,Caring Community Köln,,,✓,\n"
    )
    path = write_csv(text, newline="\n")
    batch = parse_registrations(path, workshops=WORKSHOPS)
    assert batch.delimiter == ","
    assert batch.stats.rows_read == 2 and batch.rejected == []
    renee, ann = batch.records
    assert renee.external_ref == "1001"
    assert renee.organisation == "Acme, Inc."
    assert renee.wishes == ("Kümmerei Köln", "ALIA – Agil leben im Alter")
    assert renee.notes == 'Needs captions.\nArrives late,\n"maybe"'
    assert renee.consent is True
    assert ann.source_row == 3  # Excel row: the 3-line note is still row 2
    table = read_rows(path)
    assert [r.line for r in table.rows] == [2, 5]


def test_tab_delimited(write_csv: WriteCsv) -> None:
    path = write_csv(GERMAN_HEADER.replace(";", "\t") + "\n" + ROW.replace(";", "\t") + "\n")
    batch = parse_registrations(path, workshops=WORKSHOPS)
    assert batch.delimiter == "\t"
    assert batch.records[0].organisation == "Stadt Köln, Amt für Soziales"


def test_empty_lines_are_skipped_and_counted(write_csv: WriteCsv) -> None:
    other = ROW.replace("joerg@", "j2@")
    path = write_csv(f"{GERMAN_HEADER}\n\n{ROW}\n;;;;;;;;;;\n\n{other}\n\n")
    batch = parse_registrations(path, workshops=WORKSHOPS)
    assert batch.stats.rows_read == 2
    assert batch.stats.empty_rows == 4
    assert [r.source_row for r in batch.records] == [3, 6]
    assert batch.rejected == []


def test_xlsx(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Anmeldungen"
    sheet.append(
        [
            "Anmeldung-Nr.",
            "Vorname",
            "Nachname",
            "E-Mail",
            "Workshop-Wunsch 1",
            "Datenschutz akzeptiert",
            "Angemeldet am",
            "PLZ",
        ]
    )
    sheet.append(
        [
            1001,
            "Zoë",
            "Öztürk",
            "zoe@example.org",
            "Kommunale Sorgestrukturen",
            True,
            dt.datetime(2025, 7, 2, 9, 1),
            50667.0,
        ]
    )
    sheet.append([None] * 8)
    sheet.append(
        [1002.5, "Ute", "Nowak", "ute@example.org", "caring community koeln", "ja", "03.07.2025 10:00", 1]
    )
    path = tmp_path / "export.xlsx"
    workbook.save(path)

    table = read_rows(path)
    assert table.encoding == "xlsx" and table.delimiter is None and table.sheet == "Anmeldungen"
    assert table.rows[0].values == [
        "1001",
        "Zoë",
        "Öztürk",
        "zoe@example.org",
        "Kommunale Sorgestrukturen",
        "true",
        "2025-07-02 09:01",
        "50667",
    ]
    assert [r.number for r in table.rows] == [2, 4]
    assert table.empty_rows == [3]

    batch = parse_registrations(path, workshops=WORKSHOPS)
    zoe, ute = batch.records
    assert zoe.external_ref == "1001" and zoe.consent is True
    assert zoe.registered_at == dt.datetime(2025, 7, 2, 7, 1, tzinfo=dt.UTC)
    assert ute.external_ref == "1002.5"
    assert ute.wishes == ("Caring Community Köln",)
    assert batch.unmapped_headers == ["PLZ"]
    with pytest.raises(UnreadableTable, match=r"no sheet 'Tabelle9'\. Sheets: Anmeldungen"):
        read_rows(path, sheet="Tabelle9")


def test_cell_text() -> None:
    assert cell_text(None) == ""
    assert cell_text(3.0) == "3"
    assert cell_text(0.5) == "0.5"
    assert cell_text(dt.date(2025, 7, 2)) == "2025-07-02"
    assert cell_text(dt.datetime(2025, 7, 2, 9, 1, 30)) == "2025-07-02 09:01:30"


def test_not_a_table(write_csv: WriteCsv, tmp_path: Path) -> None:
    with pytest.raises(UnreadableTable, match="does not look like a table"):
        read_rows(write_csv("Dear organiser,\nhere are the registrations.\n", name="letter.txt"))
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(UnreadableTable, match="binary data"):
        read_rows(binary)
    fake_xlsx = tmp_path / "export.xlsx"
    fake_xlsx.write_text("not a zip")
    with pytest.raises(UnreadableTable, match="cannot be read as an Excel workbook"):
        read_rows(fake_xlsx)
    with pytest.raises(UnreadableTable, match="is empty"):
        read_rows(write_csv("\n\n", name="empty.csv"))
    with pytest.raises(UnreadableTable, match="File not found"):
        read_rows(tmp_path / "missing.csv")


def test_unclosed_quote_stops_instead_of_swallowing_rows(write_csv: WriteCsv) -> None:
    path = write_csv(f'{GERMAN_HEADER}\n{ROW}\nFT-2;"Anna;Lee;a@example.org;;;;;;ja;\n{ROW}\n')
    with pytest.raises(UnreadableTable, match=r"line \d+: broken quoting"):
        read_rows(path)


def test_sniff_delimiter_prefers_the_header_split() -> None:
    assert sniff_delimiter("a;b;c\n1,5;2,5;x\n") == ";"
    assert sniff_delimiter("a,b,c\n1,2,3\n") == ","
    assert sniff_delimiter("a\tb\n1\t2\n") == "\t"
    assert sniff_delimiter("just text\nmore text\n") is None
