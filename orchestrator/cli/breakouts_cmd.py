"""``orchestrator breakouts``: Breakout rooms: plan, export, apply, moderate."""

from __future__ import annotations

from typing import Annotated, cast

import typer

from orchestrator.breakouts import service
from orchestrator.breakouts.limits import ZOOM_MAX_PREASSIGNED, ZoomLimits
from orchestrator.breakouts.plan import PlanOptions
from orchestrator.breakouts.results import (
    ApplyResult,
    ExportResult,
    MoveResult,
    PlanReport,
    RoundShow,
    SwapResult,
    ZoomApplied,
    ZoomUpdate,
)
from orchestrator.breakouts.solver.model import RankCosts
from orchestrator.cli import output
from orchestrator.cli.options import EventOption, JsonOption
from orchestrator.cli.state import runtime
from orchestrator.errors import BadInput
from orchestrator.i18n import _
from orchestrator.jobs.breakouts import work

app = typer.Typer(help="Breakout rooms: plan, export, apply, moderate.", no_args_is_help=True)

RoundOption = Annotated[int, typer.Option("--round", metavar="N", help="Breakout round number.")]
MaxParticipantsOption = Annotated[
    int,
    typer.Option("--max-participants", help="Zoom's limit of pre-assigned people per meeting."),
]


def parse_costs(text: str, unranked: int) -> RankCosts:
    """``"0,1,2"`` and the cost of a missed wish → :class:`RankCosts` (``BadInput`` when unusable)."""
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise BadInput(
            _("--costs needs whole numbers separated by commas, e.g. 0,1,2 (got '{value}').", value=text)
        ) from None
    return RankCosts(costs=values, unranked=unranked)


@app.command("plan")
def plan_command(
    round_number: Annotated[
        int | None, typer.Option("--round", metavar="N", help="Plan only this round (default: all upcoming).")
    ] = None,
    rebalance: Annotated[
        bool, typer.Option("--rebalance", help="Plan everyone anew; only hand-made moves are kept.")
    ] = False,
    costs: Annotated[str, typer.Option("--costs", help="Cost of the 1st,2nd,3rd wish.")] = "0,1,2",
    unranked: Annotated[int, typer.Option("--unranked", help="Cost of a room that was not wished.")] = 6,
    event: EventOption = None,
    as_json: JsonOption = False,
) -> None:
    """Assign every registered person a room per round, optimally, from their ranked wishes."""

    def action() -> PlanReport:
        options = PlanOptions(
            round_number=round_number, costs=parse_costs(costs, unranked), rebalance=rebalance
        )
        app = runtime()
        return service.plan(app.store, app.clock, event, options)

    output.run_command(as_json, action, _render_plan)


def _render_plan(result: PlanReport) -> None:
    rows = [
        (r.round, r.room, f"{r.assigned}/{r.capacity}", r.first, r.second, r.third, r.none)
        for r in result.rooms
    ]
    output.table(
        _("Breakout plan"),
        [_("Round"), _("Room"), _("Seats taken"), _("1st wish"), _("2nd wish"), _("3rd wish"), _("No wish")],
        rows,
    )
    wishes = result.wishes
    output.say(
        _(
            "{people} people planned: {first}× 1st wish, {second}× 2nd, {third}× 3rd, {none}× no wish "
            "(total cost {objective}, method {method}).",
            people=result.people,
            objective=result.objective,
            method=result.method,
            first=wishes.first,
            second=wishes.second,
            third=wishes.third,
            none=wishes.none,
        )
    )
    output.say(_("{kept} placements kept, {new} new.", kept=result.kept, new=result.placed_new))
    if result.moved:
        output.say(_("{count} placements moved:", count=len(result.moved)))
        for move in result.moved:
            output.say(f"  R{move.round} {move.name} <{move.email}>: {move.before} → {move.after}")
    else:
        output.say(_("Nobody already placed was moved."))
    for removed in result.removed:
        output.say(
            _(
                "Removed (cancelled): {name}, round {round}, {room}",
                name=removed.name,
                round=removed.round,
                room=removed.room,
            )
        )
    for flagged in result.flagged_rooms:
        output.warn(
            _(
                "Round {round}, room {room}: moderator cancelled ({names}).",
                round=flagged.round,
                room=flagged.room,
                names=", ".join(flagged.cancelled_moderators),
            )
        )


@app.command("export")
def export_command(
    round_number: RoundOption,
    fmt: Annotated[
        str,
        typer.Option("--format", help="zoom-csv, roster (HTML and CSV), roster-html or roster-csv."),
    ] = "zoom-csv",
    out: Annotated[
        str | None,
        typer.Option("--output", "-o", help="File (roster: base name) or directory to write."),
    ] = None,
    event: EventOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write Zoom's pre-assignment CSV or a printable roster for moderators."""

    def action() -> ExportResult:
        if fmt not in ("zoom-csv", "roster", "roster-html", "roster-csv"):
            raise BadInput(
                _("Unknown format '{fmt}'. Use zoom-csv, roster, roster-html or roster-csv.", fmt=fmt)
            )
        return service.export(runtime().store, event, round_number, cast(service.ExportFormat, fmt), out)

    def render(result: ExportResult) -> None:
        for path in result.files:
            output.say(_("Written: {path} ({people} people).", path=path, people=result.people))

    output.run_command(as_json, action, render)


@app.command("apply")
def apply_command(
    round_number: RoundOption,
    max_participants: MaxParticipantsOption = ZOOM_MAX_PREASSIGNED,
    event: EventOption = None,
    as_json: JsonOption = False,
) -> None:
    """Replace the Zoom meeting's pre-assigned rooms with this round's plan, and verify it."""

    def action() -> ApplyResult:
        limits = ZoomLimits(max_participants=max_participants)
        return service.apply(work(runtime()), event, round_number, limits)

    def render(result: ApplyResult) -> None:
        if result.action == "unchanged":
            output.say(
                _("Zoom already holds the rooms of round {round}; nothing was sent.", round=result.round)
            )
        else:
            output.say(
                _(
                    "Round {round} sent to Zoom and verified: {rooms} rooms, {people} people.",
                    round=result.round,
                    rooms=result.rooms,
                    people=result.participants,
                )
            )
        output.say("")
        output.say(_("Instruction for the host:"))
        for text in result.instructions.texts():
            output.say(text)

    output.run_command(as_json, action, render)


@app.command("move")
def move_command(
    email: Annotated[str, typer.Argument(help="E-mail of the person to move.")],
    to: Annotated[str, typer.Option("--to", metavar="ROOM", help="Target room (its name).")],
    round_number: RoundOption,
    force: Annotated[bool, typer.Option("--force", help="Place even into a full room (logged).")] = False,
    max_participants: MaxParticipantsOption = ZOOM_MAX_PREASSIGNED,
    event: EventOption = None,
    as_json: JsonOption = False,
) -> None:
    """Move one person to another room in a round."""

    def action() -> MoveResult:
        return service.move(
            work(runtime()),
            event,
            email=email,
            room=to,
            round_number=round_number,
            force=force,
            limits=ZoomLimits(max_participants=max_participants),
        )

    def render(result: MoveResult) -> None:
        for warning in result.warnings:
            output.warn(warning)
        if not result.changed:
            output.say(
                _("{email} is in {room} already; nothing changed.", email=result.email, room=result.after)
            )
            return
        output.say(
            _(
                "{email}: round {round} now in {room} (before: {before}).",
                email=result.email,
                round=result.round,
                room=result.after,
                before=result.before or "-",
            )
        )
        _render_zoom(result.zoom)

    output.run_command(as_json, action, render)


@app.command("swap")
def swap_command(
    first: Annotated[str, typer.Argument(help="E-mail of the first person.")],
    second: Annotated[str, typer.Argument(help="E-mail of the second person.")],
    round_number: RoundOption,
    max_participants: MaxParticipantsOption = ZOOM_MAX_PREASSIGNED,
    event: EventOption = None,
    as_json: JsonOption = False,
) -> None:
    """Exchange the rooms of two people in a round."""

    def action() -> SwapResult:
        return service.swap(
            work(runtime()),
            event,
            email_a=first,
            email_b=second,
            round_number=round_number,
            limits=ZoomLimits(max_participants=max_participants),
        )

    def render(result: SwapResult) -> None:
        for item in result.swapped:
            output.say(
                _(
                    "{email}: round {round} now in {room}.",
                    email=item.email,
                    round=result.round,
                    room=item.after,
                )
            )
        _render_zoom(result.zoom)

    output.run_command(as_json, action, render)


def _render_zoom(zoom: ZoomUpdate | None) -> None:
    if zoom is None:
        return
    if isinstance(zoom, ZoomApplied):
        output.say(_("Zoom updated ({writes} change sent).", writes=zoom.zoom_writes))
        for text in zoom.instructions.texts():
            output.say(text)
    else:
        output.say(_("Zoom not changed: {reason}", reason=zoom.reason))


@app.command("show")
def show_command(round_number: RoundOption, event: EventOption = None, as_json: JsonOption = False) -> None:
    """Show the rooms of a round with their people."""

    def render(result: RoundShow) -> None:
        output.say(_("Round {round}: {title}", round=result.round, title=result.title))
        for room in result.rooms:
            moderators = ", ".join(
                m.name + (" " + _("(cancelled)") if m.cancelled else "") for m in room.moderators
            )
            rows = [
                (p.name, p.organisation or "", p.email, "!" if p.forced else p.source) for p in room.people
            ]
            output.table(
                f"{room.room} – {room.assigned}/{room.capacity} – {_('Moderation')}: {moderators or '-'}",
                [_("Name"), _("Organisation"), _("E-mail"), _("Source")],
                rows,
            )
        if result.unplaced:
            output.warn(_("Without a room: {emails}", emails=", ".join(result.unplaced)))

    def action() -> RoundShow:
        app = runtime()
        return service.show(app.store, app.clock, event, round_number)

    output.run_command(as_json, action, render)
