"""``orchestrator registrants``: import, list, sync with Zoom, cancel, report, show.

Thin commands over :mod:`orchestrator.registrants.service`. Join links never appear in tables or
``--json`` output; ``show EMAIL --reveal-link`` prints one on explicit request.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from orchestrator.cli import output
from orchestrator.cli.options import EventOption, JsonOption
from orchestrator.cli.state import runtime
from orchestrator.db.lease import LeaseInfo
from orchestrator.errors import BadInput
from orchestrator.i18n import _
from orchestrator.jobs.registrants import zoom_access
from orchestrator.registrants.context import Progress as ProgressCallback
from orchestrator.registrants.report import STATES
from orchestrator.registrants.results import (
    CancelResult,
    ImportResult,
    PersonDetail,
    RegistrantList,
    RegistrationReport,
    SyncResult,
)
from orchestrator.registrants.service import (
    ImportOptions,
    SyncOptions,
    cancel_registrations,
    import_registrations,
    list_registrants,
    report_registrants,
    show_registrant,
    sync_registrants,
)
from orchestrator.results import OMIT

app = typer.Typer(help="Registrations: import, sync with Zoom, cancel, report.", no_args_is_help=True)


# --- import ----------------------------------------------------------------------------------


def _render_import(result: ImportResult) -> None:
    counts = result.counts
    if result.dry_run:
        output.say(_("Dry run: nothing was changed. This is what the import would do."))
    output.say(
        _(
            "{file}: {rows} rows read, {rejected} rejected, {people} people ({merged} rows merged as "
            "duplicates).",
            file=result.file,
            rows=counts.rows_read,
            rejected=counts.rows_rejected,
            people=counts.people,
            merged=counts.merged_rows,
        )
    )
    if result.rejected:
        output.table(
            _("Rejected rows (not imported)"),
            [_("Row"), _("Column"), _("Reason"), _("Value")],
            [(r.row, r.column or "-", r.reason, r.value) for r in result.rejected],
        )
    for merge in result.merges:
        output.say(merge.message)
    for warning in result.warnings:
        output.warn(warning.message)
    if result.unmapped_headers:
        output.warn(
            _("Columns not used: {columns}", columns=", ".join(f"'{h}'" for h in result.unmapped_headers))
        )
    output.table(
        None,
        [_("Added"), _("Updated"), _("Unchanged"), _("Missing from the file"), _("Cancelled")],
        [
            (
                counts.added,
                counts.updated,
                counts.unchanged,
                counts.missing,
                counts.cancelled_missing,
            )
        ],
    )
    if result.missing and not result.cancelled_missing:
        output.warn(
            _(
                "{count} people are in the store but not in this file; they were kept: {emails}. "
                "Use --cancel-missing to cancel them.",
                count=len(result.missing),
                emails=", ".join(result.missing),
            )
        )
    if result.cancelled_missing and not result.dry_run:
        output.say(_("The next 'orchestrator registrants sync' cancels their Zoom registrations."))
    if result.still_cancelled:
        output.say(
            _(
                "{count} people in the file were cancelled earlier and stay cancelled.",
                count=len(result.still_cancelled),
            )
        )


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="Registration export (CSV or XLSX).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; change nothing.")
    ] = False,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", metavar="COLUMN=FIELD", help='Name a column, e.g. --map "E-Mail=email".'),
    ] = None,
    encoding: Annotated[str | None, typer.Option("--encoding", help="Encoding of a CSV file.")] = None,
    cancel_missing: Annotated[
        bool, typer.Option("--cancel-missing", help="Cancel people who are no longer in the file.")
    ] = False,
    event: EventOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import the registration export: one transaction, a report of every row that was not used."""

    def action() -> ImportResult:
        from orchestrator.registrants.headers import parse_map_option

        overrides = dict(parse_map_option(option) for option in mapping or [])
        options = ImportOptions(
            overrides=overrides, encoding=encoding, dry_run=dry_run, cancel_missing=cancel_missing
        )
        app = runtime()
        return import_registrations(app.store, app.clock, event, path, options)

    output.run_command(as_json, action, _render_import)


# --- list ------------------------------------------------------------------------------------


@app.command("list")
def list_(
    status: Annotated[
        list[str] | None,
        typer.Option("--status", help=f"Only people in this state ({', '.join(STATES)}); repeatable."),
    ] = None,
    event: EventOption = None,
    as_json: JsonOption = False,
) -> None:
    """The people of the event and their registration state (no join links)."""

    def render(result: RegistrantList) -> None:
        rows = [
            (p.email, p.name, p.organisation or "", p.source, _(STATES[p.state]), p.error or "")
            for p in result.people
        ]
        output.table(
            None, [_("E-mail"), _("Name"), _("Organisation"), _("Source"), _("State"), _("Problem")], rows
        )
        output.say(_("{count} people.", count=len(rows)))

    output.run_command(as_json, lambda: list_registrants(runtime().store, event, status or None), render)


# --- sync ------------------------------------------------------------------------------------


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[ProgressCallback | None]:
    if not enabled:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=output.err_console, transient=True) as bar:
        task = bar.add_task(_("Registering with Zoom"), total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def _render_sync(result: SyncResult) -> None:
    for warning in result.warnings:
        output.warn(warning)
    output.say(
        _(
            "{registered} people registered with Zoom, {resolved} confirmed from an interrupted run, "
            "{pulled} registrations from the Zoom page added, {approved} approved, {cancelled} cancelled.",
            registered=result.registered,
            resolved=result.resolved_after_interruption,
            pulled=len(result.pulled_in_from_zoom),
            approved=result.approved,
            cancelled=len(result.cancelled),
        )
    )
    for failure in result.failed:
        output.warn(_("{email}: {reason}", email=failure.email, reason=failure.reason))
    output.table(None, [_("State"), _("People")], sorted(result.states.items()))


DEFAULT_SYNC_WAIT_SECONDS = 300


def _say_waiting(wait_seconds: float) -> Callable[[LeaseInfo], None]:
    def say(info: LeaseInfo) -> None:  # on stderr: stdout stays clean for --json
        output.err_console.print(
            _(
                "Another Zoom sync of this event is running ({holder}); waiting up to {seconds} s for it "
                "to finish.",
                holder=info.describe(),
                seconds=round(wait_seconds),
            ),
            markup=False,
        )

    return say


@app.command("sync")
def sync(
    wait: Annotated[
        float,
        typer.Option(
            "--wait",
            metavar="SECONDS",
            min=0,
            help="When another sync of the event is running, wait this long for it (0: give up at once).",
        ),
    ] = DEFAULT_SYNC_WAIT_SECONDS,
    event: EventOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register everyone with Zoom exactly once; safe to interrupt and run again.

    One sync per event runs at a time (across processes); a second one waits for the first.
    """

    def action() -> SyncResult:
        with _progress_bar(not as_json and output.err_console.is_terminal) as progress:
            options = SyncOptions(
                progress=progress,
                wait_seconds=wait,
                on_wait=_say_waiting(wait),
                purpose="orchestrator registrants sync",
            )
            return sync_registrants(zoom_access(runtime()), event, options)

    output.run_command(as_json, action, _render_sync)


# --- cancel ----------------------------------------------------------------------------------


@app.command("cancel")
def cancel(
    email: Annotated[str | None, typer.Argument(help="E-mail address of the person to cancel.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="File of addresses (one per line, or an export).")
    ] = None,
    event: EventOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cancel people; their Zoom registration is cancelled too (the join link stops working)."""

    def action() -> CancelResult:
        if email is not None and file is None:
            emails = [email]
        elif file is not None and email is None:
            from orchestrator.registrants.email_file import read_email_file

            emails = read_email_file(file)
        else:
            raise BadInput(_("Give either one e-mail address or --file FILE."))
        return cancel_registrations(zoom_access(runtime()), event, emails)

    def render(result: CancelResult) -> None:
        for address in result.cancelled_in_zoom:
            output.say(_("{email}: cancelled, also in Zoom.", email=address))
        for address in result.cancelled_locally:
            output.say(_("{email}: cancelled (was not registered with Zoom).", email=address))
        for address in result.in_flight:
            output.say(_("{email}: cancelled; the next sync cancels the Zoom registration.", email=address))
        for address in result.already_cancelled:
            output.say(_("{email}: was already cancelled.", email=address))
        for address in result.unknown:
            output.warn(_("{email}: no such registrant.", email=address))

    output.run_command(as_json, action, render)


# --- report / show ---------------------------------------------------------------------------


@app.command("report")
def report(event: EventOption = None, as_json: JsonOption = False) -> None:
    """Per-state counts, everyone not registered and why, and failed Zoom calls."""

    def render(result: RegistrationReport) -> None:
        output.say(_("{count} people in event {event}.", count=result.people, event=result.event))
        output.table(
            None,
            [_("State"), _("People")],
            [(_(STATES[state]), count) for state, count in result.states.items() if count],
        )
        if result.problems:
            output.table(
                _("Not registered with Zoom"),
                [_("E-mail"), _("Name"), _("Reason")],
                [(p.email, p.name, p.reason) for p in result.problems],
            )
        if result.failed_zoom_calls:
            output.table(
                _("Failed Zoom calls (most recent first)"),
                [_("Time"), _("Call"), _("Outcome"), _("Message")],
                [
                    (c.at.strftime("%d.%m.%Y %H:%M:%S"), c.action, c.outcome, c.message or "")
                    for c in result.failed_zoom_calls
                ],
            )

    output.run_command(as_json, lambda: report_registrants(runtime().store, event), render)


@app.command("show")
def show(
    email: Annotated[str, typer.Argument(help="E-mail address.")],
    reveal_link: Annotated[
        bool, typer.Option("--reveal-link", help="Also print the personal join link (a credential).")
    ] = False,
    event: EventOption = None,
    as_json: JsonOption = False,
) -> None:
    """One person's data and registration; the join link only with --reveal-link."""

    def render(result: PersonDetail) -> None:
        rows = [
            (item.name, "" if value is None else str(value))
            for item in dataclasses.fields(result)
            if item.name != "join_url" and (value := getattr(result, item.name)) is not OMIT
        ]
        output.table(None, ["", ""], rows)
        if reveal_link:
            output.say(_("Personal join link: {url}", url=result.join_url or "-"))

    output.run_command(
        as_json, lambda: show_registrant(runtime().store, event, email, reveal_link=reveal_link), render
    )
