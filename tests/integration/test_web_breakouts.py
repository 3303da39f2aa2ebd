"""The organiser's breakouts page: plan per round, re-plan, rebalance with a preview, exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from orchestrator.app import App
from orchestrator.breakouts import service
from orchestrator.db.models import BreakoutAssignment, BreakoutRoundRecord, Event, Person, WebAuditEntry
from orchestrator.events import agenda_of
from orchestrator.jobs.breakouts import plan_all
from orchestrator.registrants import parse_registrations
from orchestrator.registrants.store import apply_import
from tests.conftest import FIXTURE_CSV
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

PAGE = f"/events/{EVENT_KEY}/breakouts"


@pytest.fixture
def rt(database_url: str, tmp_path: Path) -> App:
    runtime = event_runtime(database_url, tmp_path)
    with runtime.session() as session:
        event = session.scalars(select(Event)).one()
        batch = parse_registrations(FIXTURE_CSV, workshops=agenda_of(event).workshops())
        apply_import(
            session, event, batch, default_language="de", cancel_missing=False, now=runtime.clock.now()
        )
        session.commit()
    plan_all(runtime, None)
    add_account(runtime, ORGANISER, "organiser")
    add_account(runtime, MODERATOR, "moderator", event_key=EVENT_KEY)
    return runtime


@pytest.fixture
def client(rt: App) -> TestClient:
    client = client_for(rt)
    login(client)
    return client


def _placements(rt: App) -> dict[tuple[int, str], str]:
    with rt.session() as session:
        rows = session.execute(
            select(BreakoutRoundRecord.number, Person.email, BreakoutAssignment.room_name)
            .join(BreakoutRoundRecord, BreakoutRoundRecord.id == BreakoutAssignment.round_id)
            .join(Person, Person.id == BreakoutAssignment.person_id)
        ).all()
    return {(number, email): room for number, email, room in rows}


def _audit(rt: App) -> list[str]:
    with rt.session() as session:
        return list(session.scalars(select(WebAuditEntry.action).order_by(WebAuditEntry.id)))


def _displace(rt: App) -> tuple[str, str, str]:
    """Put one planned person of round 1 into another room with a free seat (a worse plan)."""
    overview = service.overview(rt.store, rt.clock, None)
    free = [r.room for r in overview.rounds[0].rooms if r.assigned < r.capacity]
    placements = _placements(rt)
    for (number, email), room in sorted(placements.items()):
        theirs = {placements.get((n, email)) for n in (1, 2)}
        target = next((f for f in free if f not in theirs), None)
        if number == 1 and target is not None and room != target:
            with rt.session() as session:
                row = session.execute(
                    select(BreakoutAssignment)
                    .join(Person, Person.id == BreakoutAssignment.person_id)
                    .join(BreakoutRoundRecord, BreakoutRoundRecord.id == BreakoutAssignment.round_id)
                    .where(Person.email == email, BreakoutRoundRecord.number == 1)
                ).scalar_one()
                row.room_name = target
                session.commit()
            return email, room, target
    raise AssertionError("no room with a free seat")


def test_plan_per_round_with_wishes_and_capacity(rt: App, client: TestClient) -> None:
    page = client.get(PAGE)
    assert page.status_code == 200
    overview = service.overview(rt.store, rt.clock, None)
    assert [r.round for r in overview.rounds] == [1, 2]
    for rnd in overview.rounds:
        assert sum(room.assigned for room in rnd.rooms) == overview.people - rnd.unplaced
        assert rnd.wishes.total == sum(room.assigned for room in rnd.rooms)
        assert rnd.wishes.first > 0
        for room in rnd.rooms:
            assert f"{room.assigned}/{room.capacity}" in page.text
            assert room.room in page.text or room.room.replace("&", "&amp;") in page.text
    assert "Zoom-CSV" in page.text or "Zoom CSV" in page.text


def test_replan_keeps_everyone_and_is_audited(rt: App, client: TestClient) -> None:
    before = _placements(rt)
    token = csrf_of(client.get(PAGE).text)
    answer = client.post(f"{PAGE}/plan", data={"csrf_token": token, "round": ""})
    assert answer.status_code == 303
    assert _placements(rt) == before
    assert _audit(rt) == ["breakouts.plan"]
    shown = client.get(PAGE).text
    assert 'class="message message-ok"' in shown


def test_rebalance_shows_who_moves_then_applies_exactly_that(rt: App, client: TestClient) -> None:
    email, _planned_room, worse_room = _displace(rt)
    displaced = _placements(rt)
    token = csrf_of(client.get(PAGE).text)
    preview = client.post(f"{PAGE}/rebalance", data={"csrf_token": token, "round": "1"})
    assert preview.status_code == 200
    assert email in preview.text and 'name="confirm"' in preview.text
    assert _placements(rt) == displaced  # the preview stored nothing
    assert _audit(rt) == []
    expected = service.plan(
        rt.store, rt.clock, None, service.PlanOptions(round_number=1, rebalance=True), dry_run=True
    )
    confirm = csrf_of(preview.text)
    fingerprint = preview.text.split('name="confirm" value="')[1].split('"')[0]
    applied = client.post(
        f"{PAGE}/rebalance", data={"csrf_token": confirm, "round": "1", "confirm": fingerprint}
    )
    assert applied.status_code == 303
    after = _placements(rt)
    assert after[(1, email)] != worse_room
    moved = {(m.round, m.email): m.after for m in expected.moved}
    assert moved and all(after[where] == room for where, room in moved.items())
    assert _audit(rt) == ["breakouts.rebalance"]


def test_rebalance_refused_when_the_plan_changed_since_the_preview(rt: App, client: TestClient) -> None:
    _displace(rt)
    token = csrf_of(client.get(PAGE).text)
    preview = client.post(f"{PAGE}/rebalance", data={"csrf_token": token, "round": "1"})
    fingerprint = preview.text.split('name="confirm" value="')[1].split('"')[0]
    _displace(rt)  # someone else changed the plan meanwhile
    changed = _placements(rt)
    answer = client.post(
        f"{PAGE}/rebalance", data={"csrf_token": csrf_of(preview.text), "round": "1", "confirm": fingerprint}
    )
    assert answer.status_code == 200 and 'class="message message-error"' in answer.text
    assert 'name="confirm"' in answer.text  # the new preview
    assert _placements(rt) == changed
    assert _audit(rt) == []


def test_exports_are_the_commands_files(rt: App, client: TestClient, tmp_path: Path) -> None:
    written = service.export(rt.store, None, 1, "zoom-csv", tmp_path / "out.csv")
    download = client.get(f"{PAGE}/export", params={"round": "1", "format": "zoom-csv"})
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.content == Path(written.files[0]).read_bytes()
    roster = client.get(f"{PAGE}/export", params={"round": "2", "format": "roster-html"})
    assert roster.status_code == 200 and "<html" in roster.text.lower()
    csv = client.get(f"{PAGE}/export", params={"round": "2", "format": "roster-csv"})
    assert csv.status_code == 200 and "text/csv" in csv.headers["content-type"]
    bad = client.get(f"{PAGE}/export", params={"round": "9", "format": "zoom-csv"})
    assert bad.status_code == 303


def test_csrf_and_roles(rt: App, client: TestClient) -> None:
    assert client.post(f"{PAGE}/plan", data={"round": ""}).status_code == 403
    assert client.post(f"{PAGE}/rebalance", data={"csrf_token": "x"}).status_code == 403
    moderator = client_for(rt)
    login(moderator, MODERATOR)
    assert moderator.get(PAGE).status_code == 403
    assert moderator.get(f"{PAGE}/export", params={"round": "1", "format": "zoom-csv"}).status_code == 403
    token = csrf_of(moderator.get(f"/events/{EVENT_KEY}/console").text)
    assert moderator.post(f"{PAGE}/plan", data={"csrf_token": token}).status_code == 403
    assert _audit(rt) == []
