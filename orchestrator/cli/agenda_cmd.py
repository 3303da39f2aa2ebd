"""``orchestrator agenda``: check an agenda file and show its programme."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from orchestrator.agenda import load_agenda, programme_rows, to_summary_dict
from orchestrator.cli import output
from orchestrator.cli.options import AllowPastOption, JsonOption
from orchestrator.cli.state import runtime
from orchestrator.i18n import _

app = typer.Typer(help="Agenda files.", no_args_is_help=True)


@app.command("check")
def check(
    path: Annotated[Path, typer.Argument(help="Agenda file (YAML).")],
    allow_past: AllowPastOption = False,
    as_json: JsonOption = False,
) -> None:
    """Validate an agenda file and print the programme as a table."""

    def action() -> dict[str, Any]:
        loaded = load_agenda(
            path,
            now=runtime().clock.now(),
            allow_past=allow_past,
            default_timezone=runtime().settings.timezone,
        )
        return {
            "agenda": to_summary_dict(loaded.agenda),
            "programme": [list(row) for row in programme_rows(loaded.agenda)],
            "warnings": loaded.warnings,
        }

    def render(result: dict[str, Any]) -> None:
        output.say(f"{result['agenda']['title']} ({result['agenda']['key']})")
        output.table(None, [_("Time"), _("Kind"), _("Title"), _("Speakers / rooms")], result["programme"])
        for warning in result["warnings"]:
            output.warn(warning)
        output.say(_("The agenda is valid."))

    output.run_command(as_json, action, render)
