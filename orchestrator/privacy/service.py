"""Privacy use cases: a person's data export (Art. 15 GDPR), forgetting a person, the retention purge.

``person export``, ``person forget``, ``person purge-expired`` and the daily retention job call these
with the collaborators they need; each opens its own session and commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrator.clock import Clock
from orchestrator.db.store import Store
from orchestrator.errors import BadInput
from orchestrator.events import resolve_event
from orchestrator.i18n import _
from orchestrator.privacy.export import export_person
from orchestrator.privacy.forget import forget_person
from orchestrator.privacy.retention import PurgeOutcome, purge_expired
from orchestrator.zoom.client import ZoomClient

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class PersonExport:
    """Everything stored about one address; ``records`` are the stored rows as JSON data."""

    email: str
    records: list[dict[str, Any]]
    unprocessed_zoom_notifications: list[dict[str, Any]]


@dataclass(frozen=True)
class ForgetResult:
    """What forgetting removed (counts only: the result must not name the person)."""

    people: int
    zoom_cancelled: int
    rows: dict[str, int]
    webhook_events: int
    mail_files: int


@dataclass(frozen=True)
class PurgeResult:
    """``person purge-expired``: the events past the retention period and what was (or would be) purged."""

    retention_days: int
    dry_run: bool
    events: list[PurgeOutcome]


@dataclass(frozen=True)
class RetentionReport:
    """The daily retention job: the events in which something was purged."""

    purged: list[PurgeOutcome]


def _event_id(store: Store, event_key: str | None) -> int | None:
    if event_key is None:
        return None
    with store.session() as session:
        return resolve_event(session, event_key).id


def person_export(store: Store, email: str, event_key: str | None) -> PersonExport:
    """Everything stored about ``email`` (all events, or one); ``BadInput`` when nothing is."""
    event_id = _event_id(store, event_key)
    with store.session() as session:
        data = export_person(session, email, event_id)
    if not data["records"] and not data["unprocessed_zoom_notifications"]:
        raise BadInput(_("No person with the e-mail address {email} is stored.", email=email.strip().lower()))
    return PersonExport(data["email"], data["records"], data["unprocessed_zoom_notifications"])


@dataclass(frozen=True)
class ForgetRequest:
    """Whom to forget: an address in every event (or one); ``mail_dir``: .eml files to delete too."""

    email: str
    event_key: str | None = None
    mail_dir: Path | None = None


def person_forget(
    store: Store,
    zoom: ZoomClient,
    clock: Clock,
    request: ForgetRequest,
    *,
    before_commit: Callable[[Session, ForgetResult], object] | None = None,
) -> ForgetResult:
    """Cancel in Zoom, delete all rows and .eml mails about the person, log anonymously.

    ``before_commit`` runs in the transaction of the deletion, before its commit (the browser's
    audit log): if Zoom refuses, nothing is deleted and it does not run.
    """
    event_id = _event_id(store, request.event_key)
    with store.session() as session:
        outcome = forget_person(
            session, zoom, request.email, clock.now(), event_id=event_id, mail_dir=request.mail_dir
        )
        result = ForgetResult(
            people=len(outcome.people),
            zoom_cancelled=outcome.zoom_cancelled,
            rows=outcome.rows,
            webhook_events=outcome.webhook_events,
            mail_files=outcome.mail_files,
        )
        if before_commit is not None:
            before_commit(session, result)
        session.commit()
    return result


def purge_expired_events(store: Store, clock: Clock, retention_days: int, *, dry_run: bool) -> PurgeResult:
    """Purge personal data of events that ended more than ``retention_days`` ago (or only list them)."""
    with store.session() as session:
        outcomes = purge_expired(session, clock.now(), retention_days, dry_run=dry_run)
        if not dry_run:
            session.commit()
    return PurgeResult(retention_days=retention_days, dry_run=dry_run, events=outcomes)


def retention_purge(store: Store, clock: Clock, retention_days: int) -> RetentionReport:
    """The daily job's work: purge what has passed the retention period; report what was purged."""
    result = purge_expired_events(store, clock, retention_days, dry_run=False)
    return RetentionReport(purged=[o for o in result.events if o.anything])
