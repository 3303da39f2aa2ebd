"""The planner: one row per (person, kind, occasion), idempotent, following agenda and people."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from orchestrator.agenda import LoadedAgenda, load_agenda
from orchestrator.db.models import Event, OutboxMessage, Person
from orchestrator.events import upsert_event
from orchestrator.jobs import mail as mail_job
from orchestrator.jobs.registrants import zoom_access
from orchestrator.registrants.service import cancel_registrations
from tests.conftest import SAMPLE_AGENDA
from tests.unit.mail_outbox.support import REGISTRATION_TIME, START, event_with_people, states


def _row(rt, email: str, occasion: str) -> OutboxMessage:  # type: ignore[no-untyped-def]
    with rt.session() as session:
        return session.scalars(
            select(OutboxMessage)
            .join(Person)
            .where(Person.email == email, OutboxMessage.occasion == occasion)
        ).one()


def _first_email(rt) -> str:  # type: ignore[no-untyped-def]
    with rt.session() as session:
        return session.scalars(select(Person.email).order_by(Person.id)).first()


def test_planning_twice_queues_nothing_twice(sqlite_url: str, tmp_path: Path) -> None:
    rt = event_with_people(sqlite_url, tmp_path)
    first = mail_job.plan(rt, None)
    second = mail_job.plan(rt, None)
    # 235 people in Zoom × (confirmation + 3 reminders + thank-you); no breakout plan yet.
    assert first.created == 235 * 5
    assert second.created == 0 and second.rescheduled == 0
    assert states(rt) == {"queued": 1175}


def test_outbox_uniqueness_is_a_database_constraint(database_url: str, tmp_path: Path) -> None:
    rt = event_with_people(database_url, tmp_path)
    mail_job.plan(rt, None)
    with rt.session() as session:
        row = session.scalars(select(OutboxMessage).limit(1)).one()
        session.add(
            OutboxMessage(
                event_id=row.event_id,
                person_id=row.person_id,
                kind=row.kind,
                occasion=row.occasion,
                due_at=row.due_at,
                deadline=row.deadline,
            )
        )
        with pytest.raises(IntegrityError):
            session.commit()


def test_late_registrant_gets_the_confirmation_but_not_the_stale_reminder(
    sqlite_url: str, tmp_path: Path
) -> None:
    # Registered 3 days before the start: after the 7-day reminder's time.
    rt = event_with_people(sqlite_url, tmp_path, at=START - timedelta(days=3))
    mail_job.plan(rt, None)
    assert states(rt, "reminder:7d") == {"skipped": 235}
    assert states(rt, "reminder:1d") == {"queued": 235}
    report = mail_job.run(rt, None)
    assert report.sent_by_occasion == {"confirmation": 235}
    row = _row(rt, _first_email(rt), "reminder:7d")
    assert (row.state, row.reason) == ("skipped", "registered_late")


def test_moved_event_moves_its_unsent_reminders(sqlite_url: str, tmp_path: Path) -> None:
    rt = event_with_people(sqlite_url, tmp_path)
    mail_job.plan(rt, None)
    email = _first_email(rt)
    before = _row(rt, email, "reminder:1d")
    loaded = load_agenda(SAMPLE_AGENDA, now=rt.clock.now())
    moved = LoadedAgenda(agenda=loaded.agenda.shifted(timedelta(days=7)), warnings=[], source=SAMPLE_AGENDA)
    with rt.session() as session:
        upsert_event(session, moved)
        session.commit()
    report = mail_job.plan(rt, None)
    after = _row(rt, email, "reminder:1d")
    assert after.id == before.id
    assert after.due_at == before.due_at + timedelta(days=7)
    assert after.deadline == START + timedelta(days=7) - timedelta(hours=1)
    # Every unsent row moved: 3 reminders, the thank-you, and the confirmation's deadline (event end).
    assert report.rescheduled == 235 * 5


def test_overdue_mail_is_skipped_and_comes_back_when_the_event_moves(sqlite_url: str, tmp_path: Path) -> None:
    rt = event_with_people(sqlite_url, tmp_path)
    mail_job.plan(rt, None)
    # The service was down for a week: the 7-day reminder's useful window (until the 1-day one) passed.
    rt.clock.set(START - timedelta(hours=20))
    report = mail_job.run(rt, None)
    assert report.skipped_overdue == {"reminder:7d": 235}
    assert report.sent_by_occasion == {"confirmation": 235, "reminder:1d": 235}
    assert states(rt, "reminder:7d") == {"skipped": 235}
    # The event moves two weeks later: the skipped reminder is useful again and queued.
    loaded = load_agenda(SAMPLE_AGENDA, now=REGISTRATION_TIME)
    moved = LoadedAgenda(agenda=loaded.agenda.shifted(timedelta(days=14)), warnings=[], source=SAMPLE_AGENDA)
    with rt.session() as session:
        upsert_event(session, moved)
        session.commit()
    assert mail_job.plan(rt, None).requeued == 235
    assert states(rt, "reminder:7d") == {"queued": 235}
    assert states(rt, "reminder:1d") == {"sent": 235}  # sent stays sent


def test_cancelled_person_has_unsent_mails_cancelled(sqlite_url: str, tmp_path: Path) -> None:
    rt = event_with_people(sqlite_url, tmp_path)
    mail_job.run(rt, None)  # confirmations go out
    email = _first_email(rt)
    cancel_registrations(zoom_access(rt), None, [email])
    report = mail_job.plan(rt, None)
    assert report.cancelled_reasons == {"person_cancelled": 4}
    assert _row(rt, email, "confirmation").state == "sent"
    assert _row(rt, email, "reminder:1d").state == "cancelled"


def test_breakout_room_mails_only_for_people_with_a_room(sqlite_url: str, tmp_path: Path) -> None:
    from orchestrator.jobs import breakouts as breakouts_job

    rt = event_with_people(sqlite_url, tmp_path)
    breakouts_job.plan_all(rt, None)
    mail_job.plan(rt, None)
    with rt.session() as session:
        event_id = session.scalars(select(Event.id)).one()
        from orchestrator.breakouts.queries import assignments_for_round

        placed = len(assignments_for_round(session, event_id, 1))
        rows = session.scalar(select(func.count()).where(OutboxMessage.occasion == "breakout:1"))
    assert placed > 0 and rows == placed


def test_person_deleted_takes_the_rows_along(sqlite_url: str, tmp_path: Path) -> None:
    rt = event_with_people(sqlite_url, tmp_path)
    mail_job.plan(rt, None)
    with rt.session() as session:
        person = session.scalars(select(Person).order_by(Person.id)).first()
        session.delete(person)
        session.commit()
    assert sum(states(rt).values()) == 1175 - 5
