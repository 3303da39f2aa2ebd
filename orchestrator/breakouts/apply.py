"""Applying one round's stored plan to the event's Zoom meeting (``settings.breakout_room``).

Zoom holds one pre-assignment set per meeting, so each apply replaces the whole set. Steps:
check Zoom's limits; read the meeting: if it already holds exactly this set, write nothing;
otherwise record the intent (commit), send one PATCH, read the meeting back to verify, and record
the result with an audit entry. The PATCH sets an absolute value, so after a crash between the call
and our commit the next run simply sends it again.

Nothing is recorded as applied that Zoom did not take: a refusal (400, 429 after the retries) is
recorded as failed. When the answer was lost (timeout, dropped connection, 5xx) the meeting is read
back: it holds the rooms (applied), still the old ones (failed), or cannot be read (an intent with
"unknown, verify"; no round is then marked as the one Zoom holds).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.breakouts.instructions import host_instructions
from orchestrator.breakouts.limits import ZoomLimitExceeded, ZoomLimits, check_limits
from orchestrator.breakouts.payload import (
    ZoomRoom,
    canonical,
    participant_count,
    payload_hash,
    rooms_in_meeting,
    round_rooms,
    settings_body,
)
from orchestrator.breakouts.results import ApplyOutcome
from orchestrator.breakouts.rounds import require_not_over
from orchestrator.clock import Clock
from orchestrator.db.models import BreakoutApply, BreakoutRoundRecord, Event, ZoomMeeting
from orchestrator.db.models.breakouts import ApplyState
from orchestrator.db.models.zoom import MeetingState
from orchestrator.errors import BadInput, OperationFailed
from orchestrator.i18n import _
from orchestrator.zoom.client import ZoomClient
from orchestrator.zoom.errors import ZoomError, ZoomUnavailable
from orchestrator.zoom_audit import record_zoom_call

log = logging.getLogger(__name__)
PATH = "/meetings/{meetingId}"


@dataclass
class ApplyContext:
    """Collaborators of an apply. ``commit`` makes the intent durable before Zoom hears of it."""

    session: Session
    zoom: ZoomClient
    clock: Clock
    commit: Callable[[], None]
    limits: ZoomLimits


def active_meeting(session: Session, event: Event) -> ZoomMeeting:
    """The event's Zoom meeting; ``BadInput`` when it was not created (or is gone)."""
    meeting = session.scalar(select(ZoomMeeting).where(ZoomMeeting.event_id == event.id))
    if meeting is None or meeting.state != MeetingState.ACTIVE or meeting.zoom_meeting_id is None:
        raise BadInput(
            _("The event has no Zoom meeting yet. Run 'orchestrator meeting setup AGENDA.yaml' first.")
        )
    return meeting


def apply_record(session: Session, round_row: BreakoutRoundRecord) -> BreakoutApply | None:
    """What was last sent to Zoom for ``round_row``, if anything."""
    return session.scalar(select(BreakoutApply).where(BreakoutApply.round_id == round_row.id))


def apply_round(ctx: ApplyContext, event: Event, round_row: BreakoutRoundRecord) -> ApplyOutcome:
    """Bring the meeting's pre-assignment in line with the stored plan of ``round_row``."""
    now = ctx.clock.now()
    require_not_over(round_row, now)
    meeting = active_meeting(ctx.session, event)
    assert meeting.zoom_meeting_id is not None
    rooms = round_rooms(ctx.session, event, round_row)
    digest = payload_hash(rooms)
    try:
        check_limits(round_row.number, rooms, ctx.limits)
    except ZoomLimitExceeded as exc:
        record = _record(
            ctx, event, round_row, rooms, digest, ApplyState.OVER_LIMITS, verified=False, now=now
        )
        record.last_error = str(exc)[:2000]
        ctx.commit()
        raise
    start = round_row.start_utc.astimezone(ZoneInfo(event.timezone)).strftime("%d.%m.%Y %H:%M")
    instructions = host_instructions(
        round_number=round_row.number,
        title=round_row.title,
        start=start,
        rooms=len(rooms),
        people=participant_count(rooms),
    )

    if canonical(_read_rooms(ctx, event, meeting.zoom_meeting_id)) == canonical(rooms):
        _record(ctx, event, round_row, rooms, digest, ApplyState.APPLIED, verified=True, now=now)
        ctx.commit()
        return ApplyOutcome(
            round_row.number, "unchanged", 0, len(rooms), participant_count(rooms), True, digest, instructions
        )

    _record(ctx, event, round_row, rooms, digest, ApplyState.INTENT, verified=False, now=now)
    ctx.commit()
    detail = {
        "round": round_row.number,
        "rooms": len(rooms),
        "participants": participant_count(rooms),
        "payload_hash": digest,
        "zoom_meeting_id": meeting.zoom_meeting_id,
    }
    lost: ZoomError | None = None  # the PATCH's answer got lost: Zoom may or may not have taken it
    try:
        ctx.zoom.update_meeting(meeting.zoom_meeting_id, settings_body(rooms))
    except ZoomError as exc:
        if not _maybe_taken(exc):
            _not_applied(ctx, event, round_row, rooms, digest, detail, exc, now)
        lost = exc
    held = _try_read_rooms(ctx, meeting.zoom_meeting_id)
    taken = isinstance(held, list) and canonical(held) == canonical(rooms)
    if lost is not None and not taken:
        if isinstance(held, ZoomError):
            _unknown(ctx, event, round_row, rooms, digest, detail, lost, now)
        _not_applied(ctx, event, round_row, rooms, digest, detail, lost, now)
    # Zoom took the PATCH: its answer says so, or (answer lost) the meeting read back holds the rooms.
    verified = taken
    _audit(
        ctx,
        event,
        204 if lost is None else lost.status,
        "ok" if verified else "unverified",
        {**detail, "verified": verified, "answer_lost": lost is not None},
        None,
    )
    _record(ctx, event, round_row, rooms, digest, ApplyState.APPLIED, verified=verified, now=now)
    ctx.commit()
    log.info(
        "breakout round applied",
        extra={"event": event.key, "round": round_row.number, "rooms": len(rooms), "verified": verified},
    )
    if isinstance(held, ZoomError):
        raise OperationFailed(
            _(
                "The rooms of round {round} were sent to Zoom, but the meeting could not be read back to "
                "verify them: {reason} Please run 'orchestrator breakouts apply --round {round}' again.",
                round=round_row.number,
                reason=held.message,
            )
        )
    if not verified:
        raise OperationFailed(
            _(
                "The rooms of round {round} were sent to Zoom, but reading the meeting back shows a "
                "different assignment. Please run 'orchestrator breakouts apply --round {round}' again.",
                round=round_row.number,
            )
        )
    return ApplyOutcome(
        round_row.number, "applied", 1, len(rooms), participant_count(rooms), True, digest, instructions
    )


def _maybe_taken(error: ZoomError) -> bool:
    """True when Zoom may have taken the request although it failed (timeout, lost connection, 5xx)."""
    return isinstance(error, ZoomUnavailable) and error.ambiguous


def _try_read_rooms(ctx: ApplyContext, meeting_id: int) -> list[ZoomRoom] | ZoomError:
    """The meeting's pre-assigned rooms, or the error that kept us from reading them."""
    try:
        return rooms_in_meeting(ctx.zoom.get_meeting(meeting_id))
    except ZoomError as exc:
        return exc


def _not_applied(  # noqa: PLR0913  the facts of one failed apply, recorded together
    ctx: ApplyContext,
    event: Event,
    round_row: BreakoutRoundRecord,
    rooms: list[ZoomRoom],
    digest: str,
    detail: dict[str, Any],
    error: ZoomError,
    now: datetime,
) -> NoReturn:
    """Zoom did not take the rooms (it refused, or its meeting still holds the previous set)."""
    _audit(ctx, event, error.status, "failed", detail, error)
    record = _record(ctx, event, round_row, rooms, digest, ApplyState.FAILED, verified=False, now=now)
    record.last_error = error.message
    ctx.commit()
    raise OperationFailed(
        _("Zoom refused the rooms of round {round}: {reason}", round=round_row.number, reason=error.message)
    ) from error


def _unknown(  # noqa: PLR0913  the facts of one unanswered apply, recorded together
    ctx: ApplyContext,
    event: Event,
    round_row: BreakoutRoundRecord,
    rooms: list[ZoomRoom],
    digest: str,
    detail: dict[str, Any],
    error: ZoomError,
    now: datetime,
) -> NoReturn:
    """The PATCH's answer was lost and the meeting could not be read: whether Zoom took it is unknown.

    The record stays an intent (the next run reads the meeting first and sends again if needed).
    Zoom may now hold this round's set, so no other round is known to be in Zoom any more.
    """
    message = _(
        "It is unknown whether Zoom took the rooms of round {round}: {reason} Reading the meeting back "
        "failed as well. Please check the meeting in Zoom or run 'orchestrator breakouts apply --round "
        "{round}' again.",
        round=round_row.number,
        reason=error.message,
    )
    _audit(ctx, event, error.status, "unknown", detail, error)
    record = _record(ctx, event, round_row, rooms, digest, ApplyState.INTENT, verified=False, now=now)
    record.last_error = message
    for other in ctx.session.scalars(
        select(BreakoutApply).join(BreakoutRoundRecord).where(BreakoutRoundRecord.event_id == event.id)
    ):
        if other is not record:
            other.current = False
    ctx.commit()
    raise OperationFailed(message) from error


def _read_rooms(ctx: ApplyContext, event: Event, meeting_id: int) -> list[ZoomRoom]:
    try:
        return rooms_in_meeting(ctx.zoom.get_meeting(meeting_id))
    except ZoomError as exc:
        raise OperationFailed(
            _("Could not read the Zoom meeting {id}: {reason}", id=meeting_id, reason=exc.message)
        ) from exc


def _record(  # noqa: PLR0913  one row and audit entry from the facts of an apply
    ctx: ApplyContext,
    event: Event,
    round_row: BreakoutRoundRecord,
    rooms: list[ZoomRoom],
    digest: str,
    state: str,
    *,
    verified: bool,
    now: datetime,
) -> BreakoutApply:
    record = apply_record(ctx.session, round_row)
    if record is None:
        record = BreakoutApply(round_id=round_row.id, current=False)
        ctx.session.add(record)
    record.state = state
    record.payload_hash = digest
    record.rooms = len(rooms)
    record.participants = participant_count(rooms)
    record.verified = verified
    record.last_error = None
    if state == ApplyState.APPLIED:
        record.applied_at = now
        # Zoom keeps one set per meeting: from now on it holds this round's, no other's.
        for other in ctx.session.scalars(
            select(BreakoutApply).join(BreakoutRoundRecord).where(BreakoutRoundRecord.event_id == event.id)
        ):
            other.current = other is record
        record.current = True
    ctx.session.flush()
    return record


def _audit(
    ctx: ApplyContext,
    event: Event,
    status: int | None,
    outcome: str,
    detail: dict[str, Any],
    error: ZoomError | None,
) -> None:
    record_zoom_call(
        ctx.session,
        at=ctx.clock.now(),
        event_id=event.id,
        action="apply_breakout_rooms",
        method="PATCH",
        path=PATH,
        status=status,
        outcome=outcome,
        detail=detail,
        error=error,
    )
