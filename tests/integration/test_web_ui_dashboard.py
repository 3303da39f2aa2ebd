"""The organiser dashboard: upload with row report, registrants with Zoom and mail state, retry, schedule."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from orchestrator.app import App
from orchestrator.db.models import Event, OutboxMessage, Person, ZoomMeeting, ZoomRegistration
from orchestrator.db.models.person import RegistrationState
from tests.conftest import FIXTURE_CSV
from tests.integration.test_web_ui_support import (
    EVENT_KEY,
    ORGANISER,
    add_account,
    client_for,
    csrf_of,
    event_runtime,
    login,
)

DASHBOARD = f"/events/{EVENT_KEY}"


@pytest.fixture
def rt(database_url: str, tmp_path: Path) -> App:
    runtime = event_runtime(database_url, tmp_path)
    add_account(runtime, ORGANISER, "organiser")
    return runtime


@pytest.fixture
def client(rt: App) -> TestClient:
    client = client_for(rt)
    login(client)
    return client


def _upload(client: TestClient, content: bytes, name: str = "anmeldungen.csv", **flags: str) -> str:
    token = csrf_of(client.get(DASHBOARD).text)
    response = client.post(
        f"{DASHBOARD}/import",
        data={"csrf_token": token, **flags},
        files={"file": (name, content, "text/csv")},
    )
    assert response.status_code == 200, response.text[:500]
    return response.text


def _people(rt: App) -> int:
    with rt.session() as session:
        return len(session.scalars(select(Person)).all())


def _figure(html: str, label: str) -> int:
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>(\d+)</dd>", html)
    assert match is not None, label
    return int(match.group(1))


def test_upload_shows_the_row_report_and_dry_run_changes_nothing(rt: App, client: TestClient) -> None:
    checked = _upload(client, FIXTURE_CSV.read_bytes(), dry_run="1")
    assert "Importprüfung (nichts wurde geändert)" in checked
    assert _people(rt) == 0
    report = _upload(client, FIXTURE_CSV.read_bytes())
    assert "Importbericht" in report and "anmeldungen.csv" in report
    assert _figure(report, "Gelesene Zeilen") == 246
    assert _figure(report, "Abgelehnte Zeilen") == 5
    assert _figure(report, "Personen") == 235 == _people(rt)
    # the header-injection row is shown escaped, never as markup or a raw line break
    assert "\\r\\nBcc: victim@example.com" in report
    assert "Bcc: victim@example.com\r" not in report
    # the temp path of the upload never shows
    assert "orchestrator-upload-" not in report
    again = _upload(client, FIXTURE_CSV.read_bytes())
    assert _figure(again, "Neu") == 0 and _people(rt) == 235


def test_unusable_upload_is_explained_on_the_dashboard(rt: App, client: TestClient) -> None:
    token = csrf_of(client.get(DASHBOARD).text)
    response = client.post(
        f"{DASHBOARD}/import",
        data={"csrf_token": token},
        files={"file": ("<b>liste</b>.csv", b"Name;Ort\nA;B\n", "text/csv")},
    )
    assert response.status_code == 303
    page = client.get(DASHBOARD).text
    alert = page[page.index('role="alert"') :]
    assert "Pflichtspalten nicht gefunden: E-Mail (email)" in alert[: alert.index("</div>")]
    assert "orchestrator-upload-" not in page and "<b>liste" not in page
    assert _people(rt) == 0


def test_uploaded_file_names_are_shown_harmless() -> None:
    from orchestrator.web.ui.dashboard import _display_name

    assert _display_name("C:\\Users\\x\\<i>liste<i>.csv") == "_i_liste_i_.csv"
    assert _display_name("../../etc/passwd") == "passwd"
    assert _display_name("") == "upload.csv"


def test_registrants_with_zoom_and_mail_state_and_sync(rt: App, client: TestClient) -> None:
    _upload(client, FIXTURE_CSV.read_bytes())
    page = client.get(f"{DASHBOARD}?state=new").text
    assert "noch nicht an Zoom übermittelt: 235" in page
    token = csrf_of(page)
    synced = client.post(f"{DASHBOARD}/registrations/sync", data={"csrf_token": token})
    assert synced.status_code == 303
    page = client.get(DASHBOARD).text
    assert "Abgleich mit Zoom erledigt: 235 registriert, 0 abgelehnt." in page
    assert "registriert, bestätigt: 235" in page
    meeting_id = _meeting_id(rt)
    assert len(rt.emulator.registrants(meeting_id)) == 235
    # mail state per person and the schedule come from the outbox
    with rt.session() as session:
        person = session.scalars(select(Person).order_by(Person.email)).first()
        assert person is not None
        now = rt.clock.now()
        session.add(
            OutboxMessage(
                event_id=person.event_id,
                person_id=person.id,
                kind="confirmation",
                occasion="confirmation",
                state="sent",
                due_at=now,
                deadline=now + timedelta(days=30),
                sent_at=now,
            )
        )
        session.add(
            OutboxMessage(
                event_id=person.event_id,
                person_id=person.id,
                kind="reminder",
                occasion="reminder:7d",
                state="failed",
                due_at=now,
                attempts=8,
                deadline=now + timedelta(days=30),
                last_error="550 mailbox unavailable",
            )
        )
        session.commit()
        email = person.email
    page = client.get(DASHBOARD).text
    row = page[page.index(f"<td>{email}</td>") :]
    row = row[: row.index("</tr>")]
    assert 'Anmeldebestätigung: <span class="state state-sent">gesendet</span>' in row
    assert 'Erinnerung (7d vorher): <span class="state state-failed">fehlgeschlagen</span>' in row
    failures = page[page.index('id="failures"') : page.index('id="mails"')]
    assert "550 mailbox unavailable" in failures and email in failures
    schedule = page[page.index('id="mails"') :]
    assert "Erinnerung (7d vorher)" in schedule and "Dankes-E-Mail" in schedule
    # a failed mail can be queued again from the dashboard
    retried = client.post(f"{DASHBOARD}/mails/retry", data={"csrf_token": csrf_of(page)})
    assert retried.status_code == 303 and retried.headers["location"].endswith("#failures")
    page = client.get(DASHBOARD).text
    assert "1 fehlgeschlagene E-Mails wurden erneut eingeplant" in page
    with rt.session() as session:
        again = session.scalars(select(OutboxMessage).where(OutboxMessage.occasion == "reminder:7d")).one()
        assert (again.state, again.attempts, again.last_error) == ("queued", 0, None)


def test_retry_sends_a_failed_registration_to_zoom_again(rt: App, client: TestClient) -> None:
    with rt.session() as session:
        event = session.scalars(select(Event)).one()
        meeting = session.scalars(select(ZoomMeeting)).one()
        email = "late.person@example.org"
        person = Person(
            event_id=event.id,
            email=email,
            email_display=email,
            first_name="Late",
            last_name="Person",
            wishes=[],
        )
        session.add(person)
        session.flush()
        failed = RegistrationState.FAILED
        session.add(
            ZoomRegistration(
                person_id=person.id,
                meeting_id=meeting.id,
                state=failed,
                last_error="Zoom was unavailable (503).",
            )
        )
        session.commit()
    page = client.get(DASHBOARD).text
    failures = page[page.index('id="failures"') : page.index('id="mails"')]
    assert "late.person@example.org" in failures and "Zoom was unavailable (503)." in failures
    response = client.post(
        f"{DASHBOARD}/registrations/retry",
        data={"csrf_token": csrf_of(page), "email": "late.person@example.org"},
    )
    assert response.status_code == 303 and response.headers["location"].endswith("#failures")
    page = client.get(DASHBOARD).text
    assert "1 Registrierungen erneut an Zoom gesendet; 1 registriert, 0 weiterhin abgelehnt." in page
    assert "Keine abgelehnten Registrierungen." in page
    emails = [r["email"] for r in rt.emulator.registrants(_meeting_id(rt))]
    assert emails == ["late.person@example.org"]
    with rt.session() as session:
        state = session.scalars(select(ZoomRegistration.state)).one()
    assert state == RegistrationState.REGISTERED


def _meeting_id(rt: App) -> int:
    with rt.session() as session:
        value = session.scalars(select(ZoomMeeting.zoom_meeting_id)).one()
    assert value is not None
    return value
