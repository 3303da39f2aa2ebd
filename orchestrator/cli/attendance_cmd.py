"""``orchestrator attendance``: Attendance after the event."""

from __future__ import annotations

import typer

app = typer.Typer(help="Attendance after the event.", no_args_is_help=True)
