"""The root ``orchestrator`` command: global options and the command groups."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from orchestrator.cli import (
    agenda_cmd,
    attendance_cmd,
    breakouts_cmd,
    db_cmd,
    demo_cmd,
    mail_cmd,
    meeting_cmd,
    output,
    person_cmd,
    registrants_cmd,
    run_cmd,
    users_cmd,
    zoom_cmd,
)
from orchestrator.cli.state import runtime
from orchestrator.errors import OrchestratorError
from orchestrator.i18n import SUPPORTED_LANGUAGES, set_language
from orchestrator.logsafety import configure_logging

app = typer.Typer(
    name="orchestrator",
    help="Runs an online event (Fachtag) on Zoom from one agenda file.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(agenda_cmd.app, name="agenda")
app.add_typer(db_cmd.app, name="db")
app.add_typer(meeting_cmd.app, name="meeting")
app.add_typer(registrants_cmd.app, name="registrants")
app.add_typer(mail_cmd.app, name="mail")
app.add_typer(breakouts_cmd.app, name="breakouts")
app.add_typer(attendance_cmd.app, name="attendance")
app.add_typer(person_cmd.app, name="person")
app.add_typer(users_cmd.app, name="users")
app.add_typer(zoom_cmd.app, name="zoom")
app.command("run")(run_cmd.run)
app.command("demo")(demo_cmd.demo)


@app.callback()
def root(
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="More log output (-v, -vv).")
    ] = 0,
    log_json: Annotated[bool, typer.Option("--log-json", help="Logs as JSON lines on stderr.")] = False,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language of messages: de (default) or en.")
    ] = None,
) -> None:
    """Global options; settings come from ORCHESTRATOR_* variables and .env."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    configure_logging(level, json_lines=log_json)
    if lang is not None and lang not in SUPPORTED_LANGUAGES:
        raise typer.BadParameter(f"{lang!r}: de | en", param_hint="--lang")
    try:
        set_language(lang or runtime().settings.language)
    except OrchestratorError as error:
        output.fail(error, as_json=False)


def main() -> None:
    app()
