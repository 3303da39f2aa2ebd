"""``orchestrator attendance``: minutes attended, CSV export, certificates (Teilnahmebescheinigungen)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from orchestrator.app import App
from orchestrator.attendance.certificates import (
    certificate_attachments,
    send_certificates,
    write_certificates,
)
from orchestrator.attendance.export import attendance_csv
from orchestrator.attendance.minutes import compute_attendance, event_threshold
from orchestrator.cli import output
from orchestrator.cli.options import EventOption, JsonOption
from orchestrator.cli.state import runtime
from orchestrator.errors import BadInput
from orchestrator.events import resolve_event
from orchestrator.i18n import _
from orchestrator.jobs import webhooks as webhook_job
from orchestrator.mail.transports import EmlDirectoryTransport, SmtpTransport, Transport
from orchestrator.outpaths import output_directory, output_file, write_text_file
from orchestrator.settings import Settings

app = typer.Typer(help="Attendance after the event.", no_args_is_help=True)

MinMinutesOption = Annotated[
    int | None,
    typer.Option(
        "--min-minutes",
        min=0,
        help="Minutes needed for a certificate (default: 75 % of the programme without breaks).",
    ),
]


def mail_transport(settings: Settings) -> Transport:
    """The configured mail transport (SMTP or a directory of .eml files)."""
    if settings.mail_transport == "eml":
        return EmlDirectoryTransport(settings.mail_eml_dir)
    return SmtpTransport(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_security,
        settings.smtp_username,
        settings.smtp_password,
        settings.smtp_timeout_seconds,
    )


def attendance_export(rt: App, event_key: str | None, min_minutes: int | None) -> dict[str, Any]:
    """Apply pending webhook events, then compute everyone's minutes and the CSV."""
    webhook_job.run(rt)
    with rt.session() as session:
        event = resolve_event(session, event_key)
        threshold = event_threshold(event, min_minutes)
        report = compute_attendance(session, event, rt.clock.now())
        return {
            "event": event.key,
            "meeting_ended": report.meeting_ended,
            "min_minutes": threshold,
            "people": [
                {
                    "email": p.email,
                    "first_name": p.first_name,
                    "last_name": p.last_name,
                    "organisation": p.organisation,
                    "minutes": p.minutes,
                    "first_join": p.first_join,
                    "last_leave": p.last_leave,
                    "certificate": p.minutes >= threshold and p.minutes > 0,
                }
                for p in report.people
            ],
            "attended": len([p for p in report.people if p.minutes > 0]),
            "guests": report.guests,
            "guest_minutes": report.guest_minutes,
            "csv": attendance_csv(report, timezone=event.timezone, min_minutes=threshold),
        }


@app.command("export")
def export(
    out: Annotated[
        str | None,
        typer.Option("--out", help="CSV file, or a directory for anwesenheit-<event>.csv (default: stdout)."),
    ] = None,
    min_minutes: MinMinutesOption = None,
    event: EventOption = None,
    as_json: JsonOption = False,
) -> None:
    """Minutes attended per person as CSV (semicolon-separated, for Excel)."""

    def render(result: dict[str, Any]) -> None:
        if not result["meeting_ended"]:
            output.warn(_("The meeting has not ended (or its end was not reported); minutes may still grow."))
        if out is None:
            sys.stdout.write(result["csv"])
            return
        output.say(
            _(
                "Attendance of {people} people written to {path} ({guests} guests without registration).",
                people=result["attended"],
                path=result["file"],
                guests=result["guests"],
            )
        )

    def action() -> dict[str, Any]:
        result = attendance_export(runtime(), event, min_minutes)
        path = output_file(out, f"anwesenheit-{result['event']}.csv")
        if path is not None:
            result["file"] = str(write_text_file(path, result["csv"]))
        return result

    output.run_command(as_json, action, render)


def issue_certificates(
    rt: App, event_key: str | None, min_minutes: int | None, out_dir: Path | None, send: bool
) -> dict[str, Any]:
    """Write certificates into ``out_dir`` and/or mail them (each person once)."""
    if out_dir is None and not send:
        raise BadInput(_("Give --out DIR to write the certificates, --send to mail them, or both."))
    webhook_job.run(rt)
    with rt.session() as session:
        event = resolve_event(session, event_key)
        threshold = event_threshold(event, min_minutes)
        now = rt.clock.now()
        report = compute_attendance(session, event, now)
        if send and not report.meeting_ended:
            raise BadInput(
                _(
                    "The meeting has not ended yet (no meeting.ended from Zoom); certificates are "
                    "sent only afterwards."
                )
            )
        attachments = certificate_attachments(session, event, min_minutes=threshold, now=now)
        written = [str(p) for p in write_certificates(attachments, out_dir)] if out_dir is not None else []
        result: dict[str, Any] = {
            "event": event.key,
            "min_minutes": threshold,
            "certificates": len(attachments),
            "written": written,
        }
        if send:
            sent = send_certificates(
                session,
                event,
                attachments,
                mail_transport(rt.settings),
                sender=rt.settings.mail_from,
                now=now,
                commit=session.commit,
            )
            result.update(
                sent=sent.sent, already_sent=sent.already_sent, unresolved=sent.unresolved, failed=sent.failed
            )
        session.commit()
        return result


@app.command("certificates")
def certificates(
    out: Annotated[str | None, typer.Option("--out", help="Directory for the PDF files.")] = None,
    send: Annotated[bool, typer.Option("--send", help="Mail each certificate to its person (once).")] = False,
    min_minutes: MinMinutesOption = None,
    event: EventOption = None,
    as_json: JsonOption = False,
) -> None:
    """Certificates of attendance (PDF) for everyone above the minimum."""

    def render(result: dict[str, Any]) -> None:
        output.say(
            _(
                "{count} certificates for at least {minutes} minutes.",
                count=result["certificates"],
                minutes=result["min_minutes"],
            )
        )
        if result["written"]:
            output.say(_("Written to {path}.", path=str(out)))
        if send:
            output.say(
                _(
                    "Sent: {sent}, sent before: {before}, failed: {failed}.",
                    sent=len(result["sent"]),
                    before=len(result["already_sent"]),
                    failed=len(result["failed"]),
                )
            )
            for email in result["unresolved"]:
                output.warn(
                    _(
                        "{email}: an earlier run was interrupted while sending; check the mail server "
                        "before sending again.",
                        email=email,
                    )
                )
            for email, reason in result["failed"].items():
                output.warn(f"{email}: {reason}")

    def action() -> dict[str, Any]:
        out_dir = output_directory(out) if out is not None else None
        return issue_certificates(runtime(), event, min_minutes, out_dir, send)

    output.run_command(as_json, action, render)
