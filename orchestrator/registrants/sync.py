"""Sync to Zoom: every active person registered exactly once, within Zoom's limits.

One pass:
1. every active person gets a registration row (``pending``);
2. reconcile: list the meeting's registrants in Zoom and match by e-mail (resolves calls whose
   answer was lost, pulls in registrations made on the Zoom page) — see ``reconcile``;
3. push: claim ≤ 30 ``pending`` rows (``intent``, committed), one ``batch_registrants`` call,
   record the answers (committed). A kill loses at most the one in-flight batch, which step 2 of
   the next pass resolves. A refused batch falls back to single adds, so one bad address does not
   block 29 good ones. An ambiguous failure (no answer) leaves the rows in ``intent``; the pass
   lists Zoom again and repeats only who Zoom does not have;
4. status changes in calls of ≤ 30: approve imported people still pending in Zoom (when the
   organiser's import is the approval), cancel people cancelled in the store.

Limits are checked before Zoom would refuse: the host's own address (Zoom: "Host can not
register"), the cap of 4,999 registrants per meeting, and 3 add calls per person and UTC day.
Calls are paced per rate category (``ZoomRateLimiter.steady``) on top of the HTTP layer's limiter.

Concurrency: one sync per event at a time, across processes and instances. The caller
(``service.sync_registrants``) holds the lease ``registrants-sync:<event id>`` (see
``orchestrator.db.lease``) for the whole pass; ``work.keep_alive`` renews it before every Zoom write
and before a listing is applied, and stops the pass (``LeaseLost``) when another process took it
over. Underneath, the pass is safe without the lease too: registration rows are created with
``INSERT … ON CONFLICT DO NOTHING``, claims are conditional updates, Zoom answers a known e-mail with
the existing registration, and reconciliation never takes a registration the store learned of after
the listing started (``confirmed_at``) as deleted in Zoom.
"""

from __future__ import annotations

import enum
import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from orchestrator.db.models import Event, Person, ZoomMeeting, ZoomRegistration
from orchestrator.db.models.person import PersonSource, PersonStatus, RegistrationState
from orchestrator.errors import OperationFailed
from orchestrator.i18n import _
from orchestrator.registrants.cancel import send_cancellations
from orchestrator.registrants.context import (
    ZOOM_HOST_CANNOT_REGISTER,
    ZOOM_MEETING_FULL,
    Progress,
    ZoomWork,
)
from orchestrator.registrants.reconcile import ReconcileOutcome, apply_listing, list_meeting_registrants
from orchestrator.registrants.results import SyncFailure, SyncResult
from orchestrator.zoom.client import MAX_BATCH_REGISTRANTS, MAX_STATUS_REGISTRANTS, chunked
from orchestrator.zoom.errors import (
    AuthError,
    NotFound,
    RateLimited,
    ValidationFailed,
    ZoomError,
    ZoomUnavailable,
)
from orchestrator.zoom.ratelimit import RateCategory

log = logging.getLogger(__name__)
State = RegistrationState
BATCH_PATH = "/meetings/{meetingId}/batch_registrants"
ADD_PATH = "/meetings/{meetingId}/registrants"
STATUS_PATH = "/meetings/{meetingId}/registrants/status"
ZOOM_NAME_MAX = 64
MAX_ROUNDS = 6  # reconcile-and-push rounds per pass when Zoom leaves answers unknown
MAX_FAILURES_IN_A_ROW = 5  # then Zoom is considered down for this pass
CAP_WARNING_SHARE = 0.95


class BatchEnd(enum.Enum):
    """How one batch ended, for the push loop."""

    DONE = "done"  # answered (possibly with single-add fallbacks)
    UNKNOWN = "unknown"  # no answer: rows stay ``intent`` until Zoom is listed again
    NOT_SENT = "not_sent"  # refused before anything happened (rate limit, Zoom unreachable)
    FULL = "full"  # Zoom says the meeting is full


@dataclass
class SyncReport:
    """What one sync pass did, while it runs (``_result`` turns it into the ``SyncResult``)."""

    rounds: int = 0
    registered: list[str] = field(default_factory=list)
    approved: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    held_back_cap: list[str] = field(default_factory=list)
    held_back_daily: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reconcile: ReconcileOutcome = field(default_factory=ReconcileOutcome)

    def merge(self, outcome: ReconcileOutcome) -> None:
        for name, values in vars(outcome).items():
            getattr(self.reconcile, name).extend(values)


def registrant_body(person: Person) -> dict[str, Any]:
    """What Zoom gets for a person: identity and the fields Zoom's registration form knows."""
    body: dict[str, Any] = {
        "email": person.email,
        "first_name": person.first_name[:ZOOM_NAME_MAX],
        "last_name": person.last_name[:ZOOM_NAME_MAX],
    }
    if person.organisation:
        body["org"] = person.organisation
    if person.job_title:
        body["job_title"] = person.job_title
    return body


def sync_event(
    work: ZoomWork,
    event: Event,
    meeting: ZoomMeeting,
    *,
    auto_approve: bool,
    default_language: str,
    progress: Progress | None = None,
) -> SyncResult:
    """One sync pass for ``event`` (see module docstring). Commits at every exactly-once point."""
    started = time.perf_counter()
    assert meeting.zoom_meeting_id is not None
    report = SyncReport()
    _ensure_rows(work, event, meeting)
    work.commit()
    host_email = _host_email(work, meeting)
    pushed_total = 0
    for round_number in range(1, MAX_ROUNDS + 1):
        report.rounds = round_number
        in_zoom = _reconcile(work, event, meeting, report, default_language)
        _refuse_host(work, event, host_email)
        work.commit()
        unknown, pushed = _push(work, event, meeting, in_zoom, auto_approve, report, progress, pushed_total)
        pushed_total += pushed
        if unknown == 0:
            # People imported while this pass ran (the dashboard tells organisers a running sync
            # includes them): one more round for them; later arrivals wait for the next pass.
            if round_number < MAX_ROUNDS and _ensure_rows(work, event, meeting):
                work.commit()
                continue
            break
    else:
        report.unresolved = _emails_in_state(work, event, State.INTENT)
    approved = _approve_imported(work, event, meeting, report) if auto_approve else 0
    _cancel_cancelled(work, event, meeting, report)
    if approved or report.unresolved:
        _reconcile(work, event, meeting, report, default_language)  # join links of the newly approved
    result = _result(work, event, meeting, report, time.perf_counter() - started)
    if report.unresolved:
        raise OperationFailed(
            _(
                "{count} registrations could not be confirmed because Zoom did not answer; run "
                "'orchestrator registrants sync' again.",
                count=len(report.unresolved),
            ),
            details=report.warnings,
        )
    return result


# --- steps -----------------------------------------------------------------------------------


def _ensure_rows(work: ZoomWork, event: Event, meeting: ZoomMeeting) -> int:
    """A ``pending`` row for every active person without one (how many): one statement, race-free.

    ``INSERT … SELECT … ON CONFLICT DO NOTHING`` on (meeting, person): a row another process
    inserted in the meantime is left alone instead of failing with a unique-constraint error.
    """
    now = work.clock.now()
    missing = select(
        Person.id,
        literal(meeting.id, ZoomRegistration.meeting_id.type),
        literal(State.PENDING, ZoomRegistration.state.type),
        literal(0, ZoomRegistration.attempts.type),
        literal(0, ZoomRegistration.adds_on_day.type),
        literal(now, ZoomRegistration.updated_at.type),
    ).where(
        Person.event_id == event.id,
        Person.status == PersonStatus.ACTIVE,
        ~select(ZoomRegistration.id).where(ZoomRegistration.person_id == Person.id).exists(),
    )
    columns = ["person_id", "meeting_id", "state", "attempts", "adds_on_day", "updated_at"]
    dialect = work.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(ZoomRegistration)
        .from_select(columns, missing)
        .on_conflict_do_nothing(index_elements=["meeting_id", "person_id"])
    )
    # RETURNING counts the inserted rows (rowcount is not reliable for INSERT on every driver).
    return len(work.session.connection().execute(statement.returning(ZoomRegistration.id)).all())


def _host_email(work: ZoomWork, meeting: ZoomMeeting) -> str:
    work.count_call("get_user")
    user = work.zoom.get_user(meeting.host_user or "me")
    return str(user.get("email") or "").strip().lower()


def _reconcile(
    work: ZoomWork, event: Event, meeting: ZoomMeeting, report: SyncReport, default_language: str
) -> int:
    """List Zoom, apply it; return how many registrations Zoom holds (towards the cap)."""
    assert meeting.zoom_meeting_id is not None
    work.count_call("list")
    listing_started = work.clock.now()  # before the first page: see ``apply_listing``
    listing = list_meeting_registrants(work.zoom, meeting.zoom_meeting_id)
    work.keep_alive()
    report.merge(
        apply_listing(
            work.session,
            event,
            meeting,
            listing,
            now=work.clock.now(),
            listing_started=listing_started,
            default_language=default_language,
        )
    )
    work.commit()
    return len(listing)


def host_refusal(email: str) -> str:
    return _(
        "{email} is the e-mail address of the Zoom meeting's host; Zoom does not let the host "
        "register. Register this person with another address.",
        email=email,
    )


def _refuse_host(work: ZoomWork, event: Event, host_email: str) -> None:
    if not host_email:
        return
    regs = work.session.scalars(
        select(ZoomRegistration)
        .join(Person)
        .where(
            Person.event_id == event.id, Person.email == host_email, ZoomRegistration.state == State.PENDING
        )
    )
    for reg in regs:
        reg.state = State.FAILED
        reg.last_error = host_refusal(host_email)


def _eligible(work: ZoomWork, event: Event, meeting: ZoomMeeting) -> Any:
    today = work.clock.now().date().isoformat()
    return (
        select(ZoomRegistration.id, Person.email)
        .join(Person)
        .where(
            ZoomRegistration.meeting_id == meeting.id,
            ZoomRegistration.state == State.PENDING,
            Person.event_id == event.id,
            Person.status == PersonStatus.ACTIVE,
            or_(
                ZoomRegistration.adds_day.is_(None),
                ZoomRegistration.adds_day != today,
                ZoomRegistration.adds_on_day < work.daily_adds,
            ),
        )
        .order_by(ZoomRegistration.id)
    )


def _push(  # noqa: PLR0913  the pass's state, threaded through one step of the loop
    work: ZoomWork,
    event: Event,
    meeting: ZoomMeeting,
    in_zoom: int,
    auto_approve: bool,
    report: SyncReport,
    progress: Progress | None,
    pushed_before: int,
) -> tuple[int, int]:
    """Register the pending people; return (rows left in ``intent``, rows answered)."""
    session = work.session
    eligible = [(int(row[0]), str(row[1])) for row in session.execute(_eligible(work, event, meeting))]
    eligible_ids = [reg_id for reg_id, _email in eligible]
    daily_blocked = sorted(set(_emails_in_state(work, event, State.PENDING)) - {e for _i, e in eligible})
    if daily_blocked:
        report.held_back_daily = daily_blocked
        report.warnings.append(
            _(
                "{count} people were not sent today: Zoom accepts only {limit} registration calls per person "
                "and day. The next sync after midnight UTC registers them.",
                count=len(daily_blocked),
                limit=work.daily_adds,
            )
        )
    in_flight = (
        session.scalar(
            select(func.count())
            .select_from(ZoomRegistration)
            .join(Person)
            .where(Person.event_id == event.id, ZoomRegistration.state == State.INTENT)
        )
        or 0
    )
    room = max(0, work.registrant_cap - in_zoom - in_flight)
    if len(eligible_ids) > room:
        held = eligible_ids[room:]
        eligible_ids = eligible_ids[:room]
        report.held_back_cap = [email for _i, email in eligible[room:]]
        report.warnings.append(
            _(
                "Zoom allows at most {cap} registrants per meeting: {count} people were not sent because the "
                "meeting would be full. Cancel registrations or split the event.",
                cap=work.registrant_cap,
                count=len(held),
            )
        )
    elif in_zoom + len(eligible_ids) >= CAP_WARNING_SHARE * work.registrant_cap:
        report.warnings.append(
            _(
                "The meeting is close to Zoom's cap of {cap} registrants ({count} after this sync).",
                cap=work.registrant_cap,
                count=in_zoom + len(eligible_ids),
            )
        )
    total = pushed_before + len(eligible_ids)
    done = pushed_before
    unknown = 0
    failures = 0
    if progress is not None:
        progress(done, total)
    for ids, approve in _batches(work, event, eligible_ids, auto_approve):
        work.keep_alive()
        rows = _claim(work, ids)
        if not rows:
            continue
        end = _send_batch(work, event, meeting, rows, approve, report)
        if end is BatchEnd.FULL:
            report.warnings.append(_("Zoom says the meeting is full (its cap of registrants is reached)."))
            break
        if end is BatchEnd.UNKNOWN:
            unknown += len(rows)
        failures = failures + 1 if end in (BatchEnd.UNKNOWN, BatchEnd.NOT_SENT) else 0
        if end is not BatchEnd.NOT_SENT:
            done += len(rows)
        if progress is not None:
            progress(done, total)
        if failures >= MAX_FAILURES_IN_A_ROW:
            report.warnings.append(
                _("Zoom failed {count} times in a row; the rest waits for the next sync.", count=failures)
            )
            unknown = max(unknown, 1)  # list Zoom again before anything else is sent
            break
    return unknown, done - pushed_before


def _claim(work: ZoomWork, ids: list[int]) -> list[ZoomRegistration]:
    """Mark ``ids`` as in flight (only those still pending) and commit: intent before the call."""
    token = uuid.uuid4().hex
    now = work.clock.now()
    session = work.session
    session.execute(
        update(ZoomRegistration)
        .where(ZoomRegistration.id.in_(ids), ZoomRegistration.state == State.PENDING)
        .values(state=State.INTENT, claim_token=token, intent_at=now)
        .execution_options(synchronize_session=False)
    )
    rows = list(
        session.scalars(
            select(ZoomRegistration)
            .where(ZoomRegistration.claim_token == token)
            .options(selectinload(ZoomRegistration.person))
            .execution_options(populate_existing=True)
            .order_by(ZoomRegistration.id)
        )
    )
    today = now.date().isoformat()
    for reg in rows:
        _count_add(reg, today)
    work.commit()
    return rows


def _count_add(reg: ZoomRegistration, today: str) -> None:
    if reg.adds_day != today:
        reg.adds_day = today
        reg.adds_on_day = 0
    reg.adds_on_day += 1
    reg.attempts += 1


def _release(rows: list[ZoomRegistration]) -> None:
    """The call was refused before Zoom did anything: back to pending, the add not counted."""
    for reg in rows:
        reg.state = State.PENDING
        reg.claim_token = None
        reg.adds_on_day = max(0, reg.adds_on_day - 1)
        reg.attempts = max(0, reg.attempts - 1)


def _registered(reg: ZoomRegistration, answer: dict[str, Any], work: ZoomWork) -> None:
    reg.state = State.REGISTERED
    reg.claim_token = None
    reg.zoom_registrant_id = str(answer.get("registrant_id") or answer.get("id"))
    reg.join_url = answer.get("join_url") or None
    reg.zoom_status = "approved" if reg.join_url else "pending"
    reg.registered_at = reg.confirmed_at = work.clock.now()
    reg.last_error = None


def _batches(
    work: ZoomWork, event: Event, eligible_ids: list[int], auto_approve: bool
) -> Iterator[tuple[list[int], bool]]:
    """Chunks of registration ids with their ``auto_approve``: people imported as waiting for
    approval (Zoom's report said "pending") go in batches of their own that Zoom does not approve.
    """
    waiting = set(
        work.session.scalars(
            select(ZoomRegistration.id)
            .join(Person)
            .where(Person.event_id == event.id, Person.approval_pending.is_(True))
        )
    )
    approved_now = [reg_id for reg_id in eligible_ids if reg_id not in waiting]
    left_waiting = [reg_id for reg_id in eligible_ids if reg_id in waiting]
    yield from ((ids, auto_approve) for ids in chunked(approved_now, MAX_BATCH_REGISTRANTS))
    yield from ((ids, False) for ids in chunked(left_waiting, MAX_BATCH_REGISTRANTS))


def _send_batch(
    work: ZoomWork,
    event: Event,
    meeting: ZoomMeeting,
    rows: list[ZoomRegistration],
    auto_approve: bool,
    report: SyncReport,
) -> BatchEnd:
    assert meeting.zoom_meeting_id is not None
    bodies = [registrant_body(r.person) for r in rows]
    work.pacer.acquire(RateCategory.HEAVY)
    work.count_call("batch_registrants")
    try:
        answer = work.zoom.batch_registrants(meeting.zoom_meeting_id, bodies, auto_approve)
    except ValidationFailed as exc:
        work.audit(
            event, "batch_registrants", "POST", BATCH_PATH, None, "refused", {"count": len(rows)}, error=exc
        )
        if exc.code == ZOOM_MEETING_FULL:
            _release(rows)
            work.commit()
            return BatchEnd.FULL
        work.commit()
        return _single_adds(work, event, meeting, rows, auto_approve, report)
    except ZoomError as exc:
        return _batch_failed(work, event, rows, exc)
    by_email = {str(a.get("email", "")).strip().lower(): a for a in answer.get("registrants") or []}
    answered = []
    for reg in rows:
        found = by_email.get(reg.person.email)
        if found is not None and (found.get("registrant_id") or found.get("id")):
            _registered(reg, found, work)
            report.registered.append(reg.person.email)
            answered.append(reg.zoom_registrant_id)
    work.audit(
        event,
        "batch_registrants",
        "POST",
        BATCH_PATH,
        201,
        "ok",
        {"count": len(rows), "registrant_ids": answered},
    )
    work.commit()
    return BatchEnd.DONE if len(answered) == len(rows) else BatchEnd.UNKNOWN


def _batch_failed(work: ZoomWork, event: Event, rows: list[ZoomRegistration], exc: ZoomError) -> BatchEnd:
    ambiguous = isinstance(exc, ZoomUnavailable) and exc.ambiguous
    work.audit(
        event,
        "batch_registrants",
        "POST",
        BATCH_PATH,
        None,
        "unknown" if ambiguous else "failed",
        {"count": len(rows)},
        error=exc,
    )
    if ambiguous:
        work.commit()  # rows stay ``intent``: Zoom may have registered them; listing decides
        return BatchEnd.UNKNOWN
    _release(rows)
    work.commit()
    if isinstance(exc, RateLimited) and exc.daily:
        raise OperationFailed(
            _(
                "Zoom's daily limit for registrations is used up; the remaining people are registered by "
                "the next sync after midnight UTC."
            ),
            details=[exc.message],
        ) from exc
    if isinstance(exc, (AuthError, NotFound)):
        raise exc
    return BatchEnd.NOT_SENT


def _single_adds(
    work: ZoomWork,
    event: Event,
    meeting: ZoomMeeting,
    rows: list[ZoomRegistration],
    auto_approve: bool,
    report: SyncReport,
) -> BatchEnd:
    """Zoom refused the batch as a whole: add each person alone, so one bad row fails alone."""
    assert meeting.zoom_meeting_id is not None
    end = BatchEnd.DONE
    # Zoom did not count the refused batch as an add; each single add uses the count of the claim.
    for index, reg in enumerate(rows):
        body = {**registrant_body(reg.person), "auto_approve": auto_approve}
        work.keep_alive()
        work.pacer.acquire(RateCategory.LIGHT)
        work.count_call("add_registrant")
        try:
            answer = work.zoom.add_registrant(meeting.zoom_meeting_id, body)
        except ValidationFailed as exc:
            reg.state = State.FAILED
            reg.claim_token = None
            reg.last_error = (
                host_refusal(reg.person.email)
                if exc.code == ZOOM_HOST_CANNOT_REGISTER
                else _("Zoom refused the registration: {reason}", reason=exc.zoom_message)
            )
            work.audit(event, "add_registrant", "POST", ADD_PATH, None, "refused", {}, error=exc)
        except ZoomError as exc:
            if _batch_failed(work, event, rows[index:], exc) is BatchEnd.UNKNOWN:
                return BatchEnd.UNKNOWN
            return BatchEnd.NOT_SENT
        else:
            _registered(reg, answer, work)
            report.registered.append(reg.person.email)
            work.audit(
                event,
                "add_registrant",
                "POST",
                ADD_PATH,
                201,
                "ok",
                {"registrant_id": reg.zoom_registrant_id},
            )
        work.commit()
    return end


def _approve_imported(work: ZoomWork, event: Event, meeting: ZoomMeeting, report: SyncReport) -> int:
    """Approve imported people Zoom still holds as pending (the import is the approval)."""
    assert meeting.zoom_meeting_id is not None
    regs = list(
        work.session.scalars(
            select(ZoomRegistration)
            .join(Person)
            .where(
                Person.event_id == event.id,
                Person.status == PersonStatus.ACTIVE,
                Person.source != PersonSource.ZOOM,
                ZoomRegistration.state == State.REGISTERED,
                ZoomRegistration.zoom_status == "pending",
                # Pending in the organiser's own report: approving stays the organiser's decision.
                Person.approval_pending.is_(False),
            )
            .options(selectinload(ZoomRegistration.person))
            .order_by(ZoomRegistration.id)
        )
    )
    count = 0
    for chunk in chunked(regs, MAX_STATUS_REGISTRANTS):
        targets = [{"id": str(r.zoom_registrant_id), "email": r.person.email} for r in chunk]
        work.keep_alive()
        work.pacer.acquire(RateCategory.MEDIUM)
        work.count_call("approve")
        try:
            work.zoom.update_registrant_status(meeting.zoom_meeting_id, "approve", targets)
        except ZoomError as exc:
            work.audit(
                event,
                "approve_registrants",
                "PUT",
                STATUS_PATH,
                None,
                "failed",
                {"count": len(chunk)},
                error=exc,
            )
            work.commit()
            report.warnings.append(exc.message)
            continue
        for reg in chunk:
            reg.zoom_status = "approved"
            report.approved.append(reg.person.email)
        work.audit(
            event,
            "approve_registrants",
            "PUT",
            STATUS_PATH,
            204,
            "ok",
            {"count": len(chunk), "registrant_ids": [t["id"] for t in targets]},
        )
        work.commit()
        count += len(chunk)
    return count


def _cancel_cancelled(work: ZoomWork, event: Event, meeting: ZoomMeeting, report: SyncReport) -> None:
    """People cancelled in the store (e.g. ``import --cancel-missing``) are cancelled in Zoom too."""
    regs = list(
        work.session.scalars(
            select(ZoomRegistration)
            .join(Person)
            .where(
                Person.event_id == event.id,
                Person.status == PersonStatus.CANCELLED,
                ZoomRegistration.state.in_(
                    [State.REGISTERED, State.CANCEL_INTENT, State.PENDING, State.FAILED]
                ),
            )
            .options(selectinload(ZoomRegistration.person))
            .order_by(ZoomRegistration.id)
        )
    )
    now = work.clock.now()
    to_send = []
    for reg in regs:
        if reg.state in (State.PENDING, State.FAILED):
            reg.state = State.CANCELLED  # never reached Zoom
            reg.cancelled_at = now
        else:
            reg.state = State.CANCEL_INTENT
            to_send.append(reg)
    work.commit()
    if to_send:
        sent = send_cancellations(work, event, meeting, to_send)
        report.cancelled += sent.cancelled
        report.warnings += sent.errors


def _emails_in_state(work: ZoomWork, event: Event, state: str) -> list[str]:
    return list(
        work.session.scalars(
            select(Person.email)
            .join(ZoomRegistration)
            .where(
                Person.event_id == event.id,
                Person.status == PersonStatus.ACTIVE,
                ZoomRegistration.state == state,
            )
            .order_by(Person.email)
        )
    )


def state_counts(work: ZoomWork, event: Event) -> dict[str, int]:
    rows = work.session.execute(
        select(ZoomRegistration.state, func.count())
        .join(Person)
        .where(Person.event_id == event.id)
        .group_by(ZoomRegistration.state)
    )
    return {str(state): int(count) for state, count in rows}


def _result(
    work: ZoomWork, event: Event, meeting: ZoomMeeting, report: SyncReport, elapsed: float
) -> SyncResult:
    failed = work.session.execute(
        select(Person.email, ZoomRegistration.last_error)
        .join(ZoomRegistration)
        .where(
            Person.event_id == event.id,
            Person.status == PersonStatus.ACTIVE,
            ZoomRegistration.state == State.FAILED,
        )
        .order_by(Person.email)
    )
    rec = report.reconcile
    return SyncResult(
        event=event.key,
        zoom_meeting_id=meeting.zoom_meeting_id,
        rounds=report.rounds,
        registered=len(report.registered),
        resolved_after_interruption=len(rec.resolved),
        requeued_after_interruption=len(rec.requeued),
        adopted=len(rec.adopted),
        pulled_in_from_zoom=list(rec.pulled_in),
        cancelled_in_zoom_by_others=list(rec.cancelled_in_zoom),
        approved=len(report.approved),
        cancelled=list(report.cancelled),
        failed=[SyncFailure(email, reason) for email, reason in failed],
        held_back_cap=len(report.held_back_cap),
        held_back_daily=len(report.held_back_daily),
        unresolved=len(report.unresolved),
        warnings=list(report.warnings),
        states=state_counts(work, event),
        zoom_calls=dict(work.zoom_calls),
        elapsed_seconds=round(elapsed, 3),
    )
