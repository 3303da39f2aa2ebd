"""Zoom's participant report as the record of who attended (survives our downtime).

Webhooks arrive late, twice, out of order or not at all (Zoom gives up after three retries); the
participant report of a held meeting lists every join with its leave. Reconciling stores each
report row as a join and a leave mark under a *report key* (``report:…``), deterministic from the
meeting, the participant's identity and (for registered people) the join time, so reading the
report again adds nothing. Once an event has report marks, minutes come from them alone
(:func:`orchestrator.attendance.minutes.compute_attendance`): a lost leave webhook would
otherwise stretch a session to the meeting's end. Certificates are therefore the same whether
the service heard every webhook or none.

People are identified by the registrant id of their personal link, else by e-mail; guests by
their display name, which only enters the key's hash (we have no consent to store it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.attendance.recording import REPORT_RUN_PREFIX, find_person, parse_zoom_time
from orchestrator.db.models import AttendanceMark, Event, MeetingRun, ZoomMeeting

REPORT_KEY_PREFIX = "report:"
_KEY_LENGTH = 64  # AttendanceMark.participant_key


def is_report_key(participant_key: str) -> bool:
    """Whether a mark came from Zoom's participant report (webhook keys are plain hex digests)."""
    return participant_key.startswith(REPORT_KEY_PREFIX)


@dataclass(frozen=True)
class ReportRow:
    """One join from the participant report, reduced to what attendance needs."""

    identity: str  # "registrant:…", "email:…" or "guest:<name>" (hashed before storing)
    registrant_id: str
    email: str
    join_time: datetime
    leave_time: datetime

    @property
    def is_guest(self) -> bool:
        return self.identity.startswith("guest:")


def report_row(item: Mapping[str, Any]) -> ReportRow | None:
    """A report item as a :class:`ReportRow`; None when it has no usable join/leave time."""
    joined = parse_zoom_time(item.get("join_time"))
    left = parse_zoom_time(item.get("leave_time"))
    if joined is None or left is None or left < joined:
        return None
    registrant_id = str(item.get("registrant_id") or "").strip()
    email = str(item.get("user_email") or item.get("email") or "").strip().lower()
    name = " ".join(str(item.get("name") or item.get("user_name") or "").split()).lower()
    if registrant_id:
        identity = f"registrant:{registrant_id}"
    elif email:
        identity = f"email:{email}"
    else:
        identity = f"guest:{name}"
    return ReportRow(identity, registrant_id, email, joined, left)


def report_key(event_id: int, meeting_id: int, row: ReportRow) -> str:
    """Deterministic participant key of a report row.

    A registered person's rows get one key per join: two devices at once must not pair one
    device's join with the other's leave (their minutes are merged per person anyway). A guest's
    rows share one key, so a guest who rejoins counts once, as with the webhooks' device key.
    """
    identity = row.identity if row.is_guest else f"{row.identity}|{row.join_time.isoformat()}"
    digest = hashlib.sha256(f"{event_id}|{meeting_id}|{identity}".encode()).hexdigest()
    return (REPORT_KEY_PREFIX + digest)[:_KEY_LENGTH]


@dataclass(frozen=True)
class MergeCounts:
    """What one meeting's report changed: rows read, marks added, rows already stored."""

    rows: int = 0
    marks_added: int = 0
    already_known: int = 0
    skipped: int = 0  # rows without usable times


def merge_report(session: Session, meeting: ZoomMeeting, items: Iterable[Mapping[str, Any]]) -> MergeCounts:
    """Store the report's rows as marks (idempotent) and close the meeting's run from the report."""
    if meeting.zoom_meeting_id is None:
        return MergeCounts()
    existing = {
        (key, kind, at)
        for key, kind, at in session.execute(
            select(AttendanceMark.participant_key, AttendanceMark.kind, AttendanceMark.at).where(
                AttendanceMark.event_id == meeting.event_id
            )
        )
        if is_report_key(key)
    }
    rows = added = known = skipped = 0
    first_join: datetime | None = None
    last_leave: datetime | None = None
    for item in items:
        rows += 1
        row = report_row(item)
        if row is None:
            skipped += 1
            continue
        first_join = row.join_time if first_join is None else min(first_join, row.join_time)
        last_leave = row.leave_time if last_leave is None else max(last_leave, row.leave_time)
        key = report_key(meeting.event_id, meeting.zoom_meeting_id, row)
        wanted = [(key, "join", row.join_time), (key, "leave", row.leave_time)]
        missing = [mark for mark in wanted if mark not in existing]
        if not missing:
            known += 1
            continue
        participant = {"registrant_id": row.registrant_id, "email": row.email}
        with session.no_autoflush:  # the marks added so far are flushed together, not row by row
            person = None if row.is_guest else find_person(session, meeting, participant)
        for mark_key, kind, at in missing:
            session.add(
                AttendanceMark(
                    event_id=meeting.event_id,
                    person_id=person.id if person else None,
                    participant_key=mark_key,
                    kind=kind,
                    at=at,
                )
            )
            existing.add((mark_key, kind, at))
            added += 1
    if first_join is not None and last_leave is not None:
        _settle_runs(session, meeting, first_join, last_leave)
    session.flush()
    return MergeCounts(rows, added, known, skipped)


def _settle_runs(session: Session, meeting: ZoomMeeting, first_join: datetime, last_leave: datetime) -> None:
    """The report exists only for a held meeting: record its run if no webhook did, close open runs.

    Without ``meeting.started``/``meeting.ended`` the run spans the report's first join to its
    last leave (every reported minute lies inside); an open run ends at the last leave.
    """
    runs = list(session.scalars(select(MeetingRun).where(MeetingRun.event_id == meeting.event_id)))
    if not runs:
        session.add(
            MeetingRun(
                event_id=meeting.event_id,
                zoom_uuid=f"{REPORT_RUN_PREFIX}{meeting.zoom_meeting_id}",
                started_at=first_join,
                ended_at=last_leave,
            )
        )
        return
    for run in runs:
        if run.ended_at is None and (run.started_at is None or run.started_at <= last_leave):
            run.ended_at = last_leave
        if run.started_at is None:
            run.started_at = first_join


def due_event_keys(session: Session, now: datetime, *, settle: timedelta, horizon: timedelta) -> list[str]:
    """Events whose meeting is over (``settle`` ago) but whose report was not read yet.

    Over means: every recorded run ended, or, with no run heard at all (the service was down),
    the scheduled end passed. ``settle`` gives Zoom time to finish its report; events that ended
    longer than ``horizon`` ago are left to ``attendance reconcile``.
    """
    keys = []
    events = session.scalars(
        select(Event)
        .join(ZoomMeeting, ZoomMeeting.event_id == Event.id)
        .where(ZoomMeeting.zoom_meeting_id.is_not(None))
        .order_by(Event.id)
    )
    for event in events:
        reported = session.scalar(
            select(AttendanceMark.id)
            .where(
                AttendanceMark.event_id == event.id,
                AttendanceMark.participant_key.startswith(REPORT_KEY_PREFIX),
            )
            .limit(1)
        )
        if reported is not None:
            continue
        runs = list(session.scalars(select(MeetingRun).where(MeetingRun.event_id == event.id)))
        ends = [run.ended_at for run in runs if run.ended_at is not None]
        if len(ends) < len(runs):
            continue  # still running (or its end not heard yet)
        ended = max(ends) if ends else event.end_utc
        if now - horizon <= ended <= now - settle:
            keys.append(event.key)
    return keys
