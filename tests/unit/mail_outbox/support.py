"""Set-up for the outbox tests: the sample event, its meeting and the fixture's people in Zoom."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from orchestrator.agenda import load_agenda
from orchestrator.app import App
from orchestrator.clock import FrozenClock
from orchestrator.db.models import Event, OutboxMessage
from orchestrator.jobs.registrants import zoom_access
from orchestrator.meeting.service import run_setup
from orchestrator.registrants.service import import_registrations, sync_registrants
from tests.conftest import FIXTURE_CSV, SAMPLE_AGENDA
from tests.support.runtime import make_runtime

# The sample Fachtag: 27.08.2025 09:30–14:15 Europe/Berlin = 07:30–12:15 UTC.
START = datetime(2025, 8, 27, 7, 30, tzinfo=UTC)
END = datetime(2025, 8, 27, 12, 15, tzinfo=UTC)
# Registrations happen 10 days before: before every reminder.
REGISTRATION_TIME = datetime(2025, 8, 17, 8, 0, tzinfo=UTC)


def event_with_people(database_url: str, tmp_path: Path, *, at: datetime = REGISTRATION_TIME) -> App:
    rt = make_runtime(database_url, tmp_path, clock=FrozenClock(at))
    run_setup(rt.store, rt.zoom, rt.clock, load_agenda(SAMPLE_AGENDA, now=rt.clock.now()), recreate=False)
    import_registrations(rt.store, rt.clock, None, FIXTURE_CSV)
    sync_registrants(zoom_access(rt), None)
    return rt


def event_id(rt: App) -> int:
    with rt.session() as session:
        return session.scalars(select(Event.id)).one()


def states(rt: App, occasion: str | None = None) -> dict[str, int]:
    """Row counts per state (of one occasion)."""
    with rt.session() as session:
        query = select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        if occasion is not None:
            query = query.where(OutboxMessage.occasion == occasion)
        return {state: int(count) for state, count in session.execute(query)}


def future_shift(now: datetime, lead: timedelta = timedelta(days=10)) -> timedelta:
    """Whole weeks that move the sample event at least ``lead`` after ``now`` (keeps weekday and times)."""
    weeks = max(0, -(-((now + lead) - START) // timedelta(weeks=1)))
    return timedelta(weeks=weeks)


def future_event(
    database_url: str, tmp_path: Path, *, extra_people: int = 0, fixture_people: bool = True
) -> App:
    """The sample event moved into the real future (for the service run as a separate process).

    The emulator keeps its state in ``tmp_path/zoom-emulator.json``, so a CLI process sees the meeting.
    """
    from orchestrator.agenda import LoadedAgenda
    from orchestrator.zoom.emulator import EmulatorState

    now = datetime.now(UTC)
    rt = make_runtime(
        database_url, tmp_path, clock=FrozenClock(now), state=EmulatorState(tmp_path / "zoom-emulator.json")
    )
    loaded = load_agenda(SAMPLE_AGENDA, now=now, allow_past=True)
    moved = LoadedAgenda(agenda=loaded.agenda.shifted(future_shift(now)), warnings=[], source=SAMPLE_AGENDA)
    run_setup(rt.store, rt.zoom, rt.clock, moved, recreate=False)
    if fixture_people:
        import_registrations(rt.store, rt.clock, None, FIXTURE_CSV)
        sync_registrants(zoom_access(rt), None)
    if extra_people:
        add_registered_people(rt, extra_people)
    return rt


def add_registered_people(rt: App, count: int, *, prefix: str = "p") -> list[str]:
    """``count`` people already registered with Zoom (join link known), straight into the store."""
    from orchestrator.db.models import Person, ZoomMeeting, ZoomRegistration

    emails = []
    now = rt.clock.now()
    with rt.session() as session:
        event = session.scalars(select(Event)).one()
        meeting = session.scalars(select(ZoomMeeting)).one()
        for i in range(count):
            email = f"{prefix}{i:05d}@example.org"
            person = Person(
                event_id=event.id,
                email=email,
                email_display=email,
                first_name="Test" if i % 2 else "Prüfung",
                last_name=f"Person {i}",
                language="de" if i % 3 else "en",
                wishes=[],
            )
            session.add(person)
            session.flush()
            session.add(
                ZoomRegistration(
                    person_id=person.id,
                    meeting_id=meeting.id,
                    state="registered",
                    zoom_status="approved",
                    zoom_registrant_id=f"reg-{prefix}-{i}",
                    join_url=f"https://zoom.us/w/1?tk=secret-{prefix}-{i}",
                    registered_at=now,
                )
            )
            emails.append(email)
        session.commit()
    return emails
