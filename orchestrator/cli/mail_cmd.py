"""``orchestrator mail``: Participant mails: preview, schedule, send, status."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from orchestrator.cli import output
from orchestrator.cli.options import EventOption, JsonOption
from orchestrator.cli.state import runtime
from orchestrator.errors import BadInput
from orchestrator.i18n import N_, _
from orchestrator.jobs.mail import mail_service
from orchestrator.mail.results import HoldResult, PreviewResult, ScheduleResult, SendDueResult, StatusResult
from orchestrator.outpaths import output_directory

app = typer.Typer(help="Participant mails: preview, schedule, send, status, hold.", no_args_is_help=True)

STATE_LABELS = {
    "queued": N_("queued"),
    "claimed": N_("claimed"),
    "sending": N_("sending"),
    "sent": N_("sent"),
    "failed": N_("failed"),
    "skipped": N_("skipped"),
    "cancelled": N_("cancelled"),
}
OCCASION_LABELS = {
    "confirmation": N_("Confirmation"),
    "reminder": N_("Reminder ({offset} before)"),
    "breakout": N_("Breakout room, round {round}"),
    "thank_you": N_("Thank-you"),
}


def occasion_label(occasion: str) -> str:
    """ "Erinnerung (1d vorher)" / "Breakout-Raum, Runde 1" for an occasion key."""
    head, _sep, tail = occasion.partition(":")
    if head == "reminder":
        return _(OCCASION_LABELS[head], offset=tail)
    if head == "breakout":
        return _(OCCASION_LABELS[head], round=tail)
    return _(OCCASION_LABELS[head]) if head in OCCASION_LABELS else occasion


def _local(when: datetime | None, tz: str) -> str:
    return when.astimezone(ZoneInfo(tz)).strftime("%d.%m.%Y %H:%M") if when else "-"


# -- preview -------------------------------------------------------------------------------------
@app.command("preview")
def preview(
    kind: Annotated[str, typer.Option("--kind", help="confirmation | reminder | breakout_room | thank_you")],
    lang: Annotated[str, typer.Option("--lang", help="de | en")] = "de",
    to: Annotated[str | None, typer.Option("--to", metavar="EMAIL", help="Render for this person.")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Directory for the files.")] = Path("mail-preview"),
    event: EventOption = None,
    as_json: JsonOption = False,
) -> None:
    """Render one mail into files (subject, text, HTML, .ics, .eml); opens nothing."""

    def action() -> PreviewResult:
        if lang not in ("de", "en"):
            raise BadInput(_("Unknown language {lang}; use de or en.", lang=lang))
        rt = runtime()
        out = output_directory(out_dir)
        from orchestrator.mail.preview import PreviewRequest

        request = PreviewRequest(kind, "en" if lang == "en" else "de", to, out)
        return mail_service(rt).preview(event, request)

    def render(result: PreviewResult) -> None:
        output.say(_("Preview written:"))
        for path in result.files:
            output.say(f"  {path}")

    output.run_command(as_json, action, render)


# -- schedule ------------------------------------------------------------------------------------
@app.command("schedule")
def schedule_cmd(event: EventOption = None, as_json: JsonOption = False) -> None:
    """Show what goes out when: each mail with due time, latest useful time and counts."""

    def render(result: ScheduleResult) -> None:
        tz = result.timezone
        rows = []
        for line in result.mails:
            states = line.states
            due = _local(line.due_at, tz) if line.due_at else _("on registration")
            rows.append(
                (
                    occasion_label(line.occasion),
                    due,
                    _local(line.deadline, tz),
                    line.waiting,
                    states["sent"],
                    states["skipped"],
                    states["failed"],
                )
            )
        columns = [_("Mail"), _("Due"), _("Latest"), _("queued"), _("sent"), _("skipped"), _("failed")]
        output.table(_("Mail schedule ({tz})", tz=tz), columns, rows)

    output.run_command(as_json, lambda: mail_service(runtime()).schedule(event), render)


# -- send-due ------------------------------------------------------------------------------------
@app.command("send-due")
def send_due(event: EventOption = None, as_json: JsonOption = False) -> None:
    """One pass: plan the outbox and send every mail that is due now."""

    def render(result: SendDueResult) -> None:
        output.say(
            _(
                "{sent} sent, {deferred} to retry later, {failed} failed, {skipped} skipped (too late).",
                sent=result.sent,
                deferred=result.deferred,
                failed=result.failed,
                skipped=result.skipped_total,
            )
        )
        for occasion, count in sorted(result.sent_by_occasion.items()):
            output.say(f"  {occasion_label(occasion)}: {count}")
        if result.resent_after_crash:
            output.warn(
                _(
                    "{count} mails were interrupted by a crash and sent again; at most one of"
                    " them per crash can reach its recipient twice (see 'orchestrator mail status').",
                    count=result.resent_after_crash,
                )
            )
        for failure in result.failures[:20]:
            output.warn(failure.reason)

    output.run_command(as_json, lambda: mail_service(runtime()).send_due(event), render)


# -- status --------------------------------------------------------------------------------------
@app.command("status")
def status_cmd(event: EventOption = None, as_json: JsonOption = False) -> None:
    """Counts per mail kind and state; failures with the server's reason."""

    def render(result: StatusResult) -> None:
        states = list(STATE_LABELS)
        rows = [
            (kind, *(counts.get(state, 0) for state in states)) for kind, counts in result.by_kind.items()
        ]
        output.table(None, [_("Kind"), *(_(STATE_LABELS[s]) for s in states)], rows)
        for reason, count in sorted(result.reasons.items()):
            output.say(f"{reason}: {count}")
        if result.crash_resends:
            output.say(_("Sent again after a crash: {count}", count=result.crash_resends))
        if result.failures:
            output.table(
                _("Failures"),
                [_("E-mail"), _("Mail"), _("Attempts"), _("Reason")],
                [(f.email, occasion_label(f.occasion), f.attempts, f.reason or "") for f in result.failures],
            )

    output.run_command(as_json, lambda: mail_service(runtime()).status(event), render)


# -- hold / release ------------------------------------------------------------------------------
KindArgument = Annotated[str, typer.Argument(help="confirmation | reminder | breakout_room | thank_you")]


def _hold(kind: str, event: str | None, as_json: bool, *, held: bool) -> None:
    def render(result: HoldResult) -> None:
        if held:
            text = _(
                "{kind} mails are held: none is sent until released ({queued} queued).",
                kind=result.kind,
                queued=result.queued,
            )
        else:
            text = _(
                "{kind} mails are released: the next dispatch sends what is due ({queued} queued).",
                kind=result.kind,
                queued=result.queued,
            )
        output.say(text if result.changed else _("Nothing changed.") + " " + text)

    output.run_command(
        as_json,
        lambda: mail_service(runtime()).set_hold(event, kind, held=held, by="command line"),
        render,
    )


@app.command("hold")
def hold_cmd(kind: KindArgument, event: EventOption = None, as_json: JsonOption = False) -> None:
    """Hold back one mail kind: nothing of it is sent (by 'run' or 'send-due') until released."""
    _hold(kind, event, as_json, held=True)


@app.command("release")
def release_cmd(kind: KindArgument, event: EventOption = None, as_json: JsonOption = False) -> None:
    """Release a held mail kind: the next dispatch sends what is due (overdue mails are skipped)."""
    _hold(kind, event, as_json, held=False)
