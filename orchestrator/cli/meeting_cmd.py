"""``orchestrator meeting``: create/update the event's Zoom meeting and show it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orchestrator.agenda import load_agenda
from orchestrator.cli import output
from orchestrator.cli.options import AllowPastOption, EventOption, JsonOption
from orchestrator.cli.state import runtime
from orchestrator.errors import BadInput
from orchestrator.i18n import N_, _
from orchestrator.meeting.plan import SetupPlan, plan_setup
from orchestrator.meeting.service import MeetingStatus, SetupResult, meeting_status, run_setup

app = typer.Typer(help="The event's Zoom meeting.", no_args_is_help=True)


ACTION_TEXT = {
    "created": N_("Zoom meeting {id} created."),
    "adopted": N_("Zoom meeting {id} found and adopted."),
    "updated": N_("Zoom meeting {id} updated (one change sent to Zoom)."),
    "unchanged": N_("Zoom meeting {id} is up to date; nothing was changed."),
    "recreated": N_("Zoom meeting {id} created anew."),
}

PLAN_TEXT = {
    "create": N_("A new Zoom meeting would be created."),
    "resume": N_("An interrupted creation would be completed (the meeting is looked for in Zoom first)."),
    "update": N_("Zoom meeting {id} would be updated (one change)."),
    "unchanged": N_("Zoom meeting {id} is up to date."),
    "missing": N_("Zoom meeting {id} no longer exists in Zoom; only --recreate would create a new one."),
    "recreate": N_("Zoom meeting {id} no longer exists in Zoom; a new one would be created."),
}


@app.command("setup")
def setup(
    path: Annotated[Path, typer.Argument(help="Agenda file (YAML).")],
    recreate: Annotated[
        bool, typer.Option("--recreate", help="Create a new meeting if it was deleted in Zoom.")
    ] = False,
    allow_past: AllowPastOption = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only show what would be sent to Zoom; change nothing.")
    ] = False,
    overwrite_browser_edits: Annotated[
        bool,
        typer.Option(
            "--overwrite-browser-edits", help="Replace an agenda last saved in the browser with this file."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Create the Zoom meeting from the agenda; a rerun changes nothing, an edited agenda one PATCH."""

    def plan_action() -> SetupPlan:
        rt = runtime()
        loaded = load_agenda(
            path, now=rt.clock.now(), allow_past=allow_past, default_timezone=rt.settings.timezone
        )
        return plan_setup(rt.store, rt.zoom, loaded, recreate=recreate)

    if dry_run:
        output.run_command(as_json, plan_action, _render_plan)
        return

    def render(result: SetupResult) -> None:
        for warning in result.warnings:
            output.warn(warning)
        for note in result.notes:
            output.say(note)
        output.say(_(ACTION_TEXT[result.action], id=result.zoom_meeting_id))
        if result.registration_url:
            output.say(_("Registration page: {url}", url=result.registration_url))

    def action() -> SetupResult:
        rt = runtime()
        loaded = load_agenda(
            path, now=rt.clock.now(), allow_past=allow_past, default_timezone=rt.settings.timezone
        )
        if loaded.is_past and not allow_past:
            raise BadInput(
                _("The event in {path} starts in the past. Use --allow-past for a rehearsal.", path=str(path))
            )
        return run_setup(
            rt.store,
            rt.zoom,
            rt.clock,
            loaded,
            recreate=recreate,
            default_host=rt.settings.zoom_host_user,
            overwrite_browser_edits=overwrite_browser_edits,
        )

    output.run_command(as_json, action, render)


def _render_plan(plan: SetupPlan) -> None:
    output.say(_(PLAN_TEXT[plan.action], id=plan.zoom_meeting_id or "-"))
    if plan.fields:
        output.say(_("Changed fields: {fields}", fields=", ".join(plan.fields)))
    if plan.questions_change:
        output.say(_("The registration form in Zoom would be updated."))
    if plan.nothing_to_send:
        output.say(_("Nothing to send to Zoom."))


@app.command("show")
def show(event: EventOption = None, as_json: JsonOption = False) -> None:
    """Show the meeting: Zoom id, start, registration URL, state."""

    def render(result: MeetingStatus) -> None:
        rows = [
            (_("Event"), f"{result.title} ({result.event})"),
            (_("Start"), result.start.strftime("%d.%m.%Y %H:%M") + f" ({result.timezone})"),
            (_("End"), result.end.strftime("%d.%m.%Y %H:%M")),
            (_("Zoom meeting"), result.zoom_meeting_id or "-"),
            (_("State"), result.state + (f" / Zoom: {result.zoom_status}" if result.zoom_status else "")),
            (_("Registration page"), result.registration_url or "-"),
        ]
        output.table(None, ["", ""], rows)

    def action() -> MeetingStatus:
        rt = runtime()
        return meeting_status(rt.store, rt.zoom, event)

    output.run_command(as_json, action, render)
