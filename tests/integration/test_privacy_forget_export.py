"""person export / forget / purge-expired: nothing about a forgotten person remains in any table."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from orchestrator.attendance.service import CertificatesRequest
from orchestrator.cli import app
from orchestrator.cli import state as cli_state
from orchestrator.cli.attendance_cmd import certificates_action
from orchestrator.cli.person_cmd import forget_action, purge_action
from orchestrator.db.base import Base
from orchestrator.db.models import (
    BreakoutRoom,
    Event,
    LoginAttempt,
    Person,
    PrivacyAudit,
    WebhookEvent,
    WebUser,
)
from orchestrator.db.models.users import UserRole
from orchestrator.errors import BadInput
from orchestrator.events import agenda_of
from orchestrator.jobs import webhooks as webhook_job
from orchestrator.meeting.service import meeting_status
from orchestrator.privacy.service import person_export
from orchestrator.web.inbox import store_notification
from tests.support.registration_export import fachtag_export
from tests.unit.web.scenario import EVENT_END, EVENT_START, Scenario, make_scenario
from tests.unit.web.zoom_events import meeting_event, participant_event

FIXTURE = fachtag_export().facts
ALICE = FIXTURE.first.email
OTHER = FIXTURE.second.email
# Fixture names repeat: Alice gets a name nobody else has, so "no trace" is checkable.
ALICE_FIRST, ALICE_LAST = "Zerlinde", "Quastenflosser"


@pytest.fixture
def scenario(database_url: str, tmp_path: Path) -> Iterator[Scenario]:
    scenario = make_scenario(database_url, tmp_path)
    yield scenario
    scenario.rt.close()


def store(scenario: Scenario, notification: dict[str, object]) -> None:
    with scenario.rt.sessions() as session:
        store_notification(session, notification, scenario.clock.now())


def alice_attends(scenario: Scenario) -> tuple[str, str]:
    """Alice registers, attends, gets a certificate mail; one notification about her stays unprocessed."""
    with scenario.rt.session() as session:
        alice = session.scalars(select(Person).where(Person.email == ALICE)).one()
        alice.first_name, alice.last_name = ALICE_FIRST, ALICE_LAST
        session.commit()
    reg = scenario.register_with_zoom(ALICE)
    assert reg.zoom_registrant_id and reg.join_url
    mid = scenario.zoom_meeting_id
    scenario.clock.set(EVENT_END + timedelta(minutes=10))
    for notification in [
        meeting_event("meeting.started", mid, EVENT_START),
        participant_event(
            "meeting.participant_joined",
            mid,
            EVENT_START,
            participant_uuid="a1",
            name=f"{ALICE_FIRST} {ALICE_LAST}",
            registrant_id=reg.zoom_registrant_id,
        ),
        participant_event(
            "meeting.participant_joined", mid, EVENT_START, participant_uuid="o1", name="Elif O.", email=OTHER
        ),
        meeting_event("meeting.ended", mid, EVENT_END),
    ]:
        store(scenario, notification)
    certificates_action(scenario.rt, CertificatesRequest(None, 60, None), send=True)
    # A late notification naming her, not processed yet when she asks to be forgotten.
    store(
        scenario,
        participant_event(
            "meeting.participant_left",
            mid,
            EVENT_END,
            participant_uuid="a1",
            name=f"{ALICE_FIRST} {ALICE_LAST}",
            email=ALICE,
        ),
    )
    return reg.zoom_registrant_id, reg.join_url


def mentions(scenario: Scenario, needles: list[str]) -> list[str]:
    """Every table/row in the whole store whose text contains one of ``needles``."""
    found: list[str] = []
    with scenario.rt.session() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)).all():
                text = " ".join(str(value) for value in row).lower()
                found.extend(f"{table.name}: {needle}" for needle in needles if needle.lower() in text)
    return found


def test_export_contains_everything_stored(scenario: Scenario) -> None:
    registrant_id, join_url = alice_attends(scenario)
    data = person_export(scenario.rt.store, ALICE.upper(), None)
    (record,) = data.records
    assert record["person"]["email"] == ALICE and record["person"]["last_name"] == ALICE_LAST
    related = record["related"]
    assert related["zoom_registration"][0]["join_url"] == join_url
    assert related["zoom_registration"][0]["zoom_registrant_id"] == registrant_id
    assert [m["kind"] for m in related["attendance_mark"]] == ["join"]
    assert related["attendance_certificate"][0]["state"] == "sent"
    assert len(data.unprocessed_zoom_notifications) == 1
    with pytest.raises(BadInput):
        person_export(scenario.rt.store, "nobody@example.org", None)


def test_forget_leaves_no_trace_in_any_table(scenario: Scenario, tmp_path: Path) -> None:
    registrant_id, join_url = alice_attends(scenario)
    mail_dir = tmp_path / "mails"
    assert len(list(mail_dir.glob("*.eml"))) == 2  # Alice's and the other person's certificate
    assert mentions(scenario, [ALICE, ALICE_LAST, registrant_id, join_url])  # the check can fail

    result = forget_action(scenario.rt, ALICE, None)

    assert result.zoom_cancelled == 1 and result.mail_files == 1 and result.webhook_events == 1
    assert result.rows["zoom_registration"] == 1 and result.rows["attendance_certificate"] == 1
    assert mentions(scenario, [ALICE, ALICE_LAST, registrant_id, join_url]) == []
    remaining = [p.read_bytes() for p in mail_dir.glob("*.eml")]
    assert len(remaining) == 1 and ALICE.encode() not in remaining[0]
    approved = {r["email"] for r in scenario.rt.zoom.iter_registrants(scenario.zoom_meeting_id, "approved")}
    assert ALICE not in approved
    with scenario.rt.session() as session:
        audit = session.scalars(select(PrivacyAudit)).one()
        assert audit.action == "forget" and audit.subject.startswith("person #")
        assert session.scalar(select(Person).where(Person.email == OTHER)) is not None  # others untouched
    # The remaining notifications still process (nothing refers to the deleted person).
    assert webhook_job.run(scenario.rt)["failed"] == 0
    with pytest.raises(BadInput):
        forget_action(scenario.rt, ALICE, None)


def test_retention_purges_people_after_the_period(scenario: Scenario) -> None:
    alice_attends(scenario)
    days = scenario.rt.settings.retention_days
    scenario.clock.set(EVENT_END + timedelta(days=days) - timedelta(hours=1))
    assert purge_action(scenario.rt, dry_run=False).events == []
    scenario.clock.set(EVENT_END + timedelta(days=days, hours=1))
    preview = purge_action(scenario.rt, dry_run=True).events[0]
    assert preview.people > 100 and preview.webhook_events == 5
    with scenario.rt.session() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == preview.people  # dry run kept all
    purge_action(scenario.rt, dry_run=False)
    assert mentions(scenario, [ALICE, OTHER, ALICE_LAST, FIXTURE.second.last_name]) == []
    with scenario.rt.session() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 0
        assert session.scalar(select(func.count()).select_from(WebhookEvent)) == 0
        assert session.scalars(select(PrivacyAudit.action)).all() == ["retention_purge"]
    assert purge_action(scenario.rt, dry_run=False).events[0].people == 0  # idempotent


def test_every_reference_to_a_person_cascades() -> None:
    """Forget relies on the database: every foreign key to person must delete with it."""
    from orchestrator.privacy.references import person_columns

    columns = person_columns()
    assert len(columns) >= 4  # registration, attendance marks, certificates, breakouts …
    for table, column in columns:
        for fk in column.foreign_keys:
            assert fk.ondelete == "CASCADE", f"{table.name}.{column.name}"


def test_retention_removes_moderators_from_the_stored_agenda(scenario: Scenario) -> None:
    """The agenda names moderators with their e-mail addresses: after the purge no trace of them is left."""
    with scenario.rt.session() as session:
        event = session.scalars(select(Event)).one()
        moderators = [m for _round, _room, m in agenda_of(event).moderators()]
        emails = sorted({m.email for m in moderators})
        names = sorted({m.name for m in moderators})
        rooms_before = {(r.round.number, r.name, r.capacity) for r in session.scalars(select(BreakoutRoom))}
        # A moderator account for this event, and a failed login of another moderator.
        session.add(WebUser(email=emails[0], password_hash="x", role=UserRole.MODERATOR, event_id=event.id))
        session.add(LoginAttempt(key=f"account:{emails[1]}", failures=2, last_attempt_at=EVENT_END))
        session.commit()
    assert len(emails) >= 5
    assert set(mentions(scenario, emails)) >= {
        "event: " + emails[0],
        "breakout_room: " + emails[0],
        "web_user: " + emails[0],
        "login_attempt: " + emails[1],
    }
    days = scenario.rt.settings.retention_days
    scenario.clock.set(EVENT_END + timedelta(days=days, hours=1))
    preview = purge_action(scenario.rt, dry_run=True).events[0]
    assert (preview.moderators, preview.moderator_accounts) == (len(emails), 1)
    assert mentions(scenario, emails)  # a dry run changes nothing
    cli_state.set_runtime(scenario.rt)
    try:
        shown = CliRunner().invoke(app, ["--lang", "en", "person", "purge-expired", "--dry-run"])
    finally:
        cli_state.set_runtime(None)
    assert f"{len(emails)} moderators in the agenda, 1 moderator accounts (dry run)" in shown.output

    purge_action(scenario.rt, dry_run=False)

    assert mentions(scenario, emails) == []
    assert mentions(scenario, names) == []
    with scenario.rt.session() as session:
        event = session.scalars(select(Event)).one()
        agenda = agenda_of(event)  # still a valid agenda: what the event needs afterwards keeps working
        left = {(m.name, m.email) for _round, _room, m in agenda.moderators()}
        assert all(email.endswith("@redacted.example") for _name, email in left)
        assert len(left) == len(emails)  # one placeholder per moderator, the same one in every round
        assert {
            (r.round.number, r.name, r.capacity) for r in session.scalars(select(BreakoutRoom))
        } == rooms_before
        audit = session.scalars(select(PrivacyAudit)).one()
        assert audit.detail["moderators"] == len(emails) and audit.detail["moderator_accounts"] == 1
    assert meeting_status(scenario.rt.store, scenario.rt.zoom, None).title
    again = purge_action(scenario.rt, dry_run=False).events[0]
    assert (again.moderators, again.moderator_accounts) == (0, 0)  # idempotent
