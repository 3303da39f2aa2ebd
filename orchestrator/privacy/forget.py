"""``person forget``: cancel the Zoom registration, delete every row and mail about the person.

What stays is one anonymous line in ``privacy_audit`` ("person #17 forgotten", counts): no name,
no e-mail, no hash of either (a hash of an e-mail is still personal data: it can be confirmed by
anyone who guesses the address).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_binary_file
from email.utils import getaddresses
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from orchestrator.db.models import Person, PrivacyAudit, ZoomMeeting
from orchestrator.db.models.person import RegistrationState
from orchestrator.errors import BadInput, OperationFailed
from orchestrator.i18n import _
from orchestrator.privacy.references import rows_about, webhook_events_mentioning
from orchestrator.zoom.client import ZoomClient
from orchestrator.zoom.errors import NotFound, ZoomError

log = logging.getLogger(__name__)

# Registration states in which Zoom may hold a registrant for the person.
_IN_ZOOM = (RegistrationState.REGISTERED, RegistrationState.INTENT, RegistrationState.CANCEL_INTENT)


@dataclass
class ForgetOutcome:
    """What was removed (counts only: the outcome itself must not name the person)."""

    people: list[int] = field(default_factory=list)
    zoom_cancelled: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    webhook_events: int = 0
    mail_files: int = 0


def forget_person(
    session: Session,
    zoom: ZoomClient,
    email: str,
    now: datetime,
    *,
    event_id: int | None = None,
    mail_dir: Path | None = None,
) -> ForgetOutcome:
    """Forget ``email`` in every event (or one). The caller commits.

    Zoom is told first: if that fails nothing is deleted and the command can simply be repeated.
    """
    address = email.strip().lower()
    query = select(Person).where(Person.email == address)
    if event_id is not None:
        query = query.where(Person.event_id == event_id)
    people = list(session.scalars(query))
    if not people:
        raise BadInput(_("No person with the e-mail address {email} is stored.", email=address))
    outcome = ForgetOutcome()
    needles = [address]
    for person in people:
        reg = person.registration
        if reg is not None and reg.zoom_registrant_id:
            needles.append(reg.zoom_registrant_id)
        if reg is not None and reg.zoom_registrant_id and reg.state in _IN_ZOOM:
            outcome.zoom_cancelled += _cancel_in_zoom(
                session, zoom, reg.meeting_id, reg.zoom_registrant_id, address
            )
    for person in people:
        for table, rows in rows_about(session, person.id).items():
            outcome.rows[table] = outcome.rows.get(table, 0) + len(rows)
        outcome.rows["person"] = outcome.rows.get("person", 0) + 1
        outcome.people.append(person.id)
    for row in webhook_events_mentioning(session, needles):
        session.delete(row)
        outcome.webhook_events += 1
    event_of = {p.id: p.event_id for p in people}
    session.flush()
    session.expunge_all()  # the database cascades; stale ORM copies must not be flushed back
    # ON DELETE CASCADE on every foreign key to person removes registrations, mails, marks …
    session.execute(delete(Person).where(Person.id.in_(outcome.people)))
    if mail_dir is not None:
        outcome.mail_files = delete_mail_files(mail_dir, address)
    detail = {
        "zoom_cancelled": outcome.zoom_cancelled,
        "rows": outcome.rows,
        "webhook_events": outcome.webhook_events,
        "mail_files": outcome.mail_files,
    }
    for person_id, event_id_of_person in event_of.items():
        session.add(
            PrivacyAudit(
                at=now,
                event_id=event_id_of_person,
                action="forget",
                subject=f"person #{person_id}",
                detail=detail,
            )
        )
    session.flush()
    return outcome


def _cancel_in_zoom(
    session: Session, zoom: ZoomClient, meeting_row_id: int, registrant_id: str, email: str
) -> int:
    meeting = session.get(ZoomMeeting, meeting_row_id)
    if meeting is None or meeting.zoom_meeting_id is None:
        return 0
    try:
        target = [{"id": registrant_id, "email": email}]
        zoom.update_registrant_status(meeting.zoom_meeting_id, "cancel", target)
    except NotFound:
        return 0  # the meeting or registrant is gone already
    except ZoomError as exc:
        raise OperationFailed(
            _(
                "Zoom did not cancel the registration ({error}); nothing was deleted. Try again later.",
                error=exc.message,
            )
        ) from None
    return 1


def delete_mail_files(directory: Path, email: str) -> int:
    """Delete the .eml files (mail transport "eml") addressed to ``email``; returns how many."""
    if not directory.is_dir():
        return 0
    removed = 0
    for path in directory.glob("*.eml"):
        try:
            with path.open("rb") as fh:
                msg = message_from_binary_file(fh)
        except OSError:
            continue
        headers = msg.get_all("To", []) + msg.get_all("Cc", [])
        recipients = {addr.lower() for _name, addr in getaddresses(headers)}
        if email in recipients:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
