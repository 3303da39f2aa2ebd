"""A set-up event for web/attendance/privacy tests: store, emulator, meeting, imported people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select

from orchestrator.agenda import load_agenda
from orchestrator.app import App
from orchestrator.clock import FrozenClock
from orchestrator.db.models import Event, Person, ZoomMeeting, ZoomRegistration
from orchestrator.db.models.person import RegistrationState
from orchestrator.events import agenda_of
from orchestrator.meeting.service import run_setup
from orchestrator.registrants import parse_registrations
from orchestrator.registrants.store import apply_import
from orchestrator.web import WebContext, create_app
from tests.conftest import FIXTURE_CSV, SAMPLE_AGENDA
from tests.support.runtime import BEFORE_EVENT, make_runtime
from tests.unit.web.zoom_events import SECRET

# The sample Fachtag runs 09:30–14:15 Berlin time = 07:30–12:15 UTC on 27.08.2025.
EVENT_START = datetime(2025, 8, 27, 7, 30, tzinfo=UTC)
EVENT_END = datetime(2025, 8, 27, 12, 15, tzinfo=UTC)


@dataclass
class Scenario:
    rt: App
    clock: FrozenClock
    event_id: int
    zoom_meeting_id: int
    meeting_row_id: int

    def web_context(self, secret: str | None = SECRET) -> WebContext:
        return WebContext(
            sessions=self.rt.sessions,
            clock=self.clock,
            webhook_secret=SecretStr(secret) if secret is not None else None,
            default_language="de",
        )

    def app(self, *, background: bool = False, secret: str | None = SECRET) -> FastAPI:
        return create_app(self.web_context(secret), process_in_background=background, poll_seconds=0.2)

    def person(self, email: str) -> Person | None:
        with self.rt.session() as session:
            return session.scalar(
                select(Person).where(Person.event_id == self.event_id, Person.email == email)
            )

    def register_with_zoom(self, email: str) -> ZoomRegistration:
        """Register an imported person in the emulator and store the registration (like the sync does)."""
        with self.rt.session() as session:
            person = session.scalar(
                select(Person).where(Person.event_id == self.event_id, Person.email == email)
            )
            assert person is not None
            answer = self.rt.zoom.add_registrant(
                self.zoom_meeting_id,
                {"email": person.email, "first_name": person.first_name, "last_name": person.last_name},
            )
            registrant_id = str(answer.get("registrant_id") or answer["id"])
            # The sample meeting approves manually: approve, then read the personal join link.
            self.rt.zoom.update_registrant_status(
                self.zoom_meeting_id, "approve", [{"id": registrant_id, "email": person.email}]
            )
            listed = {r["id"]: r for r in self.rt.zoom.iter_registrants(self.zoom_meeting_id, "approved")}
            reg = ZoomRegistration(
                meeting_id=self.meeting_row_id,
                state=RegistrationState.REGISTERED,
                zoom_registrant_id=registrant_id,
                zoom_status="approved",
                join_url=listed[registrant_id]["join_url"],
                attempts=1,
                adds_on_day=1,
            )
            person.registration = reg
            session.commit()
            return reg


def make_scenario(database_url: str, tmp_path: Path, *, with_people: bool = True) -> Scenario:
    clock = FrozenClock(BEFORE_EVENT)
    rt = make_runtime(database_url, tmp_path, clock=clock)
    run_setup(rt.store, rt.zoom, rt.clock, load_agenda(SAMPLE_AGENDA, now=clock.now()), recreate=False)
    with rt.session() as session:
        event = session.scalar(select(Event))
        assert event is not None
        meeting = session.scalar(select(ZoomMeeting).where(ZoomMeeting.event_id == event.id))
        assert meeting is not None and meeting.zoom_meeting_id is not None
        if with_people:
            batch = parse_registrations(FIXTURE_CSV, workshops=agenda_of(event).workshops())
            apply_import(session, event, batch, default_language="de", cancel_missing=False, now=clock.now())
            session.commit()
        return Scenario(
            rt=rt,
            clock=clock,
            event_id=event.id,
            zoom_meeting_id=meeting.zoom_meeting_id,
            meeting_row_id=meeting.id,
        )
