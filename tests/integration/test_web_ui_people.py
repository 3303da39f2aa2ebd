"""The people pages: search, filters and pages over many people; one person's page and its actions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event as sa_event
from sqlalchemy import select

from orchestrator.app import App
from orchestrator.db.models import (
    BreakoutAssignment,
    BreakoutRoundRecord,
    Event,
    OutboxMessage,
    Person,
    WebAuditEntry,
    ZoomMeeting,
    ZoomRegistration,
)
from orchestrator.db.models.person import PersonStatus, RegistrationState
from orchestrator.jobs.registrants import zoom_access
from orchestrator.registrants.service import SyncOptions, sync_registrants
from tests.integration.test_web_ui_support import (
    EVENT_KEY,
    MODERATOR,
    ORGANISER,
    add_account,
    client_for,
    csrf_of,
    event_runtime,
    login,
)

PEOPLE = f"/events/{EVENT_KEY}/people"


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


def add_people(rt: App, count: int, *, start: int = 0, **fields: Any) -> list[int]:
    """``count`` people named Person0000… (organisation "Verein Alpha/Beta"), no Zoom registration."""
    with rt.session() as session:
        event = session.scalars(select(Event)).one()
        people = []
        for n in range(start, start + count):
            email = f"person{n:04d}@example.org"
            values: dict[str, Any] = {
                "first_name": f"Vorname{n:04d}",
                "last_name": f"Person{n:04d}",
                "organisation": "Verein Alpha" if n % 2 else "Verein Beta",
                **fields,
            }
            person = Person(event_id=event.id, email=email, email_display=email, wishes=[], **values)
            session.add(person)
            people.append(person)
        session.commit()
        return [p.id for p in people]


def _rows(html: str) -> list[str]:
    """The e-mail addresses in the list's table, in order."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return re.findall(r"<td>([^<>@]+@example\.org)</td>", body)


def test_search_filters_and_pages(rt: App, client: TestClient) -> None:
    add_people(rt, 120)
    [müller] = add_people(rt, 1, start=500, last_name="Zimmermann-Müller", organisation="Caritas Köln")
    [gone] = add_people(rt, 1, start=501, status=PersonStatus.CANCELLED)
    first = client.get(PEOPLE)
    assert first.status_code == 200
    rows = _rows(first.text)
    assert len(rows) == 50 and rows[0] == "person0000@example.org"
    assert "1–50 von 122 Personen" in first.text
    last = client.get(f"{PEOPLE}?page=3")
    assert _rows(last.text)[-2:] == ["person0501@example.org", "person0500@example.org"]
    assert len(_rows(last.text)) == 22
    assert 'aria-current="page">3<' in last.text
    assert len(_rows(client.get(f"{PEOPLE}?page=99").text)) == 22  # past the end: the last page
    # search: case-insensitive on name, e-mail address and organisation; words narrow it down
    assert _rows(client.get(PEOPLE, params={"q": "müller"}).text) == ["person0500@example.org"]
    assert _rows(client.get(PEOPLE, params={"q": "CARITAS köln"}).text) == ["person0500@example.org"]
    assert _rows(client.get(PEOPLE, params={"q": "PERSON0007@"}).text) == ["person0007@example.org"]
    assert _rows(client.get(PEOPLE, params={"q": "%"}).text) == []  # a LIKE wildcard is plain text
    by_org = client.get(PEOPLE, params={"q": "ALPHA verein"}).text
    assert "1–50 von 61 Personen" in by_org
    paged = client.get(PEOPLE, params={"q": "alpha", "page": "2"}).text
    assert 'href="?q=alpha"' in paged  # page links keep the search
    # filters
    assert _rows(client.get(PEOPLE, params={"status": "cancelled"}).text) == ["person0501@example.org"]
    with rt.session() as session:
        meeting = session.scalars(select(ZoomMeeting)).one()
        session.add(ZoomRegistration(person_id=müller, meeting_id=meeting.id, state=RegistrationState.FAILED))
        event = session.scalars(select(Event)).one()
        now = rt.clock.now()
        session.add(
            OutboxMessage(
                event_id=event.id,
                person_id=gone,
                kind="reminder",
                occasion="reminder:7d",
                state="failed",
                due_at=now,
                deadline=now,
            )
        )
        round_one = session.scalars(select(BreakoutRoundRecord).where(BreakoutRoundRecord.number == 1)).one()
        room = round_one.rooms[2].name
        session.add(BreakoutAssignment(round_id=round_one.id, person_id=müller, room_name=room))
        session.commit()
    assert _rows(client.get(PEOPLE, params={"zoom": "failed"}).text) == ["person0500@example.org"]
    assert _rows(client.get(PEOPLE, params={"mail": "failed"}).text) == ["person0501@example.org"]
    assert len(_rows(client.get(PEOPLE, params={"mail": "none"}).text)) == 50
    in_room = client.get(PEOPLE, params={"room": f"1:{room}"}).text
    assert _rows(in_room) == ["person0500@example.org"] and f"Runde 1: {room}" in in_room
    # combined with a search; unknown filter values are ignored, not errors
    assert _rows(client.get(PEOPLE, params={"zoom": "failed", "q": "person0001"}).text) == []
    assert client.get(PEOPLE, params={"zoom": "<x>", "page": "²"}).status_code == 200


@contextmanager
def counted_statements(rt: App) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    sa_event.listen(rt.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa_event.remove(rt.engine, "before_cursor_execute", count)


def test_list_costs_the_same_number_of_statements_for_many_people(rt: App, client: TestClient) -> None:
    add_people(rt, 5)
    client.get(PEOPLE)
    with counted_statements(rt) as few:
        assert client.get(PEOPLE).status_code == 200
    add_people(rt, 150, start=100)
    with counted_statements(rt) as many:
        assert len(_rows(client.get(PEOPLE).text)) == 50
    assert len(many) == len(few), many


def _synced_people(rt: App, count: int) -> list[int]:
    ids = add_people(rt, count, language="de")
    sync_registrants(zoom_access(rt), EVENT_KEY, SyncOptions())
    return ids


def _audit(rt: App) -> list[tuple[str, str, dict[str, Any]]]:
    with rt.session() as session:
        rows = session.scalars(select(WebAuditEntry).order_by(WebAuditEntry.id)).all()
        return [(r.actor, r.action, r.detail) for r in rows]


def test_person_page_shows_everything_but_the_link(rt: App, client: TestClient) -> None:
    [person_id] = _synced_people(rt, 1)
    with rt.session() as session:
        reg = session.scalars(select(ZoomRegistration)).one()
        join_url = reg.join_url
    assert join_url
    page = client.get(f"{PEOPLE}/{person_id}")
    assert page.status_code == 200
    assert "person0000@example.org" in page.text and "registriert, bestätigt" in page.text
    assert join_url not in page.text and "bekannt (nur per E-Mail versandt, nie angezeigt)" in page.text
    assert join_url not in client.get(f"{PEOPLE}?q=person0000").text
    assert client.get(f"{PEOPLE}/999999").status_code == 404
    assert client.get(f"{PEOPLE}/abc").status_code == 404


def test_resend_queues_the_confirmation_and_is_audited(rt: App, client: TestClient) -> None:
    [person_id] = _synced_people(rt, 1)
    page = client.get(f"{PEOPLE}/{person_id}").text
    sent = client.post(f"{PEOPLE}/{person_id}/resend", data={"csrf_token": csrf_of(page)})
    assert sent.status_code == 303
    after = client.get(f"{PEOPLE}/{person_id}").text
    assert "mit der nächsten E-Mail-Auslieferung" in after
    with rt.session() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert (row.occasion, row.state) == ("confirmation", "queued")
        row.state, row.sent_at = "sent", rt.clock.now()
        session.commit()
    client.post(f"{PEOPLE}/{person_id}/resend", data={"csrf_token": csrf_of(after)})
    with rt.session() as session:
        assert session.scalars(select(OutboxMessage.state)).one() == "queued"
    client.post(f"{PEOPLE}/{person_id}/resend", data={"csrf_token": csrf_of(after)})
    assert "wartet bereits auf den Versand" in client.get(f"{PEOPLE}/{person_id}").text
    actions = [(actor, action) for actor, action, _detail in _audit(rt)]
    assert actions == [(ORGANISER, "person.resend_link")] * 2
    # without a working link nothing is queued, and the page says why
    [new_id] = add_people(rt, 1, start=50)
    client.post(f"{PEOPLE}/{new_id}/resend", data={"csrf_token": csrf_of(after)})
    assert "hat noch keinen funktionierenden persönlichen Link" in client.get(f"{PEOPLE}/{new_id}").text


def test_move_cancel_and_forget(rt: App, client: TestClient) -> None:
    person_id, other_id = _synced_people(rt, 2)
    with rt.session() as session:
        round_one = session.scalars(select(BreakoutRoundRecord).where(BreakoutRoundRecord.number == 1)).one()
        rooms = [r.name for r in round_one.rooms]
        session.add(BreakoutAssignment(round_id=round_one.id, person_id=person_id, room_name=rooms[0]))
        session.commit()
        round_id = round_one.id
    page = client.get(f"{PEOPLE}/{person_id}").text
    token = csrf_of(page)
    moved = client.post(
        f"{PEOPLE}/{person_id}/move", data={"csrf_token": token, "round": "1", "room": rooms[1]}
    )
    assert moved.status_code == 303
    assert "wurde von" in client.get(f"{PEOPLE}/{person_id}").text
    with rt.session() as session:
        room = session.scalars(
            select(BreakoutAssignment.room_name).where(
                BreakoutAssignment.person_id == person_id, BreakoutAssignment.round_id == round_id
            )
        ).one()
    assert room == rooms[1]
    # cancel: the same use case as `registrants cancel` (also in Zoom)
    cancelled = client.post(f"{PEOPLE}/{other_id}/cancel", data={"csrf_token": token})
    assert cancelled.status_code == 303
    with rt.session() as session:
        other = session.get(Person, other_id)
        assert other is not None and other.status == PersonStatus.CANCELLED
        meeting_id = session.scalars(select(ZoomMeeting.zoom_meeting_id)).one()
    assert meeting_id is not None
    still_registered = {r["email"] for r in rt.emulator.registrants(meeting_id)}
    assert "person0001@example.org" not in still_registered and "person0000@example.org" in still_registered
    assert "auch in Zoom" in client.get(f"{PEOPLE}/{other_id}").text
    # forget: a confirmation step first
    confirm = client.get(f"{PEOPLE}/{person_id}/forget")
    assert confirm.status_code == 200 and "Dies kann nicht rückgängig gemacht werden" in confirm.text
    refused = client.post(f"{PEOPLE}/{person_id}/forget", data={"csrf_token": token})
    assert refused.status_code == 303 and refused.headers["location"].endswith("/forget")
    with rt.session() as session:
        assert session.get(Person, person_id) is not None
    done = client.post(f"{PEOPLE}/{person_id}/forget", data={"csrf_token": token, "confirm": "1"})
    assert done.status_code == 303 and done.headers["location"] == PEOPLE
    listed = client.get(PEOPLE).text
    assert "Alle Daten der Person wurden gelöscht" in listed and "person0000@example.org" not in listed
    with rt.session() as session:
        assert session.get(Person, person_id) is None
    log = _audit(rt)
    assert [action for _actor, action, _detail in log] == ["person.move", "person.cancel", "person.forget"]
    assert all(actor == ORGANISER for actor, _action, _detail in log)
    assert "person0000" not in str(log[-1][2])


def test_moderators_and_forged_forms_are_refused(rt: App) -> None:
    [person_id] = add_people(rt, 1)
    add_account(rt, MODERATOR, "moderator", event_key=EVENT_KEY)
    moderator = client_for(rt)
    login(moderator, MODERATOR)
    token = csrf_of(moderator.get(f"/events/{EVENT_KEY}/console").text)
    for path in (PEOPLE, f"{PEOPLE}/{person_id}", f"{PEOPLE}/{person_id}/forget"):
        assert moderator.get(path).status_code == 403, path
    for action in ("resend", "cancel", "move", "forget"):
        response = moderator.post(
            f"{PEOPLE}/{person_id}/{action}", data={"csrf_token": token, "confirm": "1"}
        )
        assert response.status_code == 403, action
    organiser = client_for(rt)
    login(organiser)
    forged = organiser.post(f"{PEOPLE}/{person_id}/forget", data={"csrf_token": "x" * 43, "confirm": "1"})
    assert forged.status_code == 403
    with rt.session() as session:
        assert session.get(Person, person_id) is not None
    assert _audit(rt) == []
    anonymous = client_for(rt)
    assert anonymous.get(PEOPLE).status_code == 303


def test_a_failed_action_writes_no_audit_row(rt: App, client: TestClient) -> None:
    """The audit row commits with the change: no change, no row; a stored change, a row."""
    person_id, other_id = _synced_people(rt, 2)
    token = csrf_of(client.get(f"{PEOPLE}/{person_id}").text)
    # move into a room the round does not have: refused, nothing logged
    refused = client.post(
        f"{PEOPLE}/{person_id}/move", data={"csrf_token": token, "round": "1", "room": "Kein solcher Raum"}
    )
    assert refused.status_code == 303
    assert _audit(rt) == []
    # forget while Zoom refuses the cancellation: nothing deleted, nothing logged
    status_path = "/v2/meetings/*/registrants/status"
    # a daily limit: the client does not retry it (no waiting in the test)
    rule = rt.emulator.faults.inject("429-daily", path_glob=status_path, methods={"PUT"})
    failed = client.post(f"{PEOPLE}/{person_id}/forget", data={"csrf_token": token, "confirm": "1"})
    assert failed.status_code == 303 and failed.headers["location"] == f"{PEOPLE}/{person_id}"
    assert rule.fired >= 1
    assert "es wurde nichts gelöscht" in client.get(f"{PEOPLE}/{person_id}").text
    with rt.session() as session:
        assert session.get(Person, person_id) is not None
    assert _audit(rt) == []
    # cancel while Zoom refuses: the cancellation is stored (the next run repeats it in Zoom), so it
    # is logged, in the same transaction, although the page reports the failure
    client.post(f"{PEOPLE}/{other_id}/cancel", data={"csrf_token": token})
    with rt.session() as session:
        other = session.get(Person, other_id)
        assert other is not None and other.status == PersonStatus.CANCELLED
        reg_state = session.scalars(
            select(ZoomRegistration.state).where(ZoomRegistration.person_id == other_id)
        ).one()
    assert reg_state == RegistrationState.CANCEL_INTENT
    assert [(action, detail) for _actor, action, detail in _audit(rt)] == [
        ("person.cancel", {"person_id": other_id, "zoom": True})
    ]
    rt.emulator.faults.clear()
    # cancelling again finishes it in Zoom (logged: it changes the registration); a third time
    # changes nothing and logs nothing
    client.post(f"{PEOPLE}/{other_id}/cancel", data={"csrf_token": token})
    with rt.session() as session:
        reg_state = session.scalars(
            select(ZoomRegistration.state).where(ZoomRegistration.person_id == other_id)
        ).one()
    assert reg_state == RegistrationState.CANCELLED
    assert len(_audit(rt)) == 2
    client.post(f"{PEOPLE}/{other_id}/cancel", data={"csrf_token": token})
    assert "war bereits storniert" in client.get(f"{PEOPLE}/{other_id}").text
    assert len(_audit(rt)) == 2
