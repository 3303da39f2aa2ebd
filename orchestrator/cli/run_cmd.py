"""``orchestrator run``: the long-running service."""

from __future__ import annotations

import typer


def run() -> None:
    """Run the service (scheduler jobs and HTTP)."""
    raise typer.Exit(1)
