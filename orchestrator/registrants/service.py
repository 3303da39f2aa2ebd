"""The registrant use cases, as the CLI, the dashboard, the scheduler and the demo call them.

Each takes the collaborators it uses (a :class:`~orchestrator.db.store.Store`, and for the ones
that talk to Zoom a :class:`ZoomAccess`) and returns a typed result (``results``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from orchestrator.agenda import Agenda
from orchestrator.clock import Clock
from orchestrator.db.lease import LeaseInfo, hold
from orchestrator.db.models import Person, ZoomMeeting, ZoomRegistration
from orchestrator.db.models.person import PersonStatus, RegistrationState
from orchestrator.db.models.zoom import MeetingState
from orchestrator.db.store import Store
from orchestrator.events import agenda_of, resolve_event
from orchestrator.i18n import _
from orchestrator.registrants.context import Progress, ZoomWork, active_meeting
from orchestrator.registrants.report import list_people, registration_report, show_person
from orchestrator.registrants.results import (
    CancelDecision,
    CancelResult,
    ImportResult,
    PersonDetail,
    RegistrantList,
    RegistrationReport,
    RetryResult,
    SyncResult,
)
from orchestrator.zoom.ratelimit import AccountPlan, ZoomRateLimiter

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from orchestrator.db.models import Event
    from orchestrator.zoom.client import ZoomClient


@dataclass(frozen=True)
class ZoomAccess:
    """The collaborators of the use cases that change registrations in Zoom."""

    store: Store
    zoom: ZoomClient
    clock: Clock
    plan: AccountPlan | str  # the Zoom account's plan: sets the pace of the calls

    def work(self, session: Session) -> ZoomWork:
        """The inner layer's collaborators for one pass in ``session``."""
        return ZoomWork(
            session=session,
            zoom=self.zoom,
            clock=self.clock,
            pacer=ZoomRateLimiter.steady(self.plan, self.clock),
        )


@dataclass(frozen=True)
class ImportOptions:
    """How to read and apply an export: column names, encoding, dry run, cancel who is missing."""

    overrides: Mapping[str, str] | None = None
    encoding: str | None = None
    dry_run: bool = False
    cancel_missing: bool = False


@dataclass(frozen=True)
class SyncOptions:
    """How a sync runs: progress, how long to wait for another sync, who it is (for messages)."""

    progress: Progress | None = None
    wait_seconds: float = 0.0
    on_wait: Callable[[LeaseInfo], None] | None = None
    purpose: str = "registrants sync"


def auto_approves(agenda: Agenda) -> bool:
    """Whether our registrations are approved at once (the organiser's import is the approval)."""
    return agenda.registration.approval == "automatic" or agenda.registration.auto_approve_imported


def import_registrations(
    store: Store,
    clock: Clock,
    event_key: str | None,
    path: Path,
    options: ImportOptions | None = None,
) -> ImportResult:
    """Import an export in one transaction (rolled back with ``dry_run``); the row-by-row report."""
    from orchestrator.registrants.importing import import_into, import_report  # the parser loads here

    options = options or ImportOptions()
    with store.session() as session:
        event = resolve_event(session, event_key)
        batch, outcome = import_into(
            session,
            event,
            path,
            now=clock.now(),
            overrides=options.overrides,
            encoding=options.encoding,
            cancel_missing=options.cancel_missing,
        )
        report = import_report(event, batch, outcome, dry_run=options.dry_run)
        if options.dry_run:
            session.rollback()
        else:
            session.commit()
        return report


def sync_lease_name(event_id: int) -> str:
    """The lease that lets one sync of an event run at a time (across processes and instances)."""
    return f"registrants-sync:{event_id}"


def sync_registrants(
    access: ZoomAccess, event_key: str | None, options: SyncOptions | None = None
) -> SyncResult:
    """One sync pass: every active person registered in Zoom exactly once (see ``sync``).

    Runs under the event's sync lease. When another sync holds it, waits up to
    ``options.wait_seconds`` (``on_wait`` is told once who holds it), then raises ``LeaseBusy``
    (nothing was sent). ``purpose`` names this sync in the "already running" messages of others.
    """
    options = options or SyncOptions()
    with access.store.session() as session:
        event = resolve_event(session, event_key)
        meeting = active_meeting(session, event)
        agenda = agenda_of(event)
        session.commit()  # no transaction stays open while we wait for the lease
        with hold(
            access.store.sessions,
            sync_lease_name(event.id),
            clock=access.clock,
            purpose=options.purpose,
            busy_message=lambda info: _sync_busy_message(event.key, info, options.wait_seconds),
            lost_message=_(
                "The Zoom sync of event '{event}' stopped: it could not renew its lease in time and "
                "another sync has taken over. Nothing is lost; the other sync finishes the work.",
                event=event.key,
            ),
            wait_seconds=options.wait_seconds,
            on_wait=options.on_wait,
        ) as lease:
            from orchestrator.registrants.sync import sync_event  # Zoom's side loads only for a sync

            work = access.work(session)
            work.keep_alive = lease.keep_alive
            return sync_event(
                work,
                event,
                meeting,
                auto_approve=auto_approves(agenda),
                default_language=agenda.default_language,
                progress=options.progress,
            )


def _sync_busy_message(event_key: str, info: LeaseInfo, waited: float) -> str:
    if waited > 0:
        return _(
            "Another Zoom sync of event '{event}' is still running after {seconds} s of waiting ({holder}). "
            "Nothing was sent; run the sync again later or wait longer with --wait.",
            event=event_key,
            seconds=round(waited),
            holder=info.describe(),
        )
    return _(
        "Another Zoom sync of event '{event}' is already running ({holder}). Nothing was sent by this one.",
        event=event_key,
        holder=info.describe(),
    )


def retry_registrations(
    access: ZoomAccess,
    event_key: str,
    emails: Sequence[str] | None,
    *,
    purpose: str = "retry failed registrations",
) -> RetryResult:
    """Re-queue the failed registrations of ``emails`` (all failed ones with ``None``) and sync once.

    Only active people in state ``failed`` are touched; the sync pass keeps Zoom's limits (3 adds
    per person and day, the registrant cap), so a retry can never register anyone twice.
    """
    with access.store.session() as session:
        event = resolve_event(session, event_key)
        query = (
            select(ZoomRegistration)
            .join(Person)
            .where(
                Person.event_id == event.id,
                Person.status == PersonStatus.ACTIVE,
                ZoomRegistration.state == RegistrationState.FAILED,
            )
        )
        if emails is not None:
            query = query.where(Person.email.in_([e.strip().lower() for e in emails]))
        requeued = 0
        for registration in session.scalars(query):
            registration.state = RegistrationState.PENDING
            registration.last_error = None
            requeued += 1
        session.commit()
    # With another sync running this raises ``LeaseBusy``; the rows stay ``pending`` for that sync
    # (or the next one) to send.
    result = sync_registrants(access, event_key, SyncOptions(purpose=purpose))
    return RetryResult(requeued=requeued, sync=result)


def cancel_registrations(
    access: ZoomAccess,
    event_key: str | None,
    emails: Sequence[str],
    *,
    before_commit: Callable[[Session, Event, CancelDecision], object] | None = None,
) -> CancelResult:
    """Cancel people in the store and their Zoom registrations (their links stop working).

    ``before_commit`` runs in the transaction that stores the cancellation (the browser's audit
    log), before Zoom is told; see :func:`orchestrator.registrants.cancel.cancel_people`.
    """
    with access.store.session() as session:
        event = resolve_event(session, event_key)
        meeting = session.scalar(select(ZoomMeeting).where(ZoomMeeting.event_id == event.id))
        if meeting is not None and (meeting.state != MeetingState.ACTIVE or meeting.zoom_meeting_id is None):
            meeting = None
        from orchestrator.registrants.cancel import cancel_people  # Zoom's side loads only for a cancel

        return cancel_people(
            access.work(session),
            event,
            meeting,
            emails,
            default_language=agenda_of(event).default_language,
            before_commit=before_commit,
        )


def list_registrants(store: Store, event_key: str | None, states: list[str] | None = None) -> RegistrantList:
    """The people of the event (optionally only those in ``states``) and their registration state."""
    with store.session() as session:
        event = resolve_event(session, event_key)
        return RegistrantList(event=event.key, people=list_people(session, event, states))


def report_registrants(store: Store, event_key: str | None) -> RegistrationReport:
    """Per-state counts, everyone not registered and why, and failed Zoom calls."""
    with store.session() as session:
        return registration_report(session, resolve_event(session, event_key))


def show_registrant(store: Store, event_key: str | None, email: str, *, reveal_link: bool) -> PersonDetail:
    """One person in full; the join link only with ``reveal_link``."""
    with store.session() as session:
        return show_person(session, resolve_event(session, event_key), email, reveal_link=reveal_link)
