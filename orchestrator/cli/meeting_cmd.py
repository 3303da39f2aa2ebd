"""``orchestrator meeting``: create/update the event's Zoom meeting and show it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select

from orchestrator.agenda import LoadedAgenda, load_agenda
from orchestrator.app import App
from orchestrator.cli import output
from orchestrator.cli.options import AllowPastOption, EventOption, JsonOption
from orchestrator.cli.state import runtime
from orchestrator.db.models import ZoomMeeting
from orchestrator.errors import BadInput
from orchestrator.events import agenda_of, resolve_event, upsert_event
from orchestrator.i18n import N_, _
from orchestrator.meeting import MeetingSetup, setup_meeting
from orchestrator.zoom.errors import NotFound, ZoomError

app = typer.Typer(help="The event's Zoom meeting.", no_args_is_help=True)


def run_setup(rt: App, loaded: LoadedAgenda, *, recreate: bool) -> dict[str, Any]:
    """Store the agenda and bring the Zoom meeting in line with it (used by the CLI and the demo)."""
    with rt.session() as session:
        event, agenda_changed = upsert_event(session, loaded)
        session.commit()
        host = loaded.agenda.zoom.host_user or rt.settings.zoom_host_user
        ctx = MeetingSetup(
            session=session, zoom=rt.zoom, clock=rt.clock, commit=session.commit, host_user=host
        )
        outcome = setup_meeting(ctx, event, loaded.agenda, recreate=recreate)
        return {
            "event": event.key,
            "agenda_changed": agenda_changed,
            "action": outcome.action,
            "zoom_meeting_id": outcome.zoom_meeting_id,
            "start_time": outcome.start_time,
            "registration_url": outcome.registration_url,
            "zoom_writes": outcome.zoom_writes,
            "notes": outcome.notes,
            "warnings": loaded.warnings,
        }


ACTION_TEXT = {
    "created": N_("Zoom meeting {id} created."),
    "adopted": N_("Zoom meeting {id} found and adopted."),
    "updated": N_("Zoom meeting {id} updated (one change sent to Zoom)."),
    "unchanged": N_("Zoom meeting {id} is up to date; nothing was changed."),
    "recreated": N_("Zoom meeting {id} created anew."),
}


@app.command("setup")
def setup(
    path: Annotated[Path, typer.Argument(help="Agenda file (YAML).")],
    recreate: Annotated[
        bool, typer.Option("--recreate", help="Create a new meeting if it was deleted in Zoom.")
    ] = False,
    allow_past: AllowPastOption = False,
    as_json: JsonOption = False,
) -> None:
    """Create the Zoom meeting from the agenda; a rerun changes nothing, an edited agenda one PATCH."""

    def render(result: dict[str, Any]) -> None:
        for warning in result["warnings"]:
            output.warn(warning)
        for note in result["notes"]:
            output.say(note)
        output.say(_(ACTION_TEXT[result["action"]], id=result["zoom_meeting_id"]))
        if result["registration_url"]:
            output.say(_("Registration page: {url}", url=result["registration_url"]))

    def action() -> dict[str, Any]:
        rt = runtime()
        loaded = load_agenda(
            path, now=rt.clock.now(), allow_past=allow_past, default_timezone=rt.settings.timezone
        )
        if loaded.is_past and not allow_past:
            raise BadInput(
                _("The event in {path} starts in the past. Use --allow-past for a rehearsal.", path=str(path))
            )
        return run_setup(rt, loaded, recreate=recreate)

    output.run_command(as_json, action, render)


def meeting_status(rt: App, event_key: str | None) -> dict[str, Any]:
    with rt.session() as session:
        event = resolve_event(session, event_key)
        agenda = agenda_of(event)
        meeting = session.scalar(select(ZoomMeeting).where(ZoomMeeting.event_id == event.id))
        result: dict[str, Any] = {
            "event": event.key,
            "title": event.title,
            "start": event.start_utc.astimezone(agenda.tz),
            "end": event.end_utc.astimezone(agenda.tz),
            "timezone": event.timezone,
            "state": meeting.state if meeting else "none",
            "zoom_meeting_id": meeting.zoom_meeting_id if meeting else None,
            "registration_url": meeting.registration_url if meeting else None,
            "zoom_status": None,
        }
        if meeting and meeting.zoom_meeting_id:
            try:
                live = rt.zoom.get_meeting(meeting.zoom_meeting_id)
                result["zoom_status"] = live.get("status")
            except NotFound:
                result["zoom_status"] = "deleted"
            except ZoomError as exc:
                result["zoom_status"] = f"unknown ({exc.message})"
        return result


@app.command("show")
def show(event: EventOption = None, as_json: JsonOption = False) -> None:
    """Show the meeting: Zoom id, start, registration URL, state."""

    def render(result: dict[str, Any]) -> None:
        rows = [
            (_("Event"), f"{result['title']} ({result['event']})"),
            (_("Start"), result["start"].strftime("%d.%m.%Y %H:%M") + f" ({result['timezone']})"),
            (_("End"), result["end"].strftime("%d.%m.%Y %H:%M")),
            (_("Zoom meeting"), result["zoom_meeting_id"] or "-"),
            (
                _("State"),
                result["state"] + (f" / Zoom: {result['zoom_status']}" if result["zoom_status"] else ""),
            ),
            (_("Registration page"), result["registration_url"] or "-"),
        ]
        output.table(None, ["", ""], rows)

    output.run_command(as_json, lambda: meeting_status(runtime(), event), render)
