"""Breakout use cases: each opens a session on the store, works, and commits.

The CLI (``orchestrator breakouts ...``), the moderator console, the scheduler job and the demo
call these with the collaborators they need (store, Zoom client, clock); the pieces they combine
(planning, payload, apply, export, moderation) work on one session. Results are typed
(:mod:`orchestrator.breakouts.results`).
"""

from __future__ import annotations

from collections.abc import Callable
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
from orchestrator.breakouts.overview import PlanOverview, plan_overview
from orchestrator.breakouts.payload import round_rooms
from orchestrator.breakouts.plan import PlanOptions, plan_event
from orchestrator.breakouts.results import (
    ApplyResult,
    ExportResult,
    MoveOutcome,
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


def plan(
    store: Store,
    clock: Clock,
    event_key: str | None,
    options: PlanOptions,
    *,
    dry_run: bool = False,
    before_commit: Callable[[Session, Event, PlanReport], object] | None = None,
) -> PlanReport:
    """Plan (or re-plan) and store; nothing is stored when the plan is impossible.

    ``dry_run``: plan and report, store nothing (the preview of a rebalance). ``before_commit`` runs
    in the same transaction before the commit (the browser's audit log; it may raise to refuse).
    """
    with store.session() as session:
        event = resolve_event(session, event_key)
        report = plan_event(session, event, now=clock.now(), options=options)
        if dry_run:
            session.rollback()
            return report
        if before_commit is not None:
            before_commit(session, event, report)
        session.commit()
        return report


def overview(store: Store, clock: Clock, event_key: str | None) -> PlanOverview:
    """Every round as planned now: rooms, seats taken, wishes met, who has no room (read-only)."""
    with store.session() as session:
        return plan_overview(session, resolve_event(session, event_key), clock.now())


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


@dataclass(frozen=True)
class ExportedFile:
    """One exported file in memory: its default name and its text."""

    name: str
    text: str

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix


@dataclass(frozen=True)
class ExportContent:
    """What an export holds (the browser offers it as a download, the command writes it)."""

    event: str
    round: int
    format: str
    files: tuple[ExportedFile, ...]
    people: int


def export_content(
    store: Store, event_key: str | None, round_number: int, fmt: ExportFormat
) -> ExportContent:
    """Zoom's CSV or the moderators' roster (HTML and/or CSV) of one planned round, in memory."""
    with store.session() as session:
        event = resolve_event(session, event_key)
        round_row = find_round(event, round_number)
        _require_planned(session, round_row)
        if fmt == "zoom-csv":
            files, people = _zoom_csv_file(session, event, round_row)
        else:
            files, people = _roster_files(session, event, round_row, fmt)
        return ExportContent(event.key, round_number, fmt, tuple(files), people)


def export(
    store: Store, event_key: str | None, round_number: int, fmt: ExportFormat, output: str | Path | None
) -> ExportResult:
    """Write Zoom's CSV or the moderators' roster for one round; returns the files written.

    ``output`` is a file (roster: a base name) or a directory for the default name inside it.
    """
    content = export_content(store, event_key, round_number, fmt)
    written: list[Path] = []
    for item in content.files:
        if fmt == "zoom-csv":
            path = output_file(output, item.name) or Path(item.name)
        else:
            default = str(Path(item.name).with_suffix(""))
            base = output_file(output, default) or Path(default)
            path = _with_suffix(base, item.suffix, fmt == "roster")
        written.append(_write(path, item.text))
    return ExportResult(content.event, round_number, fmt, [str(f) for f in written], content.people)


def _zoom_csv_file(
    session: Session, event: Event, round_row: BreakoutRoundRecord
) -> tuple[list[ExportedFile], int]:
    rooms = round_rooms(session, event, round_row)
    check_limits(round_row.number, rooms, ZoomLimits(max_participants=10**9))
    name = f"breakouts-{event.key}-round{round_row.number}-zoom.csv"
    return [ExportedFile(name, zoom_csv(rooms))], sum(len(room.emails) for room in rooms)


def _roster_files(
    session: Session, event: Event, round_row: BreakoutRoundRecord, fmt: ExportFormat
) -> tuple[list[ExportedFile], int]:
    entries = roster(session, event, round_row)
    stem = f"roster-{event.key}-round{round_row.number}"
    files: list[ExportedFile] = []
    if fmt in ("roster", "roster-html"):
        start = round_row.start_utc.astimezone(ZoneInfo(event.timezone)).strftime("%d.%m.%Y %H:%M")
        html = roster_html(
            entries, event_title=event.title, round_title=round_row.title, start=start, lang=get_language()
        )
        files.append(ExportedFile(f"{stem}.html", html))
    if fmt in ("roster", "roster-csv"):
        files.append(ExportedFile(f"{stem}.csv", roster_csv(entries)))
    return files, sum(room.participants for room in entries)


def move(  # noqa: PLR0913 - keyword-only options of one use case; a bundle would only rename them
    work: BreakoutWork,
    event_key: str | None,
    *,
    email: str,
    room: str,
    round_number: int,
    force: bool,
    limits: ZoomLimits,
    before_commit: Callable[[Session, Event, MoveOutcome], object] | None = None,
) -> MoveResult:
    """Move one person; re-apply to Zoom when Zoom holds this round and it has not started.

    ``before_commit`` runs in the transaction of the move, before its commit, when the person
    changes rooms (the browser's audit log). That commit makes the move visible; a re-apply to Zoom
    after it commits on its own, and its failure leaves the move (reported in ``zoom``).
    """
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
        if before_commit is not None and moved.changed:
            before_commit(session, event, moved)
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
