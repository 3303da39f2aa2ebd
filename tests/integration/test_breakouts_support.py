"""Shared set-up for the breakout integration tests: event + meeting + people from the fixture CSV."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from orchestrator.agenda import load_agenda
from orchestrator.app import App
from orchestrator.clock import FrozenClock
from orchestrator.db.models import Event, Person, ZoomMeeting
from orchestrator.db.models.person import PersonStatus
from orchestrator.events import agenda_of
from orchestrator.meeting.service import run_setup
from orchestrator.registrants import parse_registrations
from orchestrator.registrants.store import apply_import
from tests.conftest import FIXTURE_CSV, SAMPLE_AGENDA
from tests.support.runtime import make_runtime

# Round 1 of the sample Fachtag starts 27.08.2025 11:30 Europe/Berlin = 09:30 UTC.
ROUND1_START = datetime(2025, 8, 27, 9, 30, tzinfo=UTC)
ROUND2_START = datetime(2025, 8, 27, 11, 0, tzinfo=UTC)


def event_runtime(database_url: str, tmp_path: Path, *, with_people: bool = True) -> App:
    """A runtime whose store holds the sample event, its Zoom meeting and the fixture's people."""
    rt = make_runtime(database_url, tmp_path)
    run_setup(rt.store, rt.zoom, rt.clock, load_agenda(SAMPLE_AGENDA, now=rt.clock.now()), recreate=False)
    if with_people:
        with rt.session() as session:
            event = session.scalars(select(Event)).one()
            batch = parse_registrations(FIXTURE_CSV, workshops=agenda_of(event).workshops())
            apply_import(
                session, event, batch, default_language="de", cancel_missing=False, now=rt.clock.now()
            )
            session.commit()
    return rt


def add_people(rt: App, count: int, *, prefix: str = "late", wishes: list[str] | None = None) -> list[str]:
    """Add ``count`` active people (late registrations); returns their e-mails."""
    emails = []
    with rt.session() as session:
        event = session.scalars(select(Event)).one()
        workshops = agenda_of(event).workshops()
        for i in range(count):
            email = f"{prefix}{i:03d}@example.net"
            chosen = wishes if wishes is not None else [workshops[(i + k) % len(workshops)] for k in range(3)]
            session.add(
                Person(
                    event_id=event.id,
                    email=email,
                    email_display=email,
                    first_name=prefix.title(),
                    last_name=f"Person {i:03d}",
                    organisation=f"Verein {i % 7}",
                    wishes=chosen,
                    status=PersonStatus.ACTIVE,
                )
            )
            emails.append(email)
        session.commit()
    return emails


def cancel(rt: App, email: str) -> None:
    with rt.session() as session:
        person = session.scalars(select(Person).where(Person.email == email)).one()
        person.status = PersonStatus.CANCELLED
        session.commit()


def active_emails(rt: App) -> list[str]:
    with rt.session() as session:
        return sorted(session.scalars(select(Person.email).where(Person.status == PersonStatus.ACTIVE)))


def zoom_meeting_id(rt: App) -> int:
    with rt.session() as session:
        meeting_id = session.scalars(select(ZoomMeeting.zoom_meeting_id)).one()
        assert meeting_id is not None
        return meeting_id


def at(rt: App, when: datetime) -> None:
    """Move the frozen clock to ``when``."""
    clock = rt.clock
    assert isinstance(clock, FrozenClock)
    clock.set(when)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def add_cancelled(rt: App, email: str, first: str, last: str) -> None:
    """A person (e.g. a moderator) whose registration is cancelled."""
    with rt.session() as session:
        event = session.scalars(select(Event)).one()
        session.add(
            Person(
                event_id=event.id,
                email=email,
                email_display=email,
                first_name=first,
                last_name=last,
                wishes=[],
                status=PersonStatus.CANCELLED,
            )
        )
        session.commit()
