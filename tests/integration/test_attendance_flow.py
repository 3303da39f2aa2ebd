"""Attendance end to end: webhooks → minutes (merged, clipped) → CSV → certificates (PDF, mail once)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from orchestrator.attendance.certificates import certificate_attachments, send_certificates
from orchestrator.attendance.minutes import compute_attendance
from orchestrator.attendance.service import CertificatesRequest
from orchestrator.cli.attendance_cmd import certificates_action, export_action
from orchestrator.db.models import AttendanceCertificate, AttendanceMark, Event
from orchestrator.jobs import webhooks as webhook_job
from orchestrator.mail.transports import EmlDirectoryTransport
from orchestrator.web.inbox import store_notification
from tests.support.registration_export import fachtag_export
from tests.unit.web.scenario import EVENT_START, Scenario, make_scenario
from tests.unit.web.zoom_events import encode, meeting_event, participant_event, signed_headers

FIXTURE = fachtag_export().facts
ALICE = FIXTURE.first.email  # in the fixture export; registered with Zoom below
BOB = FIXTURE.second.email  # in the export, joins by e-mail (Zoom account)
ALICE_NAME = f"{FIXTURE.first.first_name} {FIXTURE.first.last_name}"


def at(hh: int, mm: int) -> datetime:
    return EVENT_START.replace(hour=hh, minute=mm)


@pytest.fixture
def scenario(database_url: str, tmp_path: Path) -> Iterator[Scenario]:
    scenario = make_scenario(database_url, tmp_path)
    yield scenario
    scenario.rt.close()


def deliver(scenario: Scenario, client: TestClient, notification: dict[str, object]) -> str:
    body = encode(notification)
    scenario.clock.set(
        datetime.fromtimestamp(
            int(notification["event_ts"]) / 1000,  # type: ignore[call-overload]
            tz=EVENT_START.tzinfo,
        )
    )
    answer = client.post("/zoom/webhook", content=body, headers=signed_headers(body, scenario.clock.now()))
    assert answer.status_code == 200, answer.text
    return str(answer.json()["status"])


def play_event_day(scenario: Scenario) -> None:
    """The event day as Zoom reports it, delivered over HTTP (with one retry and out-of-order leave)."""
    alice_reg = scenario.register_with_zoom(ALICE)
    mid = scenario.zoom_meeting_id
    laptop: dict[str, Any] = dict(
        participant_uuid="alice-laptop", name=ALICE_NAME, registrant_id=alice_reg.zoom_registrant_id
    )
    phone: dict[str, Any] = dict(
        participant_uuid="alice-phone", name="Elif (Handy)", registrant_id=alice_reg.zoom_registrant_id
    )
    bob: dict[str, Any] = dict(participant_uuid="bob-1", name="E. O'Connor", email=BOB.upper())
    guest: dict[str, Any] = dict(participant_uuid="guest-1", name="Gast Ohne Anmeldung")
    events = [
        participant_event(
            "meeting.participant_joined", mid, at(7, 20), **laptop
        ),  # before the start: clipped
        meeting_event("meeting.started", mid, at(7, 25)),
        participant_event("meeting.participant_joined", mid, at(7, 30), **bob),
        participant_event("meeting.participant_left", mid, at(8, 0), **bob),
        participant_event("meeting.participant_joined", mid, at(8, 0), **guest),
        participant_event("meeting.participant_joined", mid, at(8, 30), **phone),  # overlaps the laptop
        participant_event("meeting.participant_left", mid, at(10, 0), **phone),
        participant_event("meeting.participant_left", mid, at(9, 0), **guest),
        participant_event("meeting.participant_left", mid, at(9, 0), **laptop),
        participant_event("meeting.participant_joined", mid, at(10, 30), **laptop),  # never leaves
        meeting_event("meeting.ended", mid, at(12, 20)),
    ]
    with TestClient(scenario.app()) as client:
        statuses = [deliver(scenario, client, e) for e in events]
        assert deliver(scenario, client, events[2]) == "duplicate"  # Zoom retried Bob's join
    assert statuses == ["stored"] * len(events)


def test_minutes_are_merged_and_clipped(scenario: Scenario) -> None:
    play_event_day(scenario)
    report = webhook_job.run(scenario.rt)
    assert report["failed"] == 0 and report["processed"] == 11
    with scenario.rt.session() as session:
        event = session.scalars(select(Event)).one()
        attendance = compute_attendance(session, event, scenario.clock.now())
        minutes = {p.email: p.minutes for p in attendance.people if p.minutes}
        marks = session.scalars(select(AttendanceMark)).all()
    # Alice: 07:25 (start) – 10:00 merged over two devices = 155, plus 10:30 – 12:20 (closed at the end).
    assert minutes == {ALICE: 265, BOB: 30}
    assert attendance.meeting_ended is True
    assert (attendance.guests, attendance.guest_minutes) == (1, 60)
    assert len(marks) == 9  # 11 notifications minus meeting.started/ended
    assert sum(1 for m in marks if m.person_id is None) == 2  # the guest's join and leave, unnamed


def test_csv_export_and_certificates(scenario: Scenario, tmp_path: Path) -> None:
    play_event_day(scenario)
    result = export_action(scenario.rt, None, None)
    assert result.min_minutes == 192  # 75 % of the 255 programme minutes without the lunch break
    rows = list(csv.reader(io.StringIO(result.csv.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:5] == ["E-mail", "First name", "Last name", "Organisation", "Minutes"]
    by_email = {row[0]: row for row in rows[1:]}
    assert by_email[ALICE][4:6] == ["265", "4,42"] and by_email[ALICE][8] == "yes"
    assert by_email[BOB][4] == "30" and by_email[BOB][8] == "no"
    # Local time (Europe/Berlin), clipped like the minutes: Alice's laptop joined at 09:20, the meeting
    # ran from 09:25 to 14:20.
    assert by_email[ALICE][6:8] == ["27.08.2025 09:25", "27.08.2025 14:20"]
    assert rows[-1][0] == "Guests without registration: 1"
    assert "Gast" not in result.csv

    out = tmp_path / "certs"
    issued = certificates_action(scenario.rt, CertificatesRequest(None, None, out), send=False)
    assert issued.certificates == 1
    (pdf_path,) = out.iterdir()
    assert ALICE_NAME == "François Zimmermann"  # the file name spells it in ASCII
    assert pdf_path.name.startswith("teilnahmebescheinigung-francois-zimmermann-")
    assert pdf_path.suffix == ".pdf"
    assert pdf_path.read_bytes().startswith(b"%PDF-")

    lower = certificates_action(scenario.rt, CertificatesRequest(None, 20, None), send=True)
    mailed = lower.mailing()
    assert mailed is not None and (lower.certificates, sorted(mailed.sent)) == (2, sorted([ALICE, BOB]))
    again = certificates_action(scenario.rt, CertificatesRequest(None, 20, None), send=True)
    mailed = again.mailing()
    assert mailed is not None and (mailed.sent, sorted(mailed.already_sent)) == ([], sorted([ALICE, BOB]))
    mails = sorted((tmp_path / "mails").glob("*.eml"))
    assert len(mails) == 2
    msg = message_from_bytes(mails[0].read_bytes())
    parts = [p.get_content_type() for p in msg.walk()]
    assert "application/pdf" in parts and "text/plain" in parts


def test_interrupted_send_is_reported_not_repeated(scenario: Scenario, tmp_path: Path) -> None:
    play_event_day(scenario)
    webhook_job.run(scenario.rt)
    with scenario.rt.session() as session:
        event = session.scalars(select(Event)).one()
        items = certificate_attachments(session, event, min_minutes=1, now=scenario.clock.now())
        send_certificates(
            session,
            event,
            items[:1],
            EmlDirectoryTransport(tmp_path / "m"),
            sender="a@example.org",
            now=scenario.clock.now(),
            commit=session.commit,
        )
        row = session.scalars(
            select(AttendanceCertificate).where(AttendanceCertificate.person_id == items[1].person_id)
        ).first()
        assert row is None
        # Simulate a crash after the intent was recorded for the second person.
        send_certificates(
            session,
            event,
            [],
            EmlDirectoryTransport(tmp_path / "m"),
            sender="a@example.org",
            now=scenario.clock.now(),
            commit=session.commit,
        )
        from orchestrator.attendance.certificates import record_certificates

        rows = record_certificates(session, event, items, scenario.clock.now())
        rows[items[1].person_id].state = "sending"
        session.commit()
        outcome = send_certificates(
            session,
            event,
            items,
            EmlDirectoryTransport(tmp_path / "m"),
            sender="a@example.org",
            now=scenario.clock.now(),
            commit=session.commit,
        )
    assert outcome.sent == [] and outcome.already_sent == [items[0].email]
    assert outcome.unresolved == [items[1].email]


def test_send_before_the_meeting_ended_is_refused(scenario: Scenario) -> None:
    from orchestrator.errors import BadInput

    scenario.clock.set(EVENT_START + timedelta(hours=1))
    with pytest.raises(BadInput, match="not ended"):
        certificates_action(scenario.rt, CertificatesRequest(None, None, None), send=True)


def test_first_joined_and_last_left_are_clipped_like_the_minutes(scenario: Scenario) -> None:
    """Joined the waiting room at 08:50 for 09:30, left at 14:40 after the meeting ended at 14:15."""
    mid = scenario.zoom_meeting_id
    bob: dict[str, Any] = dict(participant_uuid="bob-1", name="E. O'Connor", email=BOB)
    scenario.clock.set(at(12, 45))
    with scenario.rt.session() as session:
        for notification in (
            participant_event("meeting.participant_joined", mid, at(6, 50), **bob),
            meeting_event("meeting.started", mid, at(7, 30)),
            meeting_event("meeting.ended", mid, at(12, 15)),
            participant_event("meeting.participant_left", mid, at(12, 40), **bob),
        ):
            store_notification(session, notification, scenario.clock.now())
    result = export_action(scenario.rt, None, None)
    (bob_json,) = [p for p in result.people if p.email == BOB]
    assert bob_json.minutes == 285  # 09:30 – 14:15
    assert (bob_json.first_join, bob_json.last_leave) == (at(7, 30), at(12, 15))
    rows = list(csv.reader(io.StringIO(result.csv.lstrip("\ufeff")), delimiter=";"))
    (bob_row,) = [row for row in rows if row[0] == BOB]
    assert bob_row[4:8] == ["285", "4,75", "27.08.2025 09:30", "27.08.2025 14:15"]
    # Someone who never was in the running meeting has neither.
    assert all(row[6:8] == ["", ""] for row in rows[1:] if row[4] == "0")
