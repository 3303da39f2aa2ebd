"""``orchestrator person``: personal data: export, forget, retention purge; resend a personal link."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from orchestrator.app import App
from orchestrator.cli import output
from orchestrator.cli.options import EventOption, JsonOption
from orchestrator.cli.state import runtime
from orchestrator.i18n import _
from orchestrator.outpaths import output_file, write_text_file
from orchestrator.privacy.service import (
    ForgetRequest,
    ForgetResult,
    PersonExport,
    PurgeResult,
    person_export,
    person_forget,
    purge_expired_events,
)
from orchestrator.results import to_jsonable

if TYPE_CHECKING:
    from orchestrator.mail.resend import ResendResult

app = typer.Typer(help="Personal data: export and forget.", no_args_is_help=True)

EmailArgument = Annotated[str, typer.Argument(help="The person's e-mail address.")]


def _export_text(result: PersonExport) -> str:
    return json.dumps(to_jsonable(result), ensure_ascii=False, indent=2, default=str) + "\n"


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

    def render(result: PersonExport) -> None:
        if out is None:
            typer.echo(_export_text(result), nl=False)
        for path in written:
            output.say(_("Written to {path}.", path=str(path)))
        output.warn(_("The export contains the person's personal Zoom join link: hand it only to them."))

    def action() -> PersonExport:
        result = person_export(runtime().store, email, event)
        path = output_file(out, f"datenauskunft-{email.strip().lower()}.json")
        if path is not None:
            written.append(write_text_file(path, _export_text(result)))
        return result

    output.run_command(as_json, action, render)


def forget_action(rt: App, email: str, event_key: str | None) -> ForgetResult:
    """``person forget`` on ``rt``: .eml files are deleted too when mails go to a directory."""
    settings = rt.settings
    mail_dir = settings.mail_eml_dir if settings.mail_transport == "eml" else None
    return person_forget(rt.store, rt.zoom, rt.clock, ForgetRequest(email, event_key, mail_dir))


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

    def render(result: ForgetResult) -> None:
        rows = sum(result.rows.values())
        output.say(
            _(
                "Forgotten: {rows} stored rows deleted, {mails} mail files deleted, Zoom registrations "
                "cancelled: {zoom}. An anonymous note was kept.",
                rows=rows,
                mails=result.mail_files,
                zoom=result.zoom_cancelled,
            )
        )

    output.run_command(as_json, lambda: forget_action(runtime(), email, event), render)


def purge_action(rt: App, dry_run: bool) -> PurgeResult:
    """``person purge-expired`` on ``rt`` with its retention period."""
    return purge_expired_events(rt.store, rt.clock, rt.settings.retention_days, dry_run=dry_run)


@app.command("purge-expired")
def purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show what would be purged.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Delete personal data of events that ended more than ORCHESTRATOR_RETENTION_DAYS ago."""

    def render(result: PurgeResult) -> None:
        if not result.events:
            days = result.retention_days
            output.say(_("No event is past the retention period of {days} days.", days=days))
        for item in result.events:
            text = _(
                "{event}: {people} people, {guests} guest records, {webhooks} Zoom notifications",
                event=item.event_key,
                people=item.people,
                guests=item.guest_marks,
                webhooks=item.webhook_events,
            )
            if item.moderators or item.moderator_accounts:
                text += _(
                    ", {moderators} moderators in the agenda, {accounts} moderator accounts",
                    moderators=item.moderators,
                    accounts=item.moderator_accounts,
                )
            output.say(text + (_(" (dry run)") if result.dry_run else ""))

    output.run_command(as_json, lambda: purge_action(runtime(), dry_run), render)


def resend_link_action(rt: App, email: str, event_key: str | None) -> ResendResult:
    """``person resend-link`` on ``rt``: the use case behind the person page's "Link erneut senden"."""
    from orchestrator.jobs.mail import mail_service  # the mail stack loads only for this command

    return mail_service(rt).resend_link(event_key, email)


@app.command("resend-link")
def resend_link(email: EmailArgument, event: EventOption = None, as_json: JsonOption = False) -> None:
    """Send the person's confirmation with their personal join link once more (the link is not shown)."""

    def render(result: ResendResult) -> None:
        if result.outcome == "queued":
            output.say(
                _(
                    "The confirmation with the personal link to {email} is queued again; the next mail "
                    "dispatch sends it (orchestrator run or mail send-due).",
                    email=result.email,
                )
            )
        else:
            output.say(_("The confirmation to {email} is already waiting to be sent.", email=result.email))

    output.run_command(as_json, lambda: resend_link_action(runtime(), email, event), render)
