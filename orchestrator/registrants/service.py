"""The registrant operations as the CLI, the demo and the scheduler call them (given a runtime)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from orchestrator.agenda import Agenda
from orchestrator.db.models import ZoomMeeting
from orchestrator.db.models.zoom import MeetingState
from orchestrator.events import agenda_of, resolve_event
from orchestrator.registrants.cancel import cancel_people
from orchestrator.registrants.context import Progress, ZoomWork, active_meeting
from orchestrator.registrants.importing import import_into, import_report
from orchestrator.registrants.pacing import SteadyPacer
from orchestrator.registrants.report import list_people, registration_report, show_person
from orchestrator.registrants.sync import sync_event

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from orchestrator.cli.runtime import Runtime


def auto_approves(agenda: Agenda) -> bool:
    """Whether our registrations are approved at once (the organiser's import is the approval)."""
    return agenda.registration.approval == "automatic" or agenda.registration.auto_approve_imported


def import_registrations(
    rt: Runtime,
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


def _work(rt: Runtime, session: Session) -> ZoomWork:
    return ZoomWork(
        session=session, zoom=rt.zoom, clock=rt.clock, pacer=SteadyPacer(rt.settings.zoom_plan, rt.clock)
    )


def sync_registrants(
    rt: Runtime, event_key: str | None, *, progress: Progress | None = None
) -> dict[str, Any]:
    """One sync pass: every active person registered in Zoom exactly once (see ``sync``)."""
    with rt.session() as session:
        event = resolve_event(session, event_key)
        meeting = active_meeting(session, event)
        agenda = agenda_of(event)
        return sync_event(
            _work(rt, session),
            event,
            meeting,
            auto_approve=auto_approves(agenda),
            default_language=agenda.default_language,
            progress=progress,
        )


def cancel_registrations(rt: Runtime, event_key: str | None, emails: Sequence[str]) -> dict[str, Any]:
    """Cancel people in the store and their Zoom registrations (their links stop working)."""
    with rt.session() as session:
        event = resolve_event(session, event_key)
        meeting = session.scalar(select(ZoomMeeting).where(ZoomMeeting.event_id == event.id))
        if meeting is not None and (meeting.state != MeetingState.ACTIVE or meeting.zoom_meeting_id is None):
            meeting = None
        return cancel_people(
            _work(rt, session), event, meeting, emails, default_language=agenda_of(event).default_language
        )


def list_registrants(rt: Runtime, event_key: str | None, states: list[str] | None = None) -> dict[str, Any]:
    with rt.session() as session:
        event = resolve_event(session, event_key)
        return {"event": event.key, "people": list_people(session, event, states)}


def report_registrants(rt: Runtime, event_key: str | None) -> dict[str, Any]:
    with rt.session() as session:
        return registration_report(session, resolve_event(session, event_key))


def show_registrant(rt: Runtime, event_key: str | None, email: str, *, reveal_link: bool) -> dict[str, Any]:
    with rt.session() as session:
        return show_person(session, resolve_event(session, event_key), email, reveal_link=reveal_link)
