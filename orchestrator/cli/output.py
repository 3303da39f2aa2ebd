"""Printing results for people (rich tables, German by default) or machines (``--json``).

Every command runs inside :func:`run_command`, which maps our errors to exit codes:
0 success, 1 failed operation, 2 bad input (typer's own usage errors also exit 2).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from orchestrator.errors import BadInput, OrchestratorError
from orchestrator.i18n import _
from orchestrator.logsafety import redact
from orchestrator.results import to_jsonable

log = logging.getLogger(__name__)

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(payload), ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def fail(error: OrchestratorError, as_json: bool) -> NoReturn:
    """Report ``error`` and exit with its code."""
    message = redact(str(error))
    if as_json:
        emit_json(
            {
                "ok": False,
                "error": {
                    "message": redact(error.message),
                    "details": error.details,
                    "kind": "bad_input" if isinstance(error, BadInput) else "failed",
                },
            }
        )
    else:
        err_console.print(Text.assemble((f"{_('Error')}: ", "bold red"), message))
    raise typer.Exit(error.exit_code)


def run_command(
    as_json: bool, action: Callable[[], Any], render: Callable[[Any], None] | None = None
) -> None:
    """Run ``action``; print its result as JSON (``--json``) or through ``render``."""
    try:
        result = action()
    except OrchestratorError as error:
        fail(error, as_json)
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        err_console.print(_("Interrupted."))
        raise typer.Exit(130) from None
    except Exception as error:  # a bug or an unexpected failure: exit 1, no traceback for organisers
        log.debug("unexpected error", exc_info=True)
        fail(
            OrchestratorError(_("Unexpected error: {error}", error=f"{type(error).__name__}: {error}")),
            as_json,
        )
    if as_json:
        emit_json({"ok": True, "result": result})
    elif render is not None:
        render(result)


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Print a simple table."""
    grid = Table(title=title, show_lines=False, header_style="bold")
    for column in columns:
        grid.add_column(column)
    for row in rows:
        grid.add_row(*["" if cell is None else str(cell) for cell in row])
    console.print(grid)


def say(text: str) -> None:
    console.print(text, markup=False)


def warn(text: str) -> None:
    err_console.print(Text.assemble((f"{_('Warning')}: ", "yellow"), text))
