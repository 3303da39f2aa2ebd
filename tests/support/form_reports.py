"""Synthetic exports of the tools organisers use as their front desk, and what importing them gives.

- :func:`zoom_registration_report`: Zoom's registration report (web portal → Reports →
  Registration, CSV): UTF-8 with BOM, ``,`` between fields, CR/LF line ends, a block about the
  meeting ("Topic", "ID", "Start Time", "Duration (Minutes)", "# Registered"), a blank line, then
  the registrant table with Zoom's standard columns, "Approval Status" (approved, pending, denied)
  and two custom questions (one is a workshop wish, one is not recognised).
- :func:`msforms_ranking_workbook`: a Microsoft Forms download (XLSX): Forms' own columns (ID,
  Start time, Completion time, Email, Name) with an anonymous form's "anonymous" in Email, the
  form's own e-mail question, and a *ranking* question whose cell holds every workshop in order,
  each followed by ";".

People are synthetic, at example domains; workshop names are those of ``config/fachtag-2025.yaml``.
The expected outcome is stated here by hand (never by running the importer). The committed
``tests/fixtures/zoom-registration-report.csv`` and ``tests/fixtures/msforms-ranking.xlsx`` are
this module's output; a test checks they never drift. Regenerate with
``python -m tests.support.form_reports``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ZOOM_REPORT = FIXTURES / "zoom-registration-report.csv"
MSFORMS_RANKING = FIXTURES / "msforms-ranking.xlsx"

ALIA = "ALIA – Agil leben im Alter"
WOHNEN = "Wohnen statt Unterbringung – reloaded"
KUEMMEREI = "Kümmerei Köln"
SORGE = "Kommunale Sorgestrukturen"
CARING = "Caring Community Köln"
WORKSHOPS = (ALIA, WOHNEN, KUEMMEREI, SORGE, CARING)

ZOOM_PREAMBLE = (
    ("Topic", "ID", "Start Time", "Duration (Minutes)", "# Registered"),
    ("Fachtag Seniorenarbeit NRW 2025", "812 3456 7890", "Mar 27, 2025 09:00 AM", "420", "6"),
)
ZOOM_HEADERS = (
    "First Name", "Last Name", "Email", "Organization", "Job Title", "Questions & Comments",
    "Registration Time", "Approval Status", "Erstwunsch Workshop", "Wie haben Sie vom Fachtag erfahren?",
)  # fmt: skip
ZOOM_ROWS = (
    ("Lea", "Schäfer", "lea.schaefer@example.org", "Stadt Musterstadt – Seniorenbüro", "Quartiersmanagerin",
     "", "03/03/2025 10:15:22 AM", "approved", KUEMMEREI, "Newsletter"),
    ("Mehmet", "Yılmaz", "m.yilmaz@example.net", "Caritasverband Beispielstadt", "Sozialarbeiter",
     "", "03/04/2025 08:02:10 AM", "pending", ALIA, "Kollegin"),
    ("Jörg", "Weiß", "joerg.weiss@example.com", "", "", "", "03/04/2025 11:40:00 AM", "denied", "", "Web"),
    ("Renée", "O'Brien", "renee.obrien@example.org", "Diakonie Musterland", "Referentin",
     "", "03/05/2025 02:30:45 PM", "approved", "Caring Community Koeln", ""),
    ("Karl-Heinz", "Müller-Lüdenscheidt", "KH.Mueller@example.de", "Seniorenvertretung Beispielhausen",
     "Vorsitzender", "Bitte einen barrierefreien Zugang, danke!", "03/06/2025 09:12:03 AM", "pending", "",
     "Newsletter"),
    ("Sophie", "Van der Berg", "sophie.vdb@example.org", "", "Studentin", "", "03/07/2025 07:55:31 PM",
     "approved", WOHNEN, ""),
)  # fmt: skip

MSFORMS_HEADERS = (
    "ID", "Start time", "Completion time", "Email", "Name", "Vorname", "Nachname", "E-Mail-Adresse",
    "Organisation", "Bitte bringen Sie die Workshops in die Reihenfolge Ihrer Präferenz",
    "Ich habe die Datenschutzhinweise gelesen.",
)  # fmt: skip
_ALL_FIVE = f"{KUEMMEREI};{ALIA};{CARING};{SORGE};{WOHNEN};"
MSFORMS_ROWS = (
    ("Tanja", "Özdemir", "tanja.oezdemir@example.org", "AWO Beispielkreis", _ALL_FIVE),
    ("Ben", "Kowalski", "ben.kowalski@example.net", "", f"{WOHNEN};{SORGE};"),
    ("Hanna", "Lindqvist", "hanna.lindqvist@example.com", "Quartiersbüro Nord",
     f"{SORGE};Yoga im Park;{KUEMMEREI};"),
    ("Emil", "Nowak", "emil.nowak@example.org", "Stadt Beispielstadt", ""),
    ("Zeynep", "Arslan", "zeynep.arslan@example.de", "", f"{CARING};{ALIA};{KUEMMEREI};{WOHNEN};{SORGE};"),
)  # fmt: skip
_FORMS_START = dt.datetime(2025, 2, 10, 9, 0, 0)


@dataclass(frozen=True)
class ExpectedPerson:
    """One person the import must give."""

    email: str
    first_name: str
    last_name: str
    wishes: tuple[str, ...]
    approval_pending: bool = False


# Zoom report: rows 1-2 are the meeting block, row 3 is blank, row 4 the header, data from row 5.
ZOOM_HEADER_ROW = 4
ZOOM_EXPECTED = (
    ExpectedPerson("lea.schaefer@example.org", "Lea", "Schäfer", (KUEMMEREI,)),
    ExpectedPerson("m.yilmaz@example.net", "Mehmet", "Yılmaz", (ALIA,), approval_pending=True),
    ExpectedPerson("renee.obrien@example.org", "Renée", "O'Brien", (CARING,)),
    ExpectedPerson("kh.mueller@example.de", "Karl-Heinz", "Müller-Lüdenscheidt", (), approval_pending=True),
    ExpectedPerson("sophie.vdb@example.org", "Sophie", "Van der Berg", (WOHNEN,)),
)
ZOOM_DENIED_ROW = 7  # Jörg Weiß
ZOOM_UNMAPPED = ("Registration Time", "Wie haben Sie vom Fachtag erfahren?")

# Microsoft Forms: header in row 1, data from row 2; its "Email" column must be ignored with --map.
MSFORMS_MAP = {"Email": "ignore"}
MSFORMS_EXPECTED = (
    ExpectedPerson(
        "tanja.oezdemir@example.org", "Tanja", "Özdemir", (KUEMMEREI, ALIA, CARING, SORGE, WOHNEN)
    ),
    ExpectedPerson("ben.kowalski@example.net", "Ben", "Kowalski", (WOHNEN, SORGE)),
    ExpectedPerson("hanna.lindqvist@example.com", "Hanna", "Lindqvist", (SORGE, KUEMMEREI)),
    ExpectedPerson("emil.nowak@example.org", "Emil", "Nowak", ()),
    ExpectedPerson("zeynep.arslan@example.de", "Zeynep", "Arslan", (CARING, ALIA, KUEMMEREI, WOHNEN, SORGE)),
)
MSFORMS_UNKNOWN_CHOICE = (4, "Yoga im Park")  # (row, choice): Hanna's ranking


def zoom_registration_report() -> bytes:
    """The Zoom registration report as Zoom's web portal downloads it."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(ZOOM_PREAMBLE)
    writer.writerow(())
    writer.writerow(ZOOM_HEADERS)
    writer.writerows(ZOOM_ROWS)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def msforms_ranking_workbook(path: Path) -> None:
    """Write the Microsoft Forms download to ``path`` (one sheet, "Sheet1", as Forms names it)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(MSFORMS_HEADERS)
    for number, (first, last, email, organisation, ranking) in enumerate(MSFORMS_ROWS, start=1):
        start = _FORMS_START + dt.timedelta(hours=7 * number, minutes=13 * number)
        done = start + dt.timedelta(minutes=3, seconds=17 * number)
        sheet.append(
            (number, start, done, "anonymous", None, first, last, email, organisation or None,
             ranking or None, "Ja")
        )  # fmt: skip
    workbook.properties.created = workbook.properties.modified = _FORMS_START
    workbook.save(path)


def main() -> None:
    """Regenerate the committed fixtures."""
    ZOOM_REPORT.write_bytes(zoom_registration_report())
    msforms_ranking_workbook(MSFORMS_RANKING)


if __name__ == "__main__":
    main()
