"""Reconciliation: make the store agree with the registrants Zoom actually has.

Zoom is listed in all three statuses (approved, pending, denied; cancelled registrants are not
listed) and matched to the store by e-mail (lower case). This resolves every call whose answer was
lost (a crash, a kill, a timeout) without sending anything twice:

- ``intent`` (a registration call was or may have been in flight): found → ``registered`` with
  Zoom's id and link; not found → back to ``pending`` (Zoom never registered them).
- ``pending``/``failed`` but found in Zoom (registered elsewhere, e.g. a concurrent run or the Zoom
  page) → adopted as ``registered``; nothing is sent.
- ``registered`` but no longer in Zoom (cancelled or deleted there) → ``cancelled``, and the person
  too, so the next sync does not register them again against the organiser's decision — but only
  when the store learned of the registration (``confirmed_at``/``registered_at``) before the listing
  started: a registration made while the listing ran (another process, a webhook) may simply be
  missing from it, and is kept (``kept_recent``). The margin ``CLOCK_SKEW`` covers clocks of
  different processes that disagree by a few seconds; a real deletion that close to a listing is
  found by the next sync.
- ``cancel_intent`` not in Zoom → ``cancelled``; still in Zoom → the cancel is sent again.
- a ``cancelled`` person found in Zoom under a *new* registrant id registered again on the Zoom
  page → active again; under the old id → our cancel did not take effect → ``cancel_intent``.
- e-mails Zoom has and the store does not (registrations made on Zoom's registration page) →
  new people with source ``zoom``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from orchestrator.db.models import Event, Person, ZoomMeeting, ZoomRegistration
from orchestrator.db.models.person import PersonSource, PersonStatus, RegistrationState
from orchestrator.registrants.person_fields import PersonRefused, check_zoom_person
from orchestrator.registrants.zoom_answers import answers_of_agenda, problems_note
from orchestrator.zoom.client import ZoomClient

log = logging.getLogger(__name__)

LISTED_STATUSES = ("approved", "pending", "denied")
# A registration the store learned of later than this before the listing started is never taken as
# deleted by that listing (see module docstring).
CLOCK_SKEW = timedelta(seconds=10)
State = RegistrationState


@dataclass(frozen=True)
class ZoomRegistrant:
    """One registrant as Zoom lists it. ``join_url`` is a credential: kept out of ``repr``."""

    registrant_id: str
    email: str  # lower case: the identity we match on
    email_display: str
    first_name: str
    last_name: str
    status: str
    join_url: str | None = field(default=None, repr=False)
    # The answers to the form's custom questions (``[{title, value}]``): personal, kept out of ``repr``.
    custom_questions: tuple[dict[str, Any], ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def from_zoom(cls, item: dict[str, Any], status: str) -> ZoomRegistrant:
        email = str(item.get("email") or "").strip()
        return cls(
            registrant_id=str(item.get("id") or item.get("registrant_id") or ""),
            email=email.lower(),
            email_display=email,
            first_name=str(item.get("first_name") or "").strip(),
            last_name=str(item.get("last_name") or "").strip(),
            status=str(item.get("status") or status),
            join_url=item.get("join_url") or None,
            custom_questions=tuple(q for q in item.get("custom_questions") or () if isinstance(q, dict)),
        )


def list_meeting_registrants(zoom: ZoomClient, zoom_meeting_id: int) -> dict[str, ZoomRegistrant]:
    """Every registrant of the meeting in every listed status, by lower-case e-mail.

    Pagination (≤ 300 per page), page-token expiry (restart) and access-token expiry are handled
    by the client.
    """
    found: dict[str, ZoomRegistrant] = {}
    for status in LISTED_STATUSES:
        for item in zoom.iter_registrants(zoom_meeting_id, status):  # type: ignore[arg-type]
            registrant = ZoomRegistrant.from_zoom(item, status)
            if registrant.email and registrant.registrant_id:
                found[registrant.email] = registrant
    return found


@dataclass
class ReconcileOutcome:
    """What reconciliation changed in the store (e-mail addresses per kind of change)."""

    resolved: list[str] = field(default_factory=list)  # intent → registered
    requeued: list[str] = field(default_factory=list)  # intent → pending
    adopted: list[str] = field(default_factory=list)  # pending/failed/new row → registered
    pulled_in: list[str] = field(default_factory=list)  # new people from the Zoom page
    cancelled_in_zoom: list[str] = field(default_factory=list)
    cancel_confirmed: list[str] = field(default_factory=list)
    cancel_again: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    status_changed: list[str] = field(default_factory=list)
    kept_recent: list[str] = field(default_factory=list)  # not listed, but younger than the listing

    def counts(self) -> dict[str, int]:
        return {name: len(value) for name, value in vars(self).items()}


def people_with_registrations(session: Session, event: Event) -> list[Person]:
    """All people of ``event`` with their registration loaded (one query each)."""
    query = (
        select(Person)
        .where(Person.event_id == event.id)
        .options(selectinload(Person.registration))
        .order_by(Person.id)
        # The caller's session may hold rows another process has changed since (sessions keep
        # objects across commits): decide on the committed state.
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def apply_listing(
    session: Session,
    event: Event,
    meeting: ZoomMeeting,
    listing: dict[str, ZoomRegistrant],
    *,
    now: datetime,
    listing_started: datetime,
    default_language: str,
) -> ReconcileOutcome:
    """Bring the store in line with ``listing`` (see module docstring); flushes, does not commit.

    ``listing_started`` is the clock's time taken *before* the first page of ``listing`` was
    requested.
    """
    outcome = ReconcileOutcome()
    people = people_with_registrations(session, event)
    known = {p.email for p in people}
    for person in people:
        _reconcile_person(session, meeting, person, listing.get(person.email), now, listing_started, outcome)
    for email in sorted(set(listing) - known):
        if _pull_in(session, event, meeting, listing[email], now, default_language):
            outcome.pulled_in.append(email)
    session.flush()
    return outcome


def _reconcile_person(  # noqa: C901  one decision table: store state × Zoom state, read top to bottom
    session: Session,
    meeting: ZoomMeeting,
    person: Person,
    found: ZoomRegistrant | None,
    now: datetime,
    listing_started: datetime,
    outcome: ReconcileOutcome,
) -> None:
    reg = person.registration
    if reg is None:
        if found is None:
            return
        reg = ZoomRegistration(meeting_id=meeting.id, state=State.PENDING, attempts=0, adds_on_day=0)
        person.registration = reg
        session.add(reg)
    state = reg.state
    if state == State.INTENT:
        if found is not None:
            _registered(reg, found, now)
            outcome.resolved.append(person.email)
        else:
            reg.state = State.PENDING
            reg.claim_token = None
            outcome.requeued.append(person.email)
        _cancel_if_person_cancelled(person, reg)
        return
    if found is None:
        if state == State.REGISTERED:
            if not learned_before(reg, listing_started - CLOCK_SKEW):
                outcome.kept_recent.append(person.email)
                return
            _cancelled(reg, now, "cancelled or deleted in Zoom")
            if person.status == PersonStatus.ACTIVE:
                person.status = PersonStatus.CANCELLED
                person.cancelled_at = now
            outcome.cancelled_in_zoom.append(person.email)
        elif state == State.CANCEL_INTENT:
            _cancelled(reg, now, None)
            outcome.cancel_confirmed.append(person.email)
        return
    if state in (State.PENDING, State.FAILED):
        _registered(reg, found, now)
        outcome.adopted.append(person.email)
        _cancel_if_person_cancelled(person, reg)
    elif state == State.REGISTERED:
        if (reg.zoom_registrant_id, reg.zoom_status) != (found.registrant_id, found.status):
            outcome.status_changed.append(person.email)
        elif _listed_as_stored(reg, found):
            # Nothing new: no write, so a listing every few minutes on the day does not touch
            # thousands of rows (and the mail plan, which watches registrations, stays valid).
            # An unchanged ``confirmed_at`` is safe: it only guards registrations younger than a listing.
            _cancel_if_person_cancelled(person, reg)
            return
        _registered(reg, found, now)
        _cancel_if_person_cancelled(person, reg)
    elif state == State.CANCELLED:
        if found.registrant_id != reg.zoom_registrant_id:
            # A new registration on the Zoom page after the cancellation: the person is back.
            person.status = PersonStatus.ACTIVE
            person.cancelled_at = None
            _registered(reg, found, now)
            outcome.reactivated.append(person.email)
        else:
            reg.state = State.CANCEL_INTENT
            outcome.cancel_again.append(person.email)
    elif state == State.CANCEL_INTENT:
        reg.zoom_registrant_id = found.registrant_id


def learned_before(reg: ZoomRegistration, moment: datetime) -> bool:
    """Whether everything the store knows of ``reg`` from Zoom is older than ``moment``."""
    known = [t for t in (reg.confirmed_at, reg.registered_at) if t is not None]
    return not known or max(known) < moment


def _cancel_if_person_cancelled(person: Person, reg: ZoomRegistration) -> None:
    if person.status == PersonStatus.CANCELLED and reg.state == State.REGISTERED:
        reg.state = State.CANCEL_INTENT  # the store is authoritative for cancellations


def _listed_as_stored(reg: ZoomRegistration, found: ZoomRegistrant) -> bool:
    """Whether the listing says nothing about ``reg`` that the store does not already hold."""
    same_link = reg.join_url == found.join_url or not (found.join_url or found.status != "approved")
    return same_link and reg.last_error is None and reg.claim_token is None


def _registered(reg: ZoomRegistration, found: ZoomRegistrant, now: datetime) -> None:
    reg.state = State.REGISTERED
    reg.claim_token = None
    reg.zoom_registrant_id = found.registrant_id
    reg.zoom_status = found.status
    if found.join_url or found.status != "approved":
        reg.join_url = found.join_url
    reg.last_error = None
    reg.confirmed_at = now
    if reg.registered_at is None:
        reg.registered_at = now


def _cancelled(reg: ZoomRegistration, now: datetime, reason: str | None) -> None:
    reg.state = State.CANCELLED
    reg.claim_token = None
    reg.zoom_status = "cancelled"
    reg.join_url = None  # the link no longer works; do not keep a dead credential around
    reg.cancelled_at = now
    reg.last_error = reason


def _pull_in(
    session: Session,
    event: Event,
    meeting: ZoomMeeting,
    found: ZoomRegistrant,
    now: datetime,
    default_language: str,
) -> bool:
    """Create the person Zoom registered on its page; False (and a warning) when the import's field
    checks refuse them (:func:`~orchestrator.registrants.person_fields.check_zoom_person`).

    Their answers to the form become their wishes; unusable answers are noted on them
    (:mod:`~orchestrator.registrants.zoom_answers`), and they are registered all the same."""
    try:
        checked = check_zoom_person(found.email_display, found.first_name, found.last_name)
    except PersonRefused as refused:  # no value in the log: it is personal data
        context = {"field": refused.field, "reason": refused.reason}
        log.warning("zoom registrant not taken over", extra=context)
        return False
    answers = answers_of_agenda(list(found.custom_questions), event.agenda_json)
    person = Person(
        event_id=event.id,
        email=found.email,
        email_display=found.email_display,
        first_name=checked.first_name[:200] or found.email_display.split("@", 1)[0],
        last_name=checked.last_name[:200],
        language=default_language,
        wishes=answers.wishes,
        notes=problems_note(answers.problems),
        source=PersonSource.ZOOM,
        status=PersonStatus.ACTIVE,
        registered_at=now,
    )
    reg = ZoomRegistration(meeting_id=meeting.id, state=State.PENDING, attempts=0, adds_on_day=0)
    _registered(reg, found, now)
    person.registration = reg
    session.add(person)
    return True
