"""Breakout use cases: each opens a session on the store, works, and commits.

The CLI (``orchestrator breakouts ...``), the moderator console, the scheduler job and the demo
call these with the collaborators they need (store, Zoom client, clock); the pieces they combine
(planning, payload, apply, export, moderation) work on one session. Results are typed
(:mod:`orchestrator.breakouts.results`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from orchestrator.breakouts.apply import ApplyContext, apply_record, apply_round
from orchestrator.breakouts.apply_lease import apply_lease
from orchestrator.breakouts.export import roster_csv, roster_html, zoom_csv
from orchestrator.breakouts.limits import ZoomLimits, check_limits
from orchestrator.breakouts.moderate import move_person, show_round, swap_people
from orchestrator.breakouts.payload import round_rooms
from orchestrator.breakouts.plan import PlanOptions, plan_event
from orchestrator.breakouts.results import (
    ApplyResult,
    ExportResult,
    MoveResult,
    PlanReport,
    RoundShow,
    SwapResult,
    ZoomApplied,
    ZoomNotApplied,
    ZoomUpdate,
)
from orchestrator.breakouts.roster import roster
from orchestrator.breakouts.rounds import find_round, phase
from orchestrator.breakouts.store import plan_version
from orchestrator.clock import Clock
from orchestrator.db.models import BreakoutRoundRecord, Event
from orchestrator.db.store import Store
from orchestrator.errors import BadInput, OperationFailed
from orchestrator.events import resolve_event
from orchestrator.i18n import _, get_language
from orchestrator.outpaths import output_file
from orchestrator.zoom.client import ZoomClient

ExportFormat = Literal["zoom-csv", "roster", "roster-html", "roster-csv"]


@dataclass(frozen=True)
class BreakoutWork:
    """What a use case that may write to Zoom needs: the store, the Zoom client, the clock."""

    store: Store
    zoom: ZoomClient
    clock: Clock


def plan(store: Store, clock: Clock, event_key: str | None, options: PlanOptions) -> PlanReport:
    """Plan (or re-plan) and store; nothing is stored when the plan is impossible."""
    with store.session() as session:
        event = resolve_event(session, event_key)
        report = plan_event(session, event, now=clock.now(), options=options)
        session.commit()
        return report


def apply(work: BreakoutWork, event_key: str | None, round_number: int, limits: ZoomLimits) -> ApplyResult:
    """Send round ``round_number`` to Zoom (zero writes when Zoom already holds it)."""
    with work.store.session() as session:
        event = resolve_event(session, event_key)
        round_row = find_round(event, round_number)
        _require_planned(session, round_row)
        session.commit()  # no transaction stays open while the lease is taken
        with apply_lease(work.store, work.clock, event, "orchestrator breakouts apply"):
            outcome = apply_round(apply_context(work, session, limits), event, round_row)
        return ApplyResult.of(event.key, outcome)


def export(
    store: Store, event_key: str | None, round_number: int, fmt: ExportFormat, output: str | Path | None
) -> ExportResult:
    """Write Zoom's CSV or the moderators' roster for one round; returns the files written.

    ``output`` is a file (roster: a base name) or a directory for the default name inside it.
    """
    with store.session() as session:
        event = resolve_event(session, event_key)
        round_row = find_round(event, round_number)
        _require_planned(session, round_row)
        if fmt == "zoom-csv":
            files, people = _export_zoom_csv(session, event, round_row, output)
        else:
            files, people = _export_roster(session, event, round_row, fmt, output)
        return ExportResult(event.key, round_number, fmt, [str(f) for f in files], people)


def _export_zoom_csv(
    session: Session, event: Event, round_row: BreakoutRoundRecord, output: str | Path | None
) -> tuple[list[Path], int]:
    rooms = round_rooms(session, event, round_row)
    check_limits(round_row.number, rooms, ZoomLimits(max_participants=10**9))
    default = f"breakouts-{event.key}-round{round_row.number}-zoom.csv"
    path = output_file(output, default) or Path(default)
    return [_write(path, zoom_csv(rooms))], sum(len(room.emails) for room in rooms)


def _export_roster(
    session: Session,
    event: Event,
    round_row: BreakoutRoundRecord,
    fmt: ExportFormat,
    output: str | Path | None,
) -> tuple[list[Path], int]:
    entries = roster(session, event, round_row)
    default = f"roster-{event.key}-round{round_row.number}"
    base = output_file(output, default) or Path(default)
    files: list[Path] = []
    if fmt in ("roster", "roster-html"):
        start = round_row.start_utc.astimezone(ZoneInfo(event.timezone)).strftime("%d.%m.%Y %H:%M")
        html = roster_html(
            entries, event_title=event.title, round_title=round_row.title, start=start, lang=get_language()
        )
        files.append(_write(_with_suffix(base, ".html", fmt == "roster"), html))
    if fmt in ("roster", "roster-csv"):
        files.append(_write(_with_suffix(base, ".csv", fmt == "roster"), roster_csv(entries)))
    return files, sum(room.participants for room in entries)


def move(
    work: BreakoutWork,
    event_key: str | None,
    *,
    email: str,
    room: str,
    round_number: int,
    force: bool,
    limits: ZoomLimits,
) -> MoveResult:
    """Move one person; re-apply to Zoom when Zoom holds this round and it has not started."""
    with work.store.session() as session:
        event = resolve_event(session, event_key)
        moved = move_person(
            session,
            event,
            email=email,
            room_name=room,
            round_number=round_number,
            now=work.clock.now(),
            force=force,
        )
        session.commit()
        zoom = _reapply(work, session, event, round_number, limits) if moved.changed else None
        return MoveResult.of(event.key, moved, zoom)


def swap(
    work: BreakoutWork,
    event_key: str | None,
    *,
    email_a: str,
    email_b: str,
    round_number: int,
    limits: ZoomLimits,
) -> SwapResult:
    """Swap two people's rooms; re-apply like :func:`move`."""
    with work.store.session() as session:
        event = resolve_event(session, event_key)
        swapped = swap_people(
            session, event, email_a=email_a, email_b=email_b, round_number=round_number, now=work.clock.now()
        )
        session.commit()
        zoom = _reapply(work, session, event, round_number, limits)
        return SwapResult(event.key, round_number, swapped, zoom)


def show(store: Store, clock: Clock, event_key: str | None, round_number: int) -> RoundShow:
    """Rooms and people of one round."""
    with store.session() as session:
        event = resolve_event(session, event_key)
        return show_round(session, event, round_number=round_number, now=clock.now())


def _reapply(
    work: BreakoutWork, session: Session, event: Event, round_number: int, limits: ZoomLimits
) -> ZoomUpdate:
    round_row = find_round(event, round_number)
    record = apply_record(session, round_row)
    if phase(round_row, work.clock.now()) != "upcoming":
        return ZoomNotApplied(False, _("The round has started: please move people by hand in Zoom."))
    if record is None or not record.current:
        return ZoomNotApplied(False, _("Zoom does not hold this round yet; it is sent at its apply time."))
    try:
        outcome = apply_round(apply_context(work, session, limits), event, round_row)
    except (BadInput, OperationFailed) as exc:
        return ZoomNotApplied(False, exc.message)
    return ZoomApplied.of(outcome)


def apply_context(work: BreakoutWork, session: Session, limits: ZoomLimits) -> ApplyContext:
    """The collaborators of one apply on ``session`` (it commits the intent before Zoom hears of it)."""
    return ApplyContext(
        session=session, zoom=work.zoom, clock=work.clock, commit=session.commit, limits=limits
    )


def _require_planned(session: Session, round_row: BreakoutRoundRecord) -> None:
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
