"""The root ``orchestrator`` command: global options and the command groups, loaded on demand.

A command imports only what it uses: the root knows each group's module by name and loads it
when that group runs (``orchestrator --help`` lists them from the table below without importing
any). So ``agenda check`` never loads the solver, the web stack or the migrations.
"""

from __future__ import annotations

import importlib
import logging
from typing import Annotated, Any, cast

import typer
from typer import _click  # typer vendors click; its group API takes that click's Context
from typer.core import TyperCommand, TyperGroup

from orchestrator.cli import output
from orchestrator.cli.state import runtime
from orchestrator.errors import OrchestratorError
from orchestrator.i18n import SUPPORTED_LANGUAGES, set_language
from orchestrator.logsafety import configure_logging

# name → (module, attribute, one-line help). A group's attribute is its ``typer.Typer``; a single
# command's is the command function. The help texts repeat the modules' own, so listing the
# commands imports nothing (a test checks that both agree).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "agenda": ("orchestrator.cli.agenda_cmd", "app", "Agenda files."),
    "db": ("orchestrator.cli.db_cmd", "app", "The store (database)."),
    "meeting": ("orchestrator.cli.meeting_cmd", "app", "The event's Zoom meeting."),
    "registrants": (
        "orchestrator.cli.registrants_cmd",
        "app",
        "Registrations: import, sync with Zoom, cancel, report.",
    ),
    "mail": ("orchestrator.cli.mail_cmd", "app", "Participant mails: preview, schedule, send, status, hold."),
    "breakouts": ("orchestrator.cli.breakouts_cmd", "app", "Breakout rooms: plan, export, apply, moderate."),
    "attendance": ("orchestrator.cli.attendance_cmd", "app", "Attendance after the event."),
    "person": ("orchestrator.cli.person_cmd", "app", "Personal data: export and forget."),
    "users": ("orchestrator.cli.users_cmd", "app", "Web interface: accounts and moderator links."),
    "zoom": ("orchestrator.cli.zoom_cmd", "app", "Zoom tools."),
    "run": (
        "orchestrator.cli.run_cmd",
        "run",
        "Run the service: Zoom sync, mail dispatch and breakout apply on a schedule; HTTP for webhooks.",
    ),
    "demo": (
        "orchestrator.cli.demo_cmd",
        "demo",
        "Run the sample Fachtag end to end: built-in Zoom emulator, SQLite, mails as .eml files.",
    ),
}


def load_command(name: str) -> TyperCommand | TyperGroup:
    """Import the module behind ``name`` and build its command (a group or a single one)."""
    module_name, attribute, _help = COMMANDS[name]
    target: Any = getattr(importlib.import_module(module_name), attribute)
    command: TyperCommand | TyperGroup
    if isinstance(target, typer.Typer):
        command = typer.main.get_group(target)
    else:
        single = typer.Typer()
        single.command(name)(target)
        command = cast(TyperCommand, typer.main.get_command(single))
    command.name = name
    return command


class LazyCommands(TyperGroup):
    """The root group: lists commands from ``COMMANDS`` and imports one only when it runs."""

    _listing = False

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: _click.Context, cmd_name: str) -> TyperCommand | TyperGroup | None:
        if cmd_name not in COMMANDS:
            return None
        if self._listing:  # help output needs names and one-line helps only
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name][2])
        return load_command(cmd_name)

    def format_help(self, ctx: _click.Context, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="orchestrator",
    help="Runs an online event (Fachtag) on Zoom from one agenda file.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=LazyCommands,
)


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
