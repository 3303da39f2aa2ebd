"""The people list's SQL state rule agrees with ``person_state``; its filter reads query parameters safely."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from orchestrator.db.base import Base
from orchestrator.db.models import Event, Person, ZoomMeeting, ZoomRegistration
from orchestrator.db.models.person import PersonStatus, RegistrationState
from orchestrator.registrants.report import person_state
from orchestrator.registrants.state_sql import person_state_sql
from orchestrator.web.ui.people_data import PeopleFilter


def test_sql_state_matches_person_state_for_every_combination() -> None:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    reg_states = [None, *vars(RegistrationState).values()]
    reg_states = [s for s in reg_states if s is None or (isinstance(s, str) and not s.startswith("_"))]
    combos = list(
        itertools.product(
            (PersonStatus.ACTIVE, PersonStatus.CANCELLED), reg_states, (None, "approved", "denied", "pending")
        )
    )
    with Session(engine) as session:
        moment = datetime(2025, 8, 27, tzinfo=UTC)
        event = Event(
            key="e",
            title="E",
            timezone="UTC",
            start_utc=moment,
            end_utc=moment,
            agenda_source="",
            agenda_json={},
            agenda_hash="h",
        )
        session.add(event)
        session.flush()
        meeting = ZoomMeeting(event_id=event.id, state="active", intent_token="t", host_user="me")
        session.add(meeting)
        session.flush()
        for n, (status, reg_state, zoom_status) in enumerate(combos):
            person = Person(
                event_id=event.id,
                email=f"p{n}@example.org",
                email_display="x",
                first_name="A",
                last_name="B",
                wishes=[],
                status=status,
            )
            session.add(person)
            session.flush()
            if reg_state is not None:
                session.add(
                    ZoomRegistration(
                        person_id=person.id, meeting_id=meeting.id, state=reg_state, zoom_status=zoom_status
                    )
                )
        session.commit()
        rows = session.execute(
            select(Person, person_state_sql()).outerjoin(
                ZoomRegistration, ZoomRegistration.person_id == Person.id
            )
        ).all()
        assert len(rows) == len(combos)
        for person, sql_state in rows:
            assert sql_state == person_state(person), (person.status, person.registration)


def test_filter_from_query_ignores_what_it_does_not_know() -> None:
    wanted = PeopleFilter.from_query(
        {"q": "  Anna   Berger ", "zoom": "failed", "mail": "<b>", "room": "2:Kümmerei Köln", "page": "3"}
    )
    assert (wanted.q, wanted.zoom, wanted.mail, wanted.room, wanted.page) == (
        "Anna Berger",
        "failed",
        None,
        (2, "Kümmerei Köln"),
        3,
    )
    assert wanted.query_string(page=1) == "?q=Anna+Berger&zoom=failed&room=2%3AK%C3%BCmmerei+K%C3%B6ln"
    odd = PeopleFilter.from_query({"page": "²", "room": "x:y", "status": "gone", "q": "a" * 500})
    assert (odd.page, odd.room, odd.status, len(odd.q)) == (1, None, None, 200)
    assert PeopleFilter.from_query({"page": "0"}).page == 1
