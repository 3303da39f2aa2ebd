"""Sync to Zoom: everyone registered once, reruns change nothing, Zoom-page registrations pulled in."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import select

from orchestrator.app import App
from orchestrator.db.models import Person, ZoomAuditEntry, ZoomRegistration
from orchestrator.jobs.registrants import zoom_access
from orchestrator.registrants.service import import_registrations, list_registrants, sync_registrants
from orchestrator.zoom.emulator import EmulatorApp, Faults
from tests.unit.registrants_sync.conftest import meeting_id


def zoom_emails(app: EmulatorApp) -> Counter[str]:
    return Counter(r["email"].lower() for r in app.registrants(meeting_id(app), include_cancelled=True))


def test_sync_registers_every_imported_person_exactly_once(
    rt: App, emulator: EmulatorApp, fixture_csv: Path
) -> None:
    import_registrations(rt.store, rt.clock, None, fixture_csv)
    result = sync_registrants(zoom_access(rt), None)

    emails = zoom_emails(emulator)
    assert len(emails) == 235 and max(emails.values()) == 1
    assert result.registered == 235
    assert result.states == {"registered": 235}
    assert result.zoom_calls["batch_registrants"] == 8  # ceil(235 / 30)
    with rt.session() as session:
        regs = list(session.scalars(select(ZoomRegistration)))
        assert all(r.join_url and r.zoom_status == "approved" for r in regs)
        zoom_ids = {r["email"]: r["id"] for r in emulator.registrants(meeting_id(emulator))}
        stored = {r.person.email: r.zoom_registrant_id for r in regs}
        assert stored == zoom_ids
        audit = session.scalars(select(ZoomAuditEntry).where(ZoomAuditEntry.action == "batch_registrants"))
        assert [a.outcome for a in audit] == ["ok"] * 8


def test_second_sync_sends_nothing(rt: App, emulator: EmulatorApp, fixture_csv: Path) -> None:
    import_registrations(rt.store, rt.clock, None, fixture_csv)
    sync_registrants(zoom_access(rt), None)
    writes = len(emulator.write_calls())
    again = sync_registrants(zoom_access(rt), None)
    assert len(emulator.write_calls()) == writes
    assert again.registered == 0 and again.states == {"registered": 235}


def test_batches_are_at_most_30_and_heavy_calls_paced(
    rt: App, emulator: EmulatorApp, fixture_csv: Path
) -> None:
    import_registrations(rt.store, rt.clock, None, fixture_csv)
    emulator.clear_request_log()
    sync_registrants(zoom_access(rt), None)
    batches = [r for r in emulator.request_log() if r.path.endswith("/batch_registrants")]
    assert len(batches) == 8 and all(r.status == 201 for r in batches)  # no 429 from Zoom's Heavy limit


def test_registrations_from_the_zoom_page_are_pulled_in(
    rt: App, emulator: EmulatorApp, fixture_csv: Path
) -> None:
    import_registrations(rt.store, rt.clock, None, fixture_csv)
    rt.zoom.add_registrant(
        meeting_id(emulator), {"email": "Page.User@Example.org", "first_name": "Paula", "last_name": "Page"}
    )
    result = sync_registrants(zoom_access(rt), None)
    assert result.pulled_in_from_zoom == ["page.user@example.org"]
    with rt.session() as session:
        person = session.scalar(select(Person).where(Person.email == "page.user@example.org"))
        assert person is not None and person.source == "zoom" and person.first_name == "Paula"
        assert person.registration is not None and person.registration.state == "registered"
        # The meeting approves manually: a Zoom-page registration waits for the organiser.
        assert person.registration.zoom_status == "pending"
    assert len(zoom_emails(emulator)) == 236


def test_list_never_contains_join_links(rt: App, emulator: EmulatorApp, fixture_csv: Path) -> None:
    import_registrations(rt.store, rt.clock, None, fixture_csv)
    sync_registrants(zoom_access(rt), None)
    listed = list_registrants(rt.store, None)
    assert len(listed.people) == 235
    assert all(not hasattr(p, "join_url") and p.has_join_link for p in listed.people)
    assert "emulator.zoom.invalid" not in repr(listed)


def test_lost_answers_are_resolved_by_listing(
    rt: App, emulator: EmulatorApp, faults: Faults, fixture_csv: Path
) -> None:
    import_registrations(rt.store, rt.clock, None, fixture_csv)
    # A 500 on a POST batch is ambiguous for the client (never repeated blindly); a slow answer
    # beyond the read timeout is processed by Zoom but the answer is lost.
    faults.inject("500", path_glob="*/batch_registrants", count=2)
    faults.inject("slow", path_glob="*/batch_registrants", count=1, delay_s=60)
    result = sync_registrants(zoom_access(rt), None)
    emails = zoom_emails(emulator)
    assert len(emails) == 235 and max(emails.values()) == 1
    assert result.states == {"registered": 235}
    assert result.rounds == 2
    assert result.resolved_after_interruption == 30  # the slow batch: registered, answer lost
    assert result.requeued_after_interruption == 60  # the two 500s: Zoom never registered them
