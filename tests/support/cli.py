"""Invoke the CLI in process with a clean runtime and chosen environment."""

from __future__ import annotations

from click.testing import Result
from typer.testing import CliRunner

from orchestrator.cli import app
from orchestrator.cli import state as cli_state


def invoke(args: list[str], env: dict[str, str]) -> Result:
    """Run ``orchestrator ARGS`` with ``env`` (settings are read afresh for every call)."""
    cli_state.set_runtime(None)
    try:
        return CliRunner().invoke(app, args, env=env, catch_exceptions=False)
    finally:
        current = cli_state._current
        if current is not None:
            current.close()
        cli_state.set_runtime(None)
