"""Zoom's registration report with "Approval Status": pending people stay pending after the sync.

The sample agenda approves manually and treats the organiser's import as the approval
(``auto_approve_imported``): everyone the report lists as approved is approved in Zoom at once,
while those the report lists as pending are registered but left for the organiser to approve.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from orchestrator.app import App
from orchestrator.db.models import Person
from orchestrator.jobs.registrants import zoom_access
from orchestrator.registrants.service import import_registrations, sync_registrants
from orchestrator.zoom.emulator import EmulatorApp
from tests.support import form_reports as fr
from tests.unit.registrants_sync.conftest import meeting_id


def zoom_statuses(emulator: EmulatorApp) -> dict[str, str]:
    meeting = str(meeting_id(emulator))
    with emulator.state.transaction() as data:
        return {r["email"].lower(): r["status"] for r in data["registrants"].get(meeting, [])}


def test_pending_people_of_the_report_are_registered_but_not_approved(rt: App, emulator: EmulatorApp) -> None:
    imported = import_registrations(rt.store, rt.clock, None, fr.ZOOM_REPORT)
    assert imported.counts.added == len(fr.ZOOM_EXPECTED)
    with rt.session() as session:
        pending = {p.email for p in session.scalars(select(Person).where(Person.approval_pending.is_(True)))}
    assert pending == {p.email for p in fr.ZOOM_EXPECTED if p.approval_pending}

    synced = sync_registrants(zoom_access(rt), None)
    assert synced.failed == [] and synced.registered == len(fr.ZOOM_EXPECTED)
    statuses = zoom_statuses(emulator)
    assert statuses == {p.email: "pending" if p.approval_pending else "approved" for p in fr.ZOOM_EXPECTED}

    # A second sync (the job every few minutes) does not approve them either.
    sync_registrants(zoom_access(rt), None)
    assert zoom_statuses(emulator) == statuses


def test_a_later_report_with_them_approved_lets_the_sync_approve_them(
    rt: App, emulator: EmulatorApp, tmp_path: Path
) -> None:
    import_registrations(rt.store, rt.clock, None, fr.ZOOM_REPORT)
    sync_registrants(zoom_access(rt), None)
    approved_later = tmp_path / "report-later.csv"
    approved_later.write_bytes(fr.ZOOM_REPORT.read_bytes().replace(b",pending,", b",approved,"))
    again = import_registrations(rt.store, rt.clock, None, approved_later)
    assert again.counts.updated == sum(p.approval_pending for p in fr.ZOOM_EXPECTED)
    sync_registrants(zoom_access(rt), None)
    assert set(zoom_statuses(emulator).values()) == {"approved"}


def test_cancel_file_reads_the_addresses_below_the_reports_meeting_block(tmp_path: Path) -> None:
    from orchestrator.registrants.email_file import read_email_file

    emails = [email.lower() for email in read_email_file(fr.ZOOM_REPORT)]
    assert emails == [row[2].lower() for row in fr.ZOOM_ROWS]
    plain = tmp_path / "addresses.txt"
    plain.write_text("# to cancel\nann@example.org\n\nbea@example.org\n", encoding="utf-8")
    assert read_email_file(plain) == ["ann@example.org", "bea@example.org"]
