"""Attendance as CSV for organisers (semicolon, UTF-8 with BOM: opens directly in German Excel)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from orchestrator.attendance.minutes import AttendanceReport
from orchestrator.csv_cells import csv_cell
from orchestrator.i18n import _


def _local(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%d.%m.%Y %H:%M") if value else ""


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.2f}".replace(".", ",")


def attendance_csv(report: AttendanceReport, *, timezone: str, min_minutes: int) -> str:
    """One row per person (no-shows included with 0 minutes); times in the event's timezone.

    Guests without a registration appear only as a count in the last line, never by name.
    """
    tz = ZoneInfo(timezone)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("E-mail"),
            _("First name"),
            _("Last name"),
            _("Organisation"),
            _("Minutes"),
            _("Hours"),
            _("First joined"),
            _("Last left"),
            _("Certificate"),
        ]
    )
    for person in report.people:
        writer.writerow(
            [
                csv_cell(person.email),
                csv_cell(person.first_name),
                csv_cell(person.last_name),
                csv_cell(person.organisation or ""),
                person.minutes,
                _hours(person.minutes),
                _local(person.first_join, tz),
                _local(person.last_leave, tz),
                _("yes") if person.minutes >= min_minutes and person.minutes > 0 else _("no"),
            ]
        )
    if report.guests:
        writer.writerow(
            [
                _("Guests without registration: {count}", count=report.guests),
                "",
                "",
                "",
                report.guest_minutes,
                _hours(report.guest_minutes),
                "",
                "",
                "",
            ]
        )
    return "\ufeff" + out.getvalue()
