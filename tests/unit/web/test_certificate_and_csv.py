"""Certificate wording (German by default) and the CSV's protection against formula injection."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from orchestrator.attendance import certificates
from orchestrator.attendance.certificate import (
    CertificateData,
    certificate_text,
    duration_text,
    render_certificate,
)
from orchestrator.attendance.export import attendance_csv
from orchestrator.attendance.intervals import Interval
from orchestrator.attendance.minutes import AttendanceReport, PersonAttendance

DATA = CertificateData(
    name="Zoë Łukasiewicz",
    organisation="Diakonie Münster",
    event_title="Digitaler Fachtag 2025",
    event_date=date(2025, 8, 27),
    minutes=205,
    organiser="Forum Seniorenarbeit NRW",
    issued_on=date(2025, 8, 28),
)


def test_german_certificate_text() -> None:
    text = certificate_text(DATA)
    assert text.title == "Teilnahmebescheinigung"
    assert text.intro == "Hiermit wird bestätigt, dass"
    assert "am 27.08.2025" in text.body and "3 Std. 25 Min." in text.body and "(205 Minuten)" in text.body
    assert "„Digitaler Fachtag 2025“" in text.body
    assert text.place_date == "Forum Seniorenarbeit NRW, 28.08.2025"


def test_english_certificate_text_for_english_speakers() -> None:
    text = certificate_text(CertificateData(**{**DATA.__dict__, "language": "en"}))
    assert text.title == "Certificate of attendance"
    assert "on 2025-08-27 for 3 h 25 min (205 minutes)" in text.body


def test_duration_text() -> None:
    assert [duration_text(m, "de") for m in (45, 60, 61)] == ["45 Min.", "1 Std.", "1 Std. 1 Min."]


def test_pdf_is_one_page_with_the_title() -> None:
    pdf = render_certificate(DATA)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 1
    assert b"Teilnahmebescheinigung" in pdf  # document title in the info dictionary
    assert render_certificate(DATA) == pdf  # invariant: same input, same bytes


@pytest.mark.parametrize("pool_from", [1000, 3], ids=["in-process", "worker-processes"])
def test_written_certificates_are_the_rendered_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pool_from: int
) -> None:
    """Many certificates are rendered by worker processes: the files are the same either way."""
    monkeypatch.setattr(certificates, "POOL_FROM", pool_from)
    people = [replace(DATA, name=f"Person {n}", minutes=180 + n) for n in range(5)]
    items = [
        certificates.CertificateAttachment(
            n, f"p{n}@example.org", data.name, "de", data.minutes, f"c{n}.pdf", data
        )
        for n, data in enumerate(people)
    ]
    paths = certificates.write_certificates(items, tmp_path / "out")
    assert [p.name for p in paths] == [f"c{n}.pdf" for n in range(5)]
    assert [p.read_bytes() for p in paths] == [render_certificate(data) for data in people]


def test_csv_neutralises_formulas_and_hides_guest_names() -> None:
    now = datetime(2025, 8, 27, 12, tzinfo=UTC)
    person = PersonAttendance(
        person_id=1,
        email="a@example.org",
        first_name='=HYPERLINK("x")',
        last_name="+1",
        organisation="@org",
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
        guests=2,
        guest_minutes=30,
    )
    text = attendance_csv(report, timezone="Europe/Berlin", min_minutes=60)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[1] == [
        "a@example.org",
        '\'=HYPERLINK("x")',
        "'+1",
        "'@org",
        "90",
        "1,50",
        "27.08.2025 14:00",
        "27.08.2025 14:00",
        "yes",
    ]
    assert rows[2][:6] == ["Guests without registration: 2", "", "", "", "30", "0,50"]
