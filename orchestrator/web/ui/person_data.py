"""Everything the store knows about one person, for their page (never the join link itself)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.attendance.intervals import Interval, Mark, Run, attended_intervals, run_windows
from orchestrator.attendance.reconcile import REPORT_KEY_PREFIX, is_report_key
from orchestrator.db.models import (
    AttendanceMark,
    BreakoutAssignment,
    Event,
    MeetingRun,
    OutboxMessage,
    Person,
    ZoomRegistration,
)
from orchestrator.registrants.report import person_state


@dataclass(frozen=True)
class PersonMail:
    id: int
    occasion: str
    state: str
    due_at: datetime
    deadline: datetime
    sent_at: datetime | None
    attempts: int
    error: str | None
    reason: str | None


@dataclass(frozen=True)
class PersonRound:
    """The person's room in one round and the rooms they could be moved to."""

    number: int
    title: str
    room: str | None
    moved_by_hand: bool
    rooms: list[str]


@dataclass(frozen=True)
class PersonAttendanceInfo:
    minutes: int
    first_join: datetime | None
    last_leave: datetime | None


@dataclass(frozen=True)
class PersonView:
    """One person: their fields, Zoom registration (without the link), mails, rooms, attendance."""

    id: int
    email: str
    first_name: str
    last_name: str
    organisation: str | None
    job_title: str | None
    language: str
    wishes: list[str]
    consent: bool | None
    source: str
    status: str
    notes: str | None
    created_at: datetime
    cancelled_at: datetime | None
    state: str
    zoom_status: str | None
    zoom_registrant_id: str | None
    has_join_link: bool
    zoom_error: str | None
    zoom_attempts: int
    registered_at: datetime | None
    mails: list[PersonMail]
    rounds: list[PersonRound]
    attendance: PersonAttendanceInfo | None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def person_view(session: Session, event: Event, person_id: int, now: datetime) -> PersonView | None:
    """The person ``person_id`` of ``event`` in full (``None``: no such person in this event)."""
    person = session.scalar(select(Person).where(Person.id == person_id, Person.event_id == event.id))
    if person is None:
        return None
    reg = session.scalar(select(ZoomRegistration).where(ZoomRegistration.person_id == person.id))
    mails = [
        PersonMail(
            m.id, m.occasion, m.state, m.due_at, m.deadline, m.sent_at, m.attempts, m.last_error, m.reason
        )
        for m in session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.person_id == person.id)
            .order_by(OutboxMessage.due_at, OutboxMessage.occasion)
        )
    ]
    return PersonView(
        id=person.id,
        email=person.email,
        first_name=person.first_name,
        last_name=person.last_name,
        organisation=person.organisation,
        job_title=person.job_title,
        language=person.language,
        wishes=list(person.wishes or []),
        consent=person.consent,
        source=person.source,
        status=person.status,
        notes=person.notes,
        created_at=person.created_at,
        cancelled_at=person.cancelled_at,
        state=person_state(person),
        zoom_status=reg.zoom_status if reg else None,
        zoom_registrant_id=reg.zoom_registrant_id if reg else None,
        has_join_link=bool(reg and reg.join_url),
        zoom_error=reg.last_error if reg else None,
        zoom_attempts=reg.attempts if reg else 0,
        registered_at=reg.registered_at if reg else None,
        mails=mails,
        rounds=_rounds(session, event, person.id),
        attendance=person_attendance(session, event, person.id, now),
    )


def _rounds(session: Session, event: Event, person_id: int) -> list[PersonRound]:
    mine = {
        round_id: (room, source)
        for round_id, room, source in session.execute(
            select(
                BreakoutAssignment.round_id, BreakoutAssignment.room_name, BreakoutAssignment.source
            ).where(BreakoutAssignment.person_id == person_id)
        )
    }
    rounds = []
    for round_row in sorted(event.rounds, key=lambda r: r.number):
        room, source = mine.get(round_row.id, (None, None))
        rounds.append(
            PersonRound(
                number=round_row.number,
                title=round_row.title,
                room=room,
                moved_by_hand=source == "moved",
                rooms=[r.name for r in round_row.rooms],
            )
        )
    return rounds


def person_attendance(
    session: Session, event: Event, person_id: int, now: datetime
) -> PersonAttendanceInfo | None:
    """The person's minutes in the meeting, counted like ``attendance export`` (None: never joined).

    The same rule as :func:`orchestrator.attendance.minutes.compute_attendance`, for one person:
    their participants' marks (the report's alone once it was reconciled), clipped to the runs.
    """
    keys = select(AttendanceMark.participant_key).where(
        AttendanceMark.event_id == event.id, AttendanceMark.person_id == person_id
    )
    marks = list(
        session.scalars(
            select(AttendanceMark).where(
                AttendanceMark.event_id == event.id, AttendanceMark.participant_key.in_(keys)
            )
        )
    )
    if not marks:
        return None
    reconciled = session.scalar(
        select(AttendanceMark.id)
        .where(
            AttendanceMark.event_id == event.id, AttendanceMark.participant_key.like(f"{REPORT_KEY_PREFIX}%")
        )
        .limit(1)
    )
    if reconciled is not None:
        marks = [m for m in marks if is_report_key(m.participant_key)]
    by_participant: dict[str, list[Mark]] = defaultdict(list)
    for mark in marks:
        by_participant[mark.participant_key].append(Mark(mark.kind, mark.at))
    runs = [
        Run(r.started_at, r.ended_at)
        for r in session.scalars(
            select(MeetingRun).where(MeetingRun.event_id == event.id).order_by(MeetingRun.id)
        )
    ]
    windows = run_windows(runs, Interval(event.start_utc, event.end_utc), now)
    spans = attended_intervals(by_participant.values(), windows)
    return PersonAttendanceInfo(
        minutes=int(sum(i.seconds for i in spans) // 60),
        first_join=spans[0].start if spans else None,
        last_leave=spans[-1].end if spans else None,
    )
