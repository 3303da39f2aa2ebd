"""Command line interface: ``orchestrator …``."""

from orchestrator.cli.app import app, main

__all__ = ["app", "main"]
