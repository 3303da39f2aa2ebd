"""``orchestrator person``: personal data: export, forget, retention purge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from orchestrator.app import App
from orchestrator.cli import output
from orchestrator.cli.options import EventOption, JsonOption
from orchestrator.cli.state import runtime
from orchestrator.errors import BadInput
from orchestrator.events import resolve_event
from orchestrator.i18n import _
from orchestrator.outpaths import output_file, write_text_file
from orchestrator.privacy import export_person, forget_person, purge_expired

app = typer.Typer(help="Personal data: export and forget.", no_args_is_help=True)

EmailArgument = Annotated[str, typer.Argument(help="The person's e-mail address.")]


def _event_id(rt: App, event_key: str | None) -> int | None:
    if event_key is None:
        return None
    with rt.session() as session:
        return resolve_event(session, event_key).id


def person_export(rt: App, email: str, event_key: str | None) -> dict[str, Any]:
    """Everything stored about ``email`` (all events, or one)."""
    event_id = _event_id(rt, event_key)
    with rt.session() as session:
        data = export_person(session, email, event_id)
    if not data["records"] and not data["unprocessed_zoom_notifications"]:
        raise BadInput(_("No person with the e-mail address {email} is stored.", email=email.strip().lower()))
    return data


@app.command("export")
def export(
    email: EmailArgument,
    out: Annotated[
        str | None,
        typer.Option("--out", help="JSON file, or a directory for datenauskunft-<e-mail>.json."),
    ] = None,
    event: EventOption = None,
    as_json: JsonOption = False,
) -> None:
    """All data stored about a person, as JSON (includes their personal Zoom join link)."""
    written: list[Path] = []

    def render(result: dict[str, Any]) -> None:
        text = json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n"
        if out is None:
            typer.echo(text, nl=False)
        for path in written:
            output.say(_("Written to {path}.", path=str(path)))
        output.warn(_("The export contains the person's personal Zoom join link: hand it only to them."))

    def action() -> dict[str, Any]:
        result = person_export(runtime(), email, event)
        path = output_file(out, f"datenauskunft-{email.strip().lower()}.json")
        if path is not None:
            text = json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n"
            written.append(write_text_file(path, text))
        return result

    output.run_command(as_json, action, render)


def person_forget(rt: App, email: str, event_key: str | None) -> dict[str, Any]:
    """Cancel in Zoom, delete all rows and .eml mails about ``email``, log anonymously."""
    event_id = _event_id(rt, event_key)
    with rt.session() as session:
        mail_dir = rt.settings.mail_eml_dir if rt.settings.mail_transport == "eml" else None
        outcome = forget_person(session, rt.zoom, email, rt.clock.now(), event_id=event_id, mail_dir=mail_dir)
        session.commit()
    return {
        "people": len(outcome.people),
        "zoom_cancelled": outcome.zoom_cancelled,
        "rows": outcome.rows,
        "webhook_events": outcome.webhook_events,
        "mail_files": outcome.mail_files,
    }


@app.command("forget")
def forget(
    email: EmailArgument,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    event: EventOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cancel the person's Zoom registration and delete all their data and mails (cannot be undone)."""
    if not yes and not typer.confirm(_("Delete all data about {email}? This cannot be undone.", email=email)):
        raise typer.Exit(1)

    def render(result: dict[str, Any]) -> None:
        rows = sum(result["rows"].values())
        output.say(
            _(
                "Forgotten: {rows} stored rows deleted, {mails} mail files deleted, Zoom registrations "
                "cancelled: {zoom}. An anonymous note was kept.",
                rows=rows,
                mails=result["mail_files"],
                zoom=result["zoom_cancelled"],
            )
        )

    output.run_command(as_json, lambda: person_forget(runtime(), email, event), render)


def person_purge(rt: App, dry_run: bool) -> dict[str, Any]:
    """Purge personal data of events that ended more than ``retention_days`` ago."""
    with rt.session() as session:
        outcomes = purge_expired(session, rt.clock.now(), rt.settings.retention_days, dry_run=dry_run)
        if not dry_run:
            session.commit()
    return {
        "retention_days": rt.settings.retention_days,
        "dry_run": dry_run,
        "events": [o.__dict__ for o in outcomes],
    }


@app.command("purge-expired")
def purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show what would be purged.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Delete personal data of events that ended more than ORCHESTRATOR_RETENTION_DAYS ago."""

    def render(result: dict[str, Any]) -> None:
        if not result["events"]:
            days = result["retention_days"]
            output.say(_("No event is past the retention period of {days} days.", days=days))
        for item in result["events"]:
            text = _(
                "{event}: {people} people, {guests} guest records, {webhooks} Zoom notifications",
                event=item["event_key"],
                people=item["people"],
                guests=item["guest_marks"],
                webhooks=item["webhook_events"],
            )
            if item["moderators"] or item["moderator_accounts"]:
                text += _(
                    ", {moderators} moderators in the agenda, {accounts} moderator accounts",
                    moderators=item["moderators"],
                    accounts=item["moderator_accounts"],
                )
            output.say(text + (_(" (dry run)") if result["dry_run"] else ""))

    output.run_command(as_json, lambda: person_purge(runtime(), dry_run), render)
