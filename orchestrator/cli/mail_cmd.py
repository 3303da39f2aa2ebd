"""``orchestrator mail``: Participant mails: preview, schedule, send, status."""

from __future__ import annotations

import typer

app = typer.Typer(help="Participant mails: preview, schedule, send, status.", no_args_is_help=True)
