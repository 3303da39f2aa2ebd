"""``orchestrator registrants``: Registrations: import, sync with Zoom, cancel, report."""

from __future__ import annotations

import typer

app = typer.Typer(help="Registrations: import, sync with Zoom, cancel, report.", no_args_is_help=True)
