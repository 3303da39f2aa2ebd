"""The registrant operations as the CLI, the demo and the scheduler call them (given a runtime)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from orchestrator.agenda import Agenda
from orchestrator.db.lease import LeaseInfo, hold
from orchestrator.db.models import ZoomMeeting
from orchestrator.db.models.zoom import MeetingState
from orchestrator.events import agenda_of, resolve_event
from orchestrator.i18n import _
from orchestrator.registrants.cancel import cancel_people
from orchestrator.registrants.context import Progress, ZoomWork, active_meeting
from orchestrator.registrants.importing import import_into, import_report
from orchestrator.registrants.pacing import SteadyPacer
from orchestrator.registrants.report import list_people, registration_report, show_person
from orchestrator.registrants.sync import sync_event

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from orchestrator.app import App


def auto_approves(agenda: Agenda) -> bool:
    """Whether our registrations are approved at once (the organiser's import is the approval)."""
    return agenda.registration.approval == "automatic" or agenda.registration.auto_approve_imported


def import_registrations(
    rt: App,
    event_key: str | None,
    path: Path,
    *,
    overrides: Mapping[str, str] | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
    cancel_missing: bool = False,
) -> dict[str, Any]:
    """Import an export in one transaction (rolled back with ``dry_run``); the report as a dict."""
    with rt.session() as session:
        event = resolve_event(session, event_key)
        batch, outcome = import_into(
            session,
            event,
            path,
            now=rt.clock.now(),
            overrides=overrides,
            encoding=encoding,
            cancel_missing=cancel_missing,
        )
        report = import_report(event, batch, outcome, dry_run=dry_run)
        if dry_run:
            session.rollback()
        else:
            session.commit()
        return report


def _work(rt: App, session: Session) -> ZoomWork:
    return ZoomWork(
        session=session, zoom=rt.zoom, clock=rt.clock, pacer=SteadyPacer(rt.settings.zoom_plan, rt.clock)
    )


def sync_lease_name(event_id: int) -> str:
    """The lease that lets one sync of an event run at a time (across processes and instances)."""
    return f"registrants-sync:{event_id}"


def sync_registrants(
    rt: App,
    event_key: str | None,
    *,
    progress: Progress | None = None,
    wait_seconds: float = 0.0,
    on_wait: Callable[[LeaseInfo], None] | None = None,
    purpose: str = "registrants sync",
) -> dict[str, Any]:
    """One sync pass: every active person registered in Zoom exactly once (see ``sync``).

    Runs under the event's sync lease. When another sync holds it, waits up to ``wait_seconds``
    (``on_wait`` is told once who holds it), then raises ``LeaseBusy`` (nothing was sent).
    ``purpose`` names this sync in the "already running" messages of others.
    """
    with rt.session() as session:
        event = resolve_event(session, event_key)
        meeting = active_meeting(session, event)
        agenda = agenda_of(event)
        session.commit()  # no transaction stays open while we wait for the lease
        with hold(
            rt.sessions,
            sync_lease_name(event.id),
            clock=rt.clock,
            purpose=purpose,
            busy_message=lambda info: _sync_busy_message(event.key, info, wait_seconds),
            lost_message=_(
                "The Zoom sync of event '{event}' stopped: it could not renew its lease in time and "
                "another sync has taken over. Nothing is lost; the other sync finishes the work.",
                event=event.key,
            ),
            wait_seconds=wait_seconds,
            on_wait=on_wait,
        ) as lease:
            work = _work(rt, session)
            work.keep_alive = lease.keep_alive
            return sync_event(
                work,
                event,
                meeting,
                auto_approve=auto_approves(agenda),
                default_language=agenda.default_language,
                progress=progress,
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


def cancel_registrations(rt: App, event_key: str | None, emails: Sequence[str]) -> dict[str, Any]:
    """Cancel people in the store and their Zoom registrations (their links stop working)."""
    with rt.session() as session:
        event = resolve_event(session, event_key)
        meeting = session.scalar(select(ZoomMeeting).where(ZoomMeeting.event_id == event.id))
        if meeting is not None and (meeting.state != MeetingState.ACTIVE or meeting.zoom_meeting_id is None):
            meeting = None
        return cancel_people(
            _work(rt, session), event, meeting, emails, default_language=agenda_of(event).default_language
        )


def list_registrants(rt: App, event_key: str | None, states: list[str] | None = None) -> dict[str, Any]:
    with rt.session() as session:
        event = resolve_event(session, event_key)
        return {"event": event.key, "people": list_people(session, event, states)}


def report_registrants(rt: App, event_key: str | None) -> dict[str, Any]:
    with rt.session() as session:
        return registration_report(session, resolve_event(session, event_key))


def show_registrant(rt: App, event_key: str | None, email: str, *, reveal_link: bool) -> dict[str, Any]:
    with rt.session() as session:
        return show_person(session, resolve_event(session, event_key), email, reveal_link=reveal_link)
