"""Attendance use cases after the event: reconciling with Zoom's report, the minutes export (CSV)
and the certificates.

``attendance export`` and ``attendance certificates`` call these once stored Zoom notifications have
been applied (the entry point drains them first); each opens its own session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select

from orchestrator.attendance.certificates import (
    SendOutcome,
    certificate_attachments,
    send_certificates,
    write_certificates,
)
from orchestrator.attendance.export import attendance_csv
from orchestrator.attendance.minutes import compute_attendance, event_threshold
from orchestrator.attendance.reconcile import due_event_keys, merge_report
from orchestrator.clock import Clock
from orchestrator.db.lease import Lease, LeaseBusy, hold
from orchestrator.db.models import ZoomMeeting
from orchestrator.db.store import Store
from orchestrator.errors import BadInput
from orchestrator.events import resolve_event
from orchestrator.i18n import _
from orchestrator.mail.transports import Transport
from orchestrator.results import OMIT, _Omit
from orchestrator.zoom.errors import AuthError, NotFound


@dataclass(frozen=True)
class AttendanceRow:
    """One registered person's attendance."""

    email: str
    first_name: str
    last_name: str
    organisation: str | None
    minutes: int
    first_join: datetime | None
    last_leave: datetime | None
    certificate: bool


@dataclass(frozen=True)
class AttendanceExport:
    """``attendance export``: minutes per person, the CSV, and the file it was written to (if any)."""

    event: str
    meeting_ended: bool
    min_minutes: int
    people: list[AttendanceRow]
    attended: int
    guests: int
    guest_minutes: int
    csv: str
    file: str | _Omit = OMIT


@dataclass(frozen=True)
class CertificateMailing:
    """How certificates are mailed: a transport per run, and the sender address."""

    transport_factory: Callable[[], Transport]
    sender: str


@dataclass(frozen=True)
class CertificatesRequest:
    """Which certificates: the event, the minimum minutes (None: the event's default), where to write."""

    event_key: str | None
    min_minutes: int | None
    out_dir: Path | None


@dataclass(frozen=True)
class CertificatesResult:
    """``attendance certificates``: how many, the files written; with mailing also who got one."""

    event: str
    min_minutes: int
    certificates: int
    written: list[str]
    sent: list[str] | _Omit = OMIT
    already_sent: list[str] | _Omit = OMIT
    unresolved: list[str] | _Omit = OMIT
    failed: dict[str, str] | _Omit = OMIT

    def mailing(self) -> SendOutcome | None:
        """Who got a certificate by mail in this run (None: nothing was mailed)."""
        if isinstance(self.sent, _Omit) or isinstance(self.already_sent, _Omit):
            return None
        if isinstance(self.unresolved, _Omit) or isinstance(self.failed, _Omit):
            return None
        return SendOutcome(self.sent, self.already_sent, self.unresolved, self.failed)


def attendance_export(
    store: Store, clock: Clock, event_key: str | None, min_minutes: int | None
) -> AttendanceExport:
    """Everyone's minutes and the CSV (semicolon-separated, for Excel)."""
    with store.session() as session:
        event = resolve_event(session, event_key)
        threshold = event_threshold(event, min_minutes)
        report = compute_attendance(session, event, clock.now())
        return AttendanceExport(
            event=event.key,
            meeting_ended=report.meeting_ended,
            min_minutes=threshold,
            people=[
                AttendanceRow(
                    email=p.email,
                    first_name=p.first_name,
                    last_name=p.last_name,
                    organisation=p.organisation,
                    minutes=p.minutes,
                    first_join=p.first_join,
                    last_leave=p.last_leave,
                    certificate=p.minutes >= threshold and p.minutes > 0,
                )
                for p in report.people
            ],
            attended=len([p for p in report.people if p.minutes > 0]),
            guests=report.guests,
            guest_minutes=report.guest_minutes,
            csv=attendance_csv(report, timezone=event.timezone, min_minutes=threshold),
        )


def issue_certificates(
    store: Store, clock: Clock, request: CertificatesRequest, mailing: CertificateMailing | None
) -> CertificatesResult:
    """Write certificates into ``request.out_dir`` and/or mail them (``mailing``; each person once)."""
    if request.out_dir is None and mailing is None:
        raise BadInput(_("Give --out DIR to write the certificates, --send to mail them, or both."))
    with store.session() as session:
        event = resolve_event(session, request.event_key)
        threshold = event_threshold(event, request.min_minutes)
        now = clock.now()
        report = compute_attendance(session, event, now)
        if mailing is not None and not report.meeting_ended:
            raise BadInput(
                _(
                    "The meeting has not ended yet (no meeting.ended from Zoom); certificates are "
                    "sent only afterwards."
                )
            )
        attachments = certificate_attachments(session, event, min_minutes=threshold, now=now)
        out_dir = request.out_dir
        written = [str(p) for p in write_certificates(attachments, out_dir)] if out_dir is not None else []
        result = CertificatesResult(event.key, threshold, len(attachments), written)
        if mailing is not None:
            sent = send_certificates(
                session,
                event,
                attachments,
                mailing.transport_factory(),
                sender=mailing.sender,
                now=now,
                commit=session.commit,
            )
            result = replace(
                result,
                sent=sent.sent,
                already_sent=sent.already_sent,
                unresolved=sent.unresolved,
                failed=sent.failed,
            )
        session.commit()
        return result


class ParticipantReports(Protocol):
    """The part of the Zoom client that reads a held meeting's participants."""

    def iter_report_participants(
        self, meeting: int | str, *, include_registrant_id: bool = True
    ) -> Iterator[dict[str, Any]]: ...

    def iter_past_meeting_participants(self, meeting: int | str) -> Iterator[dict[str, Any]]: ...


@dataclass(frozen=True)
class ReconcileResult:
    """``attendance reconcile``: report rows read, marks added, rows already stored."""

    event: str
    report_rows: int
    marks_added: int
    already_known: int
    skipped: int
    source: str  # "report" or "past_meeting" (without the report scope)


def reconcile_attendance(
    store: Store, zoom: ParticipantReports, clock: Clock, event_key: str | None, *, wait_seconds: float = 0.0
) -> ReconcileResult:
    """Merge Zoom's participant report of the event's (latest held) meeting with the webhook marks.

    Idempotent: a second run adds nothing. Reads the report endpoint (with registrant ids); an
    account without the ``report:read:admin`` scope falls back to the past-meeting participants.
    One reconcile per event at a time (a command, the job, another instance): it holds the lease
    ``attendance-reconcile:<event id>``; a second one waits up to ``wait_seconds``, then
    :class:`~orchestrator.db.lease.LeaseBusy` (exit 1). After waiting it finds everything known.
    """
    with store.session() as session:
        event = resolve_event(session, event_key)
    with _reconcile_lease(store, clock, event.id, event.key, wait_seconds), store.session() as session:
        event = resolve_event(session, event.key)
        meeting = session.scalar(select(ZoomMeeting).where(ZoomMeeting.event_id == event.id))
        if meeting is None or meeting.zoom_meeting_id is None:
            raise BadInput(_("The event {event} has no Zoom meeting yet.", event=event.key))
        meeting_id = meeting.zoom_meeting_id
        source = "report"
        try:
            items = list(zoom.iter_report_participants(meeting_id, include_registrant_id=True))
        except NotFound as error:
            raise BadInput(
                _("Zoom has no participant report for the meeting of {event} yet.", event=event.key)
            ) from error
        except AuthError:
            source = "past_meeting"
            try:
                items = list(zoom.iter_past_meeting_participants(meeting_id))
            except NotFound as error:
                raise BadInput(
                    _("Zoom has no participant report for the meeting of {event} yet.", event=event.key)
                ) from error
        counts = merge_report(session, meeting, items)
        session.commit()
        return ReconcileResult(
            event=event.key,
            report_rows=counts.rows,
            marks_added=counts.marks_added,
            already_known=counts.already_known,
            skipped=counts.skipped,
            source=source,
        )


def _reconcile_lease(
    store: Store, clock: Clock, event_id: int, key: str, wait_seconds: float
) -> AbstractContextManager[Lease]:
    return hold(
        store.sessions,
        f"attendance-reconcile:{event_id}",
        clock=clock,
        purpose="attendance reconcile",
        busy_message=lambda info: _(
            "Another attendance reconcile of event '{event}' is running ({holder}); run the command again "
            "when it has finished.",
            event=key,
            holder=info.describe(),
        ),
        lost_message=_("The attendance reconcile of event '{event}' lost its lease.", event=key),
        wait_seconds=wait_seconds,
    )


def reconcile_ended_meetings(
    store: Store,
    zoom: ParticipantReports,
    clock: Clock,
    *,
    settle: timedelta = timedelta(minutes=30),
    horizon: timedelta = timedelta(days=2),
) -> list[ReconcileResult]:
    """Reconcile every event whose meeting ended ``settle`` ago and was not reconciled yet.

    For a periodic job after ``meeting.ended`` (or after the scheduled end, when the service
    heard nothing). A report Zoom has not finished yet is tried again on the next run.
    """
    with store.session() as session:
        keys = due_event_keys(session, clock.now(), settle=settle, horizon=horizon)
    results = []
    for key in keys:
        try:
            results.append(reconcile_attendance(store, zoom, clock, key))
        except BadInput:
            continue  # no report yet: the next run tries again
        except LeaseBusy:
            continue  # another instance reconciles this event right now
    return results
