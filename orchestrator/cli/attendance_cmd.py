"""``orchestrator attendance``: minutes attended, CSV export, certificates (Teilnahmebescheinigungen)."""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Annotated

import typer

from orchestrator.app import App
from orchestrator.attendance.service import (
    AttendanceExport,
    CertificateMailing,
    CertificatesRequest,
    CertificatesResult,
    ReconcileResult,
    attendance_export,
    issue_certificates,
    reconcile_attendance,
)
from orchestrator.cli import output
from orchestrator.cli.options import EventOption, JsonOption
from orchestrator.cli.state import runtime
from orchestrator.i18n import _
from orchestrator.jobs import webhooks as webhook_job
from orchestrator.outpaths import output_directory, output_file, write_text_file

app = typer.Typer(help="Attendance after the event.", no_args_is_help=True)

MinMinutesOption = Annotated[
    int | None,
    typer.Option(
        "--min-minutes",
        min=0,
        help="Minutes needed for a certificate (default: 75 % of the programme without breaks).",
    ),
]


def export_action(rt: App, event_key: str | None, min_minutes: int | None) -> AttendanceExport:
    """Apply pending Zoom notifications, then compute everyone's minutes and the CSV."""
    webhook_job.run(rt)
    return attendance_export(rt.store, rt.clock, event_key, min_minutes)


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

    def render(result: AttendanceExport) -> None:
        if not result.meeting_ended:
            output.warn(_("The meeting has not ended (or its end was not reported); minutes may still grow."))
        if out is None:
            sys.stdout.write(result.csv)
            return
        output.say(
            _(
                "Attendance of {people} people written to {path} ({guests} guests without registration).",
                people=result.attended,
                path=result.file,
                guests=result.guests,
            )
        )

    def action() -> AttendanceExport:
        result = export_action(runtime(), event, min_minutes)
        path = output_file(out, f"anwesenheit-{result.event}.csv")
        if path is not None:
            result = replace(result, file=str(write_text_file(path, result.csv)))
        return result

    output.run_command(as_json, action, render)


def certificates_action(rt: App, request: CertificatesRequest, send: bool) -> CertificatesResult:
    """Apply pending Zoom notifications, then write and/or mail the certificates."""
    if request.out_dir is None and not send:
        # Checked before the notifications are applied, as it always was.
        return issue_certificates(rt.store, rt.clock, request, None)
    webhook_job.run(rt)
    mailing = CertificateMailing(rt.mail_transport_factory(), rt.settings.mail_from) if send else None
    return issue_certificates(rt.store, rt.clock, request, mailing)


@app.command("certificates")
def certificates(
    out: Annotated[str | None, typer.Option("--out", help="Directory for the PDF files.")] = None,
    send: Annotated[bool, typer.Option("--send", help="Mail each certificate to its person (once).")] = False,
    min_minutes: MinMinutesOption = None,
    event: EventOption = None,
    as_json: JsonOption = False,
) -> None:
    """Certificates of attendance (PDF) for everyone above the minimum."""

    def render(result: CertificatesResult) -> None:
        output.say(
            _(
                "{count} certificates for at least {minutes} minutes.",
                count=result.certificates,
                minutes=result.min_minutes,
            )
        )
        if result.written:
            output.say(_("Written to {path}.", path=str(out)))
        mailed = result.mailing()
        if mailed is not None:
            output.say(
                _(
                    "Sent: {sent}, sent before: {before}, failed: {failed}.",
                    sent=len(mailed.sent),
                    before=len(mailed.already_sent),
                    failed=len(mailed.failed),
                )
            )
            for email in mailed.unresolved:
                output.warn(
                    _(
                        "{email}: an earlier run was interrupted while sending; check the mail server "
                        "before sending again.",
                        email=email,
                    )
                )
            for email, reason in mailed.failed.items():
                output.warn(f"{email}: {reason}")

    def action() -> CertificatesResult:
        out_dir = output_directory(out) if out is not None else None
        return certificates_action(runtime(), CertificatesRequest(event, min_minutes, out_dir), send)

    output.run_command(as_json, action, render)


RECONCILE_WAIT_SECONDS = 120.0


def reconcile_action(rt: App, event_key: str | None) -> ReconcileResult:
    """Apply pending Zoom notifications, then merge Zoom's participant report with them."""
    webhook_job.run(rt)
    # A reconcile is short: wait for one that is already running rather than refuse.
    return reconcile_attendance(rt.store, rt.zoom, rt.clock, event_key, wait_seconds=RECONCILE_WAIT_SECONDS)


@app.command("reconcile")
def reconcile(event: EventOption = None, as_json: JsonOption = False) -> None:
    """Read Zoom's participant report and merge it with the webhooks (safe to repeat)."""

    def render(result: ReconcileResult) -> None:
        output.say(
            _(
                "{rows} report rows read: {added} marks added, {known} already known.",
                rows=result.report_rows,
                added=result.marks_added,
                known=result.already_known,
            )
        )
        if result.skipped:
            output.warn(
                _("{count} report rows without join or leave time were skipped.", count=result.skipped)
            )

    output.run_command(as_json, lambda: reconcile_action(runtime(), event), render)
