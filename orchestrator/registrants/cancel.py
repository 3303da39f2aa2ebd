"""Cancelling registrations: in the store and in Zoom (the person's join link stops working).

Intent first: the registration is set to ``cancel_intent`` and committed, then Zoom is told
(``PUT .../registrants/status`` with ``cancel``, ≤ 30 per call), then the result is recorded. A
cancel is absolute, so sending it again after a lost answer is harmless; a registrant Zoom no
longer knows is resolved by listing (reconciliation).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from orchestrator.db.models import Event, Person, ZoomMeeting, ZoomRegistration
from orchestrator.db.models.person import PersonStatus, RegistrationState
from orchestrator.errors import BadInput, OperationFailed
from orchestrator.i18n import _
from orchestrator.registrants.context import ZoomWork
from orchestrator.registrants.reconcile import apply_listing, list_meeting_registrants
from orchestrator.registrants.results import CancelDecision, CancelResult
from orchestrator.zoom.client import MAX_STATUS_REGISTRANTS, chunked
from orchestrator.zoom.errors import AuthError, NotFound, RateLimited, ValidationFailed, ZoomError
from orchestrator.zoom.ratelimit import RateCategory

log = logging.getLogger(__name__)
State = RegistrationState
STATUS_PATH = "/meetings/{meetingId}/registrants/status"


@dataclass
class CancelSent:
    """Outcome of sending cancellations: e-mails cancelled in Zoom, and those still unresolved."""

    cancelled: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def send_cancellations(
    work: ZoomWork, event: Event, meeting: ZoomMeeting, regs: Sequence[ZoomRegistration]
) -> CancelSent:
    """Cancel ``regs`` (already ``cancel_intent`` and committed) in Zoom, ≤ 30 per call."""
    sent = CancelSent()
    assert meeting.zoom_meeting_id is not None
    for chunk in chunked(list(regs), MAX_STATUS_REGISTRANTS):
        work.keep_alive()
        try:
            _cancel_chunk(work, event, meeting, chunk)
        except ValidationFailed as exc:
            work.commit()
            if len(chunk) == 1:
                # Zoom does not know this registrant (cancelled or deleted there): listing resolves it.
                sent.unresolved.append(chunk[0].person.email)
                sent.errors.append(exc.message)
                continue
            for reg in chunk:  # one unknown registrant fails the whole call: send them one by one
                one = send_cancellations(work, event, meeting, [reg])
                sent.cancelled += one.cancelled
                sent.unresolved += one.unresolved
                sent.errors += one.errors
            continue
        except (AuthError, NotFound):
            work.commit()
            raise
        except ZoomError as exc:  # rate limited or unavailable after retries: the next run repeats it
            work.commit()
            sent.unresolved += [r.person.email for r in chunk]
            sent.errors.append(exc.message)
            if isinstance(exc, RateLimited) and exc.daily:
                break
            continue
        sent.cancelled += [r.person.email for r in chunk]
    return sent


def _cancel_chunk(work: ZoomWork, event: Event, meeting: ZoomMeeting, chunk: list[ZoomRegistration]) -> None:
    assert meeting.zoom_meeting_id is not None
    targets = [{"id": str(r.zoom_registrant_id), "email": r.person.email} for r in chunk]
    work.pacer.acquire(RateCategory.MEDIUM)
    work.count_call("cancel")
    try:
        work.zoom.update_registrant_status(meeting.zoom_meeting_id, "cancel", targets)
    except ZoomError as exc:
        work.audit(
            event, "cancel_registrants", "PUT", STATUS_PATH, None, "failed", {"count": len(chunk)}, error=exc
        )
        raise
    now = work.clock.now()
    for reg in chunk:
        reg.state = State.CANCELLED
        reg.zoom_status = "cancelled"
        reg.join_url = None
        reg.cancelled_at = now
        reg.claim_token = None
    work.audit(
        event,
        "cancel_registrants",
        "PUT",
        STATUS_PATH,
        204,
        "ok",
        {"count": len(chunk), "registrant_ids": [t["id"] for t in targets]},
    )
    work.commit()


def normalise_emails(emails: Sequence[str]) -> list[str]:
    """Trimmed, lower-case, de-duplicated addresses in their given order (blank ones dropped)."""
    return list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))


def cancel_people(
    work: ZoomWork,
    event: Event,
    meeting: ZoomMeeting | None,
    emails: Sequence[str],
    *,
    default_language: str,
    before_commit: Callable[[Session, Event, CancelDecision], object] | None = None,
) -> CancelResult:
    """Cancel the people with these e-mail addresses, in the store and in Zoom.

    ``before_commit`` runs in the transaction that stores the decision (the people cancelled), before
    its commit: that commit makes the cancellation visible, whatever Zoom answers afterwards (a
    cancellation Zoom has not confirmed is repeated by the next run), so the browser's audit row
    belongs to it. It runs only when this call cancels someone.
    """
    wanted = normalise_emails(emails)
    if not wanted:
        raise BadInput(_("No e-mail address given to cancel."))
    people = {
        p.email: p
        for p in work.session.scalars(
            select(Person)
            .where(Person.event_id == event.id, Person.email.in_(wanted))
            .options(selectinload(Person.registration))
        )
    }
    unknown = [e for e in wanted if e not in people]
    if len(unknown) == len(wanted):
        raise BadInput(
            _(
                "No registrant with the e-mail address {emails} in event '{event}'.",
                emails=", ".join(unknown),
                event=event.key,
            )
        )
    now = work.clock.now()
    already: list[str] = []
    local_only: list[str] = []
    in_flight: list[str] = []
    to_send: list[ZoomRegistration] = []
    for email in wanted:
        person = people.get(email)
        if person is None:
            continue
        reg = person.registration
        if person.status == PersonStatus.CANCELLED and (reg is None or reg.state == State.CANCELLED):
            already.append(email)
            continue
        person.status = PersonStatus.CANCELLED
        person.cancelled_at = now
        if reg is None or reg.state in (State.PENDING, State.FAILED, State.CANCELLED):
            if reg is not None:
                reg.state = State.CANCELLED
                reg.cancelled_at = now
            local_only.append(email)
        elif reg.state == State.INTENT:
            in_flight.append(email)  # the next sync resolves the registration and cancels it
        else:
            reg.state = State.CANCEL_INTENT
            to_send.append(reg)
    cancelled = [e for e in wanted if e in people and e not in already]
    if before_commit is not None and cancelled:
        to_zoom = [r.person.email for r in to_send] if meeting is not None else []
        before_commit(work.session, event, CancelDecision(event.key, cancelled, to_zoom))
    work.commit()  # the decision is durable before Zoom hears of it
    sent = CancelSent()
    if to_send and meeting is not None:
        sent = _send_and_resolve(work, event, meeting, to_send, default_language)
    if sent.unresolved:
        raise OperationFailed(
            _(
                "{count} cancellations could not be confirmed by Zoom; run the command again later.",
                count=len(sent.unresolved),
            ),
            details=sent.errors,
        )
    return CancelResult(
        event=event.key,
        cancelled_in_zoom=sent.cancelled,
        cancelled_locally=local_only,
        in_flight=in_flight,
        already_cancelled=already,
        unknown=unknown,
    )


def _send_and_resolve(
    work: ZoomWork, event: Event, meeting: ZoomMeeting, to_send: list[ZoomRegistration], default_language: str
) -> CancelSent:
    """Send the cancellations; those Zoom did not confirm are looked up in its listing and sent again."""
    sent = send_cancellations(work, event, meeting, to_send)
    if not sent.unresolved:
        return sent
    assert meeting.zoom_meeting_id is not None
    listing_started = work.clock.now()
    listing = list_meeting_registrants(work.zoom, meeting.zoom_meeting_id)
    apply_listing(
        work.session,
        event,
        meeting,
        listing,
        now=work.clock.now(),
        listing_started=listing_started,
        default_language=default_language,
    )
    work.commit()
    retry = [r for r in to_send if r.state == State.CANCEL_INTENT]
    again = send_cancellations(work, event, meeting, retry) if retry else CancelSent()
    resolved = [r.person.email for r in to_send if r.state == State.CANCELLED]
    return CancelSent(
        cancelled=sorted(set(sent.cancelled) | set(resolved)),
        unresolved=again.unresolved,
        errors=again.errors,
    )
