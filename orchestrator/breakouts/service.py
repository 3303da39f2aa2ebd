"""Command-level breakout operations: each opens a session on the runtime, works, and commits.

The CLI (``orchestrator breakouts ...``), the scheduler job and the demo call these; the pieces
they combine (planning, payload, apply, export, moderation) stay free of the runtime.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from orchestrator.breakouts.apply import ApplyContext, apply_record, apply_round
from orchestrator.breakouts.apply_lease import apply_lease
from orchestrator.breakouts.export import roster_csv, roster_html, zoom_csv
from orchestrator.breakouts.limits import ZoomLimits, check_limits
from orchestrator.breakouts.moderate import move_person, show_round, swap_people
from orchestrator.breakouts.payload import payload_hash, round_rooms
from orchestrator.breakouts.people import plannable_people
from orchestrator.breakouts.plan import PlanOptions, plan_event
from orchestrator.breakouts.queries import assignments_for_round
from orchestrator.breakouts.roster import roster
from orchestrator.breakouts.rounds import find_round, phase
from orchestrator.breakouts.store import plan_version
from orchestrator.db.models import BreakoutRound, Event
from orchestrator.db.models.breakouts import ApplyState
from orchestrator.errors import BadInput, OperationFailed
from orchestrator.events import resolve_event
from orchestrator.i18n import _, get_language
from orchestrator.outpaths import output_file

if TYPE_CHECKING:
    from orchestrator.app import App

ExportFormat = Literal["zoom-csv", "roster", "roster-html", "roster-csv"]


@dataclass(frozen=True)
class Due:
    """A round whose pre-assignment should be in Zoom now, and whether it must be (re-)sent."""

    round_number: int
    apply_at: datetime
    needs_apply: bool


def plan(rt: App, event_key: str | None, options: PlanOptions) -> dict[str, Any]:
    """Plan (or re-plan) and store; nothing is stored when the plan is impossible."""
    with rt.session() as session:
        event = resolve_event(session, event_key)
        report = plan_event(session, event, now=rt.clock.now(), options=options)
        session.commit()
        return {"event": event.key, **report.as_dict()}


def apply(rt: App, event_key: str | None, round_number: int, limits: ZoomLimits) -> dict[str, Any]:
    """Send round ``round_number`` to Zoom (zero writes when Zoom already holds it)."""
    with rt.session() as session:
        event = resolve_event(session, event_key)
        round_row = find_round(event, round_number)
        _require_planned(session, round_row)
        session.commit()  # no transaction stays open while the lease is taken
        with apply_lease(rt, event, "orchestrator breakouts apply"):
            outcome = apply_round(_context(rt, session, limits), event, round_row)
        return {"event": event.key, **outcome.as_dict()}


def export(
    rt: App, event_key: str | None, round_number: int, fmt: ExportFormat, output: str | Path | None
) -> dict[str, Any]:
    """Write Zoom's CSV or the moderators' roster for one round; returns the files written.

    ``output`` is a file (roster: a base name) or a directory for the default name inside it.
    """
    with rt.session() as session:
        event = resolve_event(session, event_key)
        round_row = find_round(event, round_number)
        _require_planned(session, round_row)
        files: list[Path] = []
        if fmt == "zoom-csv":
            rooms = round_rooms(session, event, round_row)
            check_limits(round_number, rooms, ZoomLimits(max_participants=10**9))
            default = f"breakouts-{event.key}-round{round_number}-zoom.csv"
            path = output_file(output, default) or Path(default)
            files.append(_write(path, zoom_csv(rooms)))
            people = sum(len(room.emails) for room in rooms)
        else:
            entries = roster(session, event, round_row)
            people = sum(room.participants for room in entries)
            default = f"roster-{event.key}-round{round_number}"
            base = output_file(output, default) or Path(default)
            if fmt in ("roster", "roster-html"):
                start = round_row.start_utc.astimezone(ZoneInfo(event.timezone)).strftime("%d.%m.%Y %H:%M")
                html = roster_html(
                    entries,
                    event_title=event.title,
                    round_title=round_row.title,
                    start=start,
                    lang=get_language(),
                )
                files.append(_write(_with_suffix(base, ".html", fmt == "roster"), html))
            if fmt in ("roster", "roster-csv"):
                files.append(_write(_with_suffix(base, ".csv", fmt == "roster"), roster_csv(entries)))
        return {
            "event": event.key,
            "round": round_number,
            "format": fmt,
            "files": [str(f) for f in files],
            "people": people,
        }


def move(
    rt: App,
    event_key: str | None,
    *,
    email: str,
    room: str,
    round_number: int,
    force: bool,
    limits: ZoomLimits,
) -> dict[str, Any]:
    """Move one person; re-apply to Zoom when Zoom holds this round and it has not started."""
    with rt.session() as session:
        event = resolve_event(session, event_key)
        result = move_person(
            session,
            event,
            email=email,
            room_name=room,
            round_number=round_number,
            now=rt.clock.now(),
            force=force,
        )
        session.commit()
        result["zoom"] = _reapply(rt, session, event, round_number, limits) if result["changed"] else None
        return {"event": event.key, **result}


def swap(
    rt: App, event_key: str | None, *, email_a: str, email_b: str, round_number: int, limits: ZoomLimits
) -> dict[str, Any]:
    """Swap two people's rooms; re-apply like :func:`move`."""
    with rt.session() as session:
        event = resolve_event(session, event_key)
        result = swap_people(
            session, event, email_a=email_a, email_b=email_b, round_number=round_number, now=rt.clock.now()
        )
        session.commit()
        result["zoom"] = _reapply(rt, session, event, round_number, limits)
        return {"event": event.key, **result}


def show(rt: App, event_key: str | None, round_number: int) -> dict[str, Any]:
    """Rooms and people of one round."""
    with rt.session() as session:
        event = resolve_event(session, event_key)
        return {
            "event": event.key,
            "timezone": event.timezone,
            **show_round(session, event, round_number=round_number, now=rt.clock.now()),
        }


def due_rounds(session: Session, event: Event, now: datetime) -> list[Due]:
    """Rounds not over whose pre-assignment matters now or later, with their apply times.

    A round needs sending when it was never applied successfully (or never planned: the job plans
    it at its apply time), or when its plan changed since
    and it has not started (during a round moderators move people by hand in Zoom). Only the
    latest round whose apply time has come may be in Zoom; earlier ones are left alone.
    """
    result = []
    for round_row in event.rounds:
        if phase(round_row, now) == "over":
            continue
        record = apply_record(session, round_row)
        never = record is None or record.state != ApplyState.APPLIED or not record.verified
        changed = record is not None and (
            record.payload_hash != payload_hash(round_rooms(session, event, round_row)) or not record.current
        )
        needs = never or (changed and phase(round_row, now) == "upcoming")
        apply_at = round_row.start_utc - _lead(round_row)
        result.append(Due(round_row.number, apply_at, needs))
    reached = [d for d in result if d.apply_at <= now]
    if len(reached) > 1:
        latest = max(reached, key=lambda d: d.apply_at)
        result = [d for d in result if d.apply_at > now or d is latest]
    return result


def unplaced_count(session: Session, event: Event, round_number: int) -> int:
    """Active planned-for people without a room in round ``round_number`` (late registrations)."""
    placed = assignments_for_round(session, event.id, round_number)
    return sum(1 for p in plannable_people(session, event) if p.id not in placed)


def _lead(round_row: BreakoutRound) -> timedelta:
    return timedelta(minutes=round_row.apply_lead_minutes)


def _reapply(
    rt: App, session: Session, event: Event, round_number: int, limits: ZoomLimits
) -> dict[str, Any]:
    round_row = find_round(event, round_number)
    record = apply_record(session, round_row)
    if phase(round_row, rt.clock.now()) != "upcoming":
        return {"applied": False, "reason": _("The round has started: please move people by hand in Zoom.")}
    if record is None or not record.current:
        return {
            "applied": False,
            "reason": _("Zoom does not hold this round yet; it is sent at its apply time."),
        }
    try:
        outcome = apply_round(_context(rt, session, limits), event, round_row)
    except (BadInput, OperationFailed) as exc:
        return {"applied": False, "reason": exc.message}
    return {"applied": True, **outcome.as_dict()}


def _context(rt: App, session: Session, limits: ZoomLimits) -> ApplyContext:
    return ApplyContext(session=session, zoom=rt.zoom, clock=rt.clock, commit=session.commit, limits=limits)


def _require_planned(session: Session, round_row: BreakoutRound) -> None:
    if plan_version(session, round_row) is None:
        raise BadInput(
            _(
                "Breakout round {round} has not been planned yet. Run 'orchestrator breakouts plan' first.",
                round=round_row.number,
            )
        )


def _with_suffix(base: Path, suffix: str, force: bool) -> Path:
    return base.with_suffix(suffix) if force or not base.suffix else base


def _write(path: Path, text: str) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise OperationFailed(
            _("Could not write {path}: {reason}", path=str(path), reason=exc.strerror)
        ) from exc
    return path
