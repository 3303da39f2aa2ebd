""" "Der Tag": what happened and what comes next on the event day, read from the store (no Zoom calls).

Mails that went out (per occasion, with times), what is due next (mail occasions, the next
breakout apply), the rounds sent to Zoom, who is in the meeting now (from the webhooks' join and
leave marks), failures with the action that repairs them, a running Zoom sync with its progress,
and the latest entries of the browser's audit log. Texts are in the current language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orchestrator.db import lease
from orchestrator.db.models import (
    AttendanceMark,
    BreakoutApply,
    BreakoutRoundRecord,
    Event,
    MeetingRun,
    OutboxMessage,
    OutboxState,
    Person,
    ZoomRegistration,
)
from orchestrator.db.models.breakouts import ApplyState
from orchestrator.db.models.person import PersonStatus, RegistrationState
from orchestrator.i18n import _
from orchestrator.mail.status import schedule, status
from orchestrator.registrants.service import sync_lease_name
from orchestrator.rehearsal import mail_label
from orchestrator.web.ui import audit
from orchestrator.web.ui.labels import occasion_label
from orchestrator.web.ui.people_data import state_counts

MAX_LISTED = 20
MAX_NAMES = 200
REGISTERED_STATES = ("approved", "pending_approval", "denied")


@dataclass(frozen=True)
class Repair:
    """The action that repairs a failure: a POST form (``fields`` hidden) or a link (``method`` GET)."""

    label: str
    action: str
    method: str = "POST"
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Failure:
    kind: str  # "mail" | "registration" | "breakouts"
    what: str
    reason: str
    repair: Repair | None


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    text: str
    kind: str  # "mail" | "breakouts" | "meeting" | "due"
    future: bool
    until: datetime | None = None  # the last mail of a mailing that took a while


@dataclass(frozen=True)
class InMeeting:
    """Participants whose last mark is a join, while the meeting runs; guests only counted."""

    running: bool
    people: int
    names: list[str]
    guests: int


@dataclass(frozen=True)
class SyncProgress:
    running: bool
    holder: str | None
    since: datetime | None
    registered: int
    waiting: int
    failed: int
    active: int

    @property
    def percent(self) -> int:
        return round(100 * self.registered / self.active) if self.active else 100


@dataclass(frozen=True)
class MailingProgress:
    """A mailing under way: an occasion that is due and still has mails waiting or in flight."""

    occasion: str
    label: str
    sent: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.sent / self.total) if self.total else 100


@dataclass(frozen=True)
class DayView:
    now: datetime
    timeline: list[TimelineItem]
    next_up: list[TimelineItem]
    rounds: list[dict[str, Any]]
    in_meeting: InMeeting
    failures: list[Failure]
    failure_counts: dict[str, int]
    sync: SyncProgress
    audit: list[dict[str, Any]]
    mailings: list[MailingProgress] = field(default_factory=list)


def day_view(session: Session, event: Event, now: datetime, sessions: Any) -> DayView:
    """Everything on the day page of ``event`` at ``now`` (``sessions`` reads the sync lease)."""
    sent = _sent(session, event)
    rounds = _rounds(session, event, now)
    past = (
        sent
        + _meeting_runs(session, event)
        + [
            TimelineItem(
                r["applied_at"],
                _("Breakout round {round} applied in Zoom", round=r["number"]),
                "breakouts",
                False,
            )
            for r in rounds
            if r["applied_at"] is not None and r["state"] == ApplyState.APPLIED
        ]
    )
    next_up = _next_up(session, event, now, rounds)
    failures, counts = _failures(session, event)
    return DayView(
        now=now,
        timeline=sorted(past, key=lambda item: item.at),
        next_up=next_up,
        rounds=rounds,
        in_meeting=in_meeting(session, event),
        failures=failures,
        failure_counts=counts,
        sync=_sync(session, event, sessions, now),
        mailings=mailings_under_way(session, event, now),
        audit=[
            {"at": e.at, "actor": e.actor, "action": e.action, "detail": _audit_detail(e.detail)}
            for e in audit.recent(session, event, limit=15)
        ],
    )


def _audit_detail(detail: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(detail.items()))


def _sent(session: Session, event: Event) -> list[TimelineItem]:
    found = session.execute(
        select(
            OutboxMessage.occasion,
            func.count(),
            func.min(OutboxMessage.sent_at),
            func.max(OutboxMessage.sent_at),
        )
        .where(OutboxMessage.event_id == event.id, OutboxMessage.state == OutboxState.SENT)
        .group_by(OutboxMessage.occasion)
    ).all()
    items = []
    for occasion, count, first, last in found:
        if first is None:
            continue
        until = last if last is not None and last - first >= timedelta(minutes=1) else None
        items.append(TimelineItem(first, mail_label(occasion, int(count)), "mail", False, until))
    return items


def _meeting_runs(session: Session, event: Event) -> list[TimelineItem]:
    items = []
    for run in session.scalars(
        select(MeetingRun).where(MeetingRun.event_id == event.id).order_by(MeetingRun.id)
    ):
        if run.started_at is not None:
            items.append(TimelineItem(run.started_at, _("The Zoom meeting started"), "meeting", False))
        if run.ended_at is not None:
            items.append(TimelineItem(run.ended_at, _("The Zoom meeting ended"), "meeting", False))
    return items


def _rounds(session: Session, event: Event, now: datetime) -> list[dict[str, Any]]:
    applies = {
        a.round_id: a
        for a in session.scalars(
            select(BreakoutApply).join(BreakoutRoundRecord).where(BreakoutRoundRecord.event_id == event.id)
        )
    }
    rounds = []
    for r in sorted(event.rounds, key=lambda r: r.number):
        applied = applies.get(r.id)
        rounds.append(
            {
                "number": r.number,
                "title": r.title,
                "start": r.start_utc,
                "apply_at": r.start_utc - timedelta(minutes=r.apply_lead_minutes),
                "state": applied.state if applied else None,
                "applied_at": applied.applied_at if applied else None,
                "rooms": applied.rooms if applied else None,
                "participants": applied.participants if applied else None,
                "verified": applied.verified if applied else False,
                "current": applied.current if applied else False,
                "error": applied.last_error if applied and applied.state in ApplyState.NOT_SENT else None,
            }
        )
    return rounds


def _next_up(
    session: Session, event: Event, now: datetime, rounds: Sequence[dict[str, Any]]
) -> list[TimelineItem]:
    items = [
        TimelineItem(line.due_at, _("Due: {mail}", mail=occasion_label(line.occasion, _)), "due", True)
        for line in schedule(session, event, now).mails
        if line.due_at is not None and line.due_at > now and line.phase != "removed"
    ]
    items += [
        TimelineItem(
            r["apply_at"], _("Breakout round {round} is sent to Zoom", round=r["number"]), "due", True
        )
        for r in rounds
        if r["apply_at"] > now
    ]
    if event.start_utc > now:
        items.append(TimelineItem(event.start_utc, _("The event starts"), "due", True))
    if event.end_utc > now:
        items.append(TimelineItem(event.end_utc, _("The event ends"), "due", True))
    return sorted(items, key=lambda item: item.at)[:8]


def in_meeting(session: Session, event: Event) -> InMeeting:
    """Who is in the meeting now: every participant whose latest mark is a join (while a run is open)."""
    runs = session.execute(
        select(MeetingRun.started_at, MeetingRun.ended_at).where(MeetingRun.event_id == event.id)
    ).all()
    running = any(ended is None for _started, ended in runs) if runs else False
    if not running:
        return InMeeting(False, 0, [], 0)
    latest = (
        select(AttendanceMark.participant_key, func.max(AttendanceMark.at).label("at"))
        .where(AttendanceMark.event_id == event.id)
        .group_by(AttendanceMark.participant_key)
        .subquery()
    )
    marks = session.execute(
        select(AttendanceMark.participant_key, AttendanceMark.kind, AttendanceMark.person_id)
        .join(
            latest,
            (latest.c.participant_key == AttendanceMark.participant_key) & (latest.c.at == AttendanceMark.at),
        )
        .where(AttendanceMark.event_id == event.id)
    ).all()
    last: dict[str, tuple[str, int | None]] = {}
    for key, kind, person_id in marks:
        # A join and a leave at the same moment: the leave wins (nobody is counted twice).
        if key not in last or kind == "leave":
            last[key] = (kind, person_id if person_id is not None else last.get(key, ("", None))[1])
    present = {key: person_id for key, (kind, person_id) in last.items() if kind == "join"}
    person_ids = sorted({p for p in present.values() if p is not None})
    guests = sum(1 for p in present.values() if p is None)
    names: list[str] = []
    if person_ids:
        names = [
            f"{first} {last_name}".strip()
            for first, last_name in session.execute(
                select(Person.first_name, Person.last_name)
                .where(Person.id.in_(person_ids[:MAX_NAMES]))
                .order_by(Person.last_name, Person.first_name)
            )
        ]
    return InMeeting(True, len(person_ids), names, guests)


def _failures(session: Session, event: Event) -> tuple[list[Failure], dict[str, int]]:
    key = event.key
    failures: list[Failure] = []
    mail_status = status(session, event, failure_limit=MAX_LISTED)
    for f in mail_status.failures:
        if f.state != OutboxState.FAILED:
            continue
        failures.append(
            Failure(
                "mail",
                f"{occasion_label(f.occasion, _)}: {f.email}",
                f.reason or "–",
                Repair(_("Send again"), f"/events/{key}/mails/retry", fields={"outbox_id": str(f.id)}),
            )
        )
    failed_mails = sum(states.get(OutboxState.FAILED, 0) for states in mail_status.by_kind.values())
    registrations = session.execute(
        select(Person.email, ZoomRegistration.last_error)
        .join(ZoomRegistration, ZoomRegistration.person_id == Person.id)
        .where(
            Person.event_id == event.id,
            Person.status == PersonStatus.ACTIVE,
            ZoomRegistration.state == RegistrationState.FAILED,
        )
        .order_by(Person.email)
        .limit(MAX_LISTED)
    ).all()
    for email, error in registrations:
        failures.append(
            Failure(
                "registration",
                email,
                error or "–",
                Repair(_("Register again"), f"/events/{key}/registrations/retry", fields={"email": email}),
            )
        )
    failed_registrations = int(
        session.scalar(
            select(func.count())
            .select_from(Person)
            .join(ZoomRegistration, ZoomRegistration.person_id == Person.id)
            .where(
                Person.event_id == event.id,
                Person.status == PersonStatus.ACTIVE,
                ZoomRegistration.state == RegistrationState.FAILED,
            )
        )
        or 0
    )
    failed_rounds = session.execute(
        select(BreakoutRoundRecord.number, BreakoutApply.last_error)
        .join(BreakoutApply, BreakoutApply.round_id == BreakoutRoundRecord.id)
        .where(BreakoutRoundRecord.event_id == event.id, BreakoutApply.state.in_(ApplyState.NOT_SENT))
        .order_by(BreakoutRoundRecord.number)
    ).all()
    for number, error in failed_rounds:
        failures.append(
            Failure(
                "breakouts",
                _("Breakout round {round}", round=number),
                error or "–",
                Repair(
                    _("Send to Zoom again"), f"/events/{key}/console/apply", fields={"round": str(number)}
                ),
            )
        )
    counts = {"mail": failed_mails, "registration": failed_registrations, "breakouts": len(failed_rounds)}
    return failures, counts


def mailings_under_way(session: Session, event: Event, now: datetime) -> list[MailingProgress]:
    """Occasions whose mails are due and not all out yet, with how many went out so far."""
    waiting = (OutboxState.QUEUED, *OutboxState.IN_FLIGHT)
    rows = session.execute(
        select(
            OutboxMessage.occasion,
            func.count().filter(OutboxMessage.state == OutboxState.SENT),
            func.count().filter(OutboxMessage.state.in_(waiting)),
            func.count().filter(OutboxMessage.state != OutboxState.CANCELLED),
        )
        .where(OutboxMessage.event_id == event.id)
        .group_by(OutboxMessage.occasion)
        .having(func.min(OutboxMessage.due_at) <= now)
        .order_by(func.min(OutboxMessage.due_at))
    )
    return [
        MailingProgress(occasion, occasion_label(occasion, _), int(sent), int(total))
        for occasion, sent, left, total in rows
        if left
    ]


def _sync(session: Session, event: Event, sessions: Any, now: datetime) -> SyncProgress:
    holder = lease.read(sessions, sync_lease_name(event.id))
    running = holder is not None and holder.expires_at > now
    counts = state_counts(session, event)
    registered = sum(counts.get(s, 0) for s in REGISTERED_STATES)
    active = sum(n for s, n in counts.items() if s not in ("cancelled", "cancelling"))
    return SyncProgress(
        running=running,
        holder=(holder.holder_label or holder.holder) if running and holder is not None else None,
        since=holder.acquired_at if running and holder is not None else None,
        registered=registered,
        waiting=counts.get("new", 0) + counts.get("sending", 0),
        failed=counts.get("failed", 0),
        active=active,
    )
