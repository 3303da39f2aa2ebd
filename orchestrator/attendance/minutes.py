"""Minutes attended per person, from the stored joins/leaves and meeting runs."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.agenda import Agenda
from orchestrator.attendance.intervals import (
    Interval,
    Mark,
    Run,
    attended_intervals,
    attended_seconds,
    run_windows,
)
from orchestrator.attendance.reconcile import is_report_key
from orchestrator.db.models import AttendanceMark, Event, MeetingRun, Person
from orchestrator.db.models.person import PersonStatus
from orchestrator.events import agenda_of

DEFAULT_SHARE = 0.75


@dataclass(frozen=True)
class PersonAttendance:
    """One person's attendance (minutes rounded down: a certificate never claims too much)."""

    person_id: int
    email: str
    first_name: str
    last_name: str
    organisation: str | None
    language: str
    minutes: int
    # Both clipped to the meeting's runs like the minutes: someone who joined the waiting room at
    # 08:50 for a meeting that started at 09:30 first joined at 09:30; None without any counted time.
    first_join: datetime | None
    last_leave: datetime | None  # end of the last session (the meeting's end for someone who stayed)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class AttendanceReport:
    """Attendance of one event; ``meeting_ended`` is False while a run is still open (or none was seen)."""

    event_key: str
    windows: list[Interval]
    meeting_ended: bool
    people: list[PersonAttendance]
    guests: int
    guest_minutes: int

    def attended(self, min_minutes: int) -> list[PersonAttendance]:
        return [p for p in self.people if p.minutes >= min_minutes and p.minutes > 0]


def programme_minutes(agenda: Agenda) -> int:
    """Scheduled minutes without breaks (blocks of kind ``break``)."""
    total = 0
    for block in agenda.blocks:
        if block.kind != "break":
            total += int((agenda.to_utc(block.end) - agenda.to_utc(block.start)).total_seconds() // 60)
    return total


def default_min_minutes(agenda: Agenda, share: float = DEFAULT_SHARE) -> int:
    """Certificate threshold: ``share`` (75 %) of the programme without breaks, rounded up."""
    return math.ceil(programme_minutes(agenda) * share)


def compute_attendance(session: Session, event: Event, now: datetime) -> AttendanceReport:
    """Per-person minutes: each participant's joins paired with leaves, a person's participants
    (several devices, rejoins) merged, everything clipped to the meeting's runs.

    Once Zoom's participant report was reconciled (:mod:`orchestrator.attendance.reconcile`), only
    its marks count; before that, the webhooks' marks.
    """
    run_rows = session.scalars(
        select(MeetingRun).where(MeetingRun.event_id == event.id).order_by(MeetingRun.id)
    )
    runs = [Run(r.started_at, r.ended_at) for r in run_rows]
    scheduled = Interval(event.start_utc, event.end_utc)
    windows = run_windows(runs, scheduled, now)
    ended = bool(runs) and all(r.end is not None for r in runs)
    by_participant: dict[str, list[Mark]] = defaultdict(list)
    owner: dict[str, int | None] = {}
    stored = list(session.scalars(select(AttendanceMark).where(AttendanceMark.event_id == event.id)))
    if any(is_report_key(m.participant_key) for m in stored):
        # Zoom's participant report lists every join with its leave: it alone counts, so minutes
        # do not depend on which webhooks got through (a lost leave would stretch a session).
        stored = [m for m in stored if is_report_key(m.participant_key)]
    for mark in stored:
        by_participant[mark.participant_key].append(Mark(mark.kind, mark.at))
        if mark.person_id is not None or mark.participant_key not in owner:
            owner[mark.participant_key] = mark.person_id
    per_person: dict[int, list[list[Mark]]] = defaultdict(list)
    guests: list[list[Mark]] = []
    for key, marks in by_participant.items():
        person_id = owner.get(key)
        (per_person[person_id] if person_id is not None else guests).append(marks)
    people = []
    for person in session.scalars(
        select(Person).where(Person.event_id == event.id).order_by(Person.last_name, Person.first_name)
    ):
        participant_marks = per_person.get(person.id, [])
        if not participant_marks and person.status != PersonStatus.ACTIVE:
            continue
        spans = attended_intervals(participant_marks, windows)
        people.append(
            PersonAttendance(
                person_id=person.id,
                email=person.email,
                first_name=person.first_name,
                last_name=person.last_name,
                organisation=person.organisation,
                language=person.language,
                minutes=int(sum(i.seconds for i in spans) // 60),
                first_join=spans[0].start if spans else None,
                # The end of the last session: a leave, or the meeting's end for someone who stayed.
                last_leave=spans[-1].end if spans else None,
            )
        )
    guest_minutes = sum(int(attended_seconds([marks], windows) // 60) for marks in guests)
    return AttendanceReport(
        event_key=event.key,
        windows=windows,
        meeting_ended=ended,
        people=people,
        guests=len(guests),
        guest_minutes=guest_minutes,
    )


def event_threshold(event: Event, min_minutes: int | None) -> int:
    """The threshold to apply: the given one, else the default for the event's agenda."""
    return min_minutes if min_minutes is not None else default_min_minutes(agenda_of(event))
