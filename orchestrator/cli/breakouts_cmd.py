"""``orchestrator breakouts``: Breakout rooms: plan, export, apply, moderate."""

from __future__ import annotations

import typer

app = typer.Typer(help="Breakout rooms: plan, export, apply, moderate.", no_args_is_help=True)
