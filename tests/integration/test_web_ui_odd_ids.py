"""Ids from forms that are not ids ("²", 20 digits) get a clear answer, never a 500 or a retry of all;
Zoom registrations the field checks refused are listed with the failures."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from orchestrator.app import App
from orchestrator.db.models import Event, OutboxMessage, Person, ZoomMeeting
from orchestrator.jobs import webhooks as webhook_job
from orchestrator.web.inbox import store_notification
from tests.integration.test_web_ui_support import (
    EVENT_KEY,
    ORGANISER,
    add_account,
    client_for,
    csrf_of,
    event_runtime,
    login,
)
from tests.unit.web.zoom_events import registration_event

DASHBOARD = f"/events/{EVENT_KEY}"
ODD_IDS = ["²", "²³", "1" * 20, "9" * 19, "١", "-1", "1e3"]


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


def failed_mail(rt: App) -> int:
    with rt.session() as session:
        event = session.scalars(select(Event).where(Event.key == EVENT_KEY)).one()
        person = Person(
            event_id=event.id,
            email="anna@example.org",
            email_display="anna@example.org",
            first_name="Anna",
            last_name="Lee",
            language="de",
            wishes=[],
        )
        session.add(person)
        session.flush()
        now = rt.clock.now()
        mail = OutboxMessage(
            event_id=event.id,
            person_id=person.id,
            kind="reminder",
            occasion="reminder:7d",
            state="failed",
            due_at=now,
            attempts=8,
            deadline=now + timedelta(days=30),
            last_error="550 mailbox unavailable",
        )
        session.add(mail)
        session.commit()
        return mail.id


def mail_state(rt: App, mail_id: int) -> str:
    with rt.session() as session:
        mail = session.get(OutboxMessage, mail_id)
        assert mail is not None
        return mail.state


@pytest.mark.parametrize("odd_id", ODD_IDS)
def test_retrying_a_mail_with_an_odd_id_is_refused_clearly(rt: App, client: TestClient, odd_id: str) -> None:
    mail_id = failed_mail(rt)
    token = csrf_of(client.get(DASHBOARD).text)
    answer = client.post(f"{DASHBOARD}/mails/retry", data={"csrf_token": token, "outbox_id": odd_id})
    assert answer.status_code == 303  # was 500 for "²" and 20 digits
    assert mail_state(rt, mail_id) == "failed"  # and not "retry all" either
    assert "Die erneut zu sendende Mail wurde nicht erkannt" in client.get(DASHBOARD).text


def test_retrying_a_mail_by_its_id_still_works(rt: App, client: TestClient) -> None:
    mail_id = failed_mail(rt)
    token = csrf_of(client.get(DASHBOARD).text)
    answer = client.post(f"{DASHBOARD}/mails/retry", data={"csrf_token": token, "outbox_id": str(mail_id)})
    assert answer.status_code == 303
    assert mail_state(rt, mail_id) == "queued"


@pytest.mark.parametrize("odd_round", ["²", "1" * 20])
def test_console_forms_with_an_odd_round_number_are_not_found(client: TestClient, odd_round: str) -> None:
    token = csrf_of(client.get(f"{DASHBOARD}/console").text)
    form = {"csrf_token": token, "round": odd_round, "email": "anna@example.org", "room": "A"}
    assert client.post(f"{DASHBOARD}/console/move", data=form).status_code == 404
    assert client.get(f"{DASHBOARD}/console", params={"round": odd_round}).status_code == 200


def test_refused_zoom_registrations_are_listed_with_the_failures(rt: App, client: TestClient) -> None:
    with rt.session() as session:
        meeting_id = session.scalars(select(ZoomMeeting.zoom_meeting_id)).one()
    notification = registration_event(
        "meeting.registration_created",
        meeting_id,
        rt.clock.now(),
        email="eve@example.org",
        first_name="Eve\r\nBcc: victim@example.org",
        registrant_id="r-eve",
    )
    with rt.sessions() as session:
        store_notification(session, notification, rt.clock.now())
    assert webhook_job.run(rt)["outcomes"] == {"refused:first_name:control_characters": 1}
    page = client.get(DASHBOARD).text
    failures = page[page.index('id="failures"') : page.index('id="mails"')]
    listed = failures[failures.index("Nicht übernommene Anmeldungen von der Zoom-Seite") :]
    assert "<td>Vorname</td>" in listed and "enthält einen Zeilenumbruch oder ein Steuerzeichen" in listed
    assert "victim@example.org" not in page and "eve@example.org" not in page
