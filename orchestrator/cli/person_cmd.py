"""``orchestrator person``: Personal data: export and forget."""

from __future__ import annotations

import typer

app = typer.Typer(help="Personal data: export and forget.", no_args_is_help=True)
