"""``orchestrator zoom``: the built-in Zoom emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orchestrator.cli import output
from orchestrator.i18n import _

app = typer.Typer(help="Zoom tools.", no_args_is_help=True)


@app.command("emulator")
def emulator(
    port: Annotated[int, typer.Option("--port", help="TCP port on 127.0.0.1.")] = 8765,
    state: Annotated[Path | None, typer.Option("--state", help="Keep the emulator's state in this file.")] = None,
    fault: Annotated[
        list[str] | None,
        typer.Option("--fault", help="Inject faults, e.g. '429:0.1', '500:count=3', 'slow:delay=2', 'token-expired:count=1'."),
    ] = None,
    plan: Annotated[str, typer.Option("--plan", help="Account plan for rate limits (free, pro, business).")] = "pro",
    rate_limits: Annotated[bool, typer.Option("--rate-limits/--no-rate-limits", help="Answer 429 above the plan's limits.")] = False,
) -> None:
    """Serve the built-in Zoom emulator on loopback: REST under /v2, token endpoint at /oauth/token."""
    from orchestrator.zoom.emulator import main_serve

    output.say(_("Zoom emulator on http://127.0.0.1:{port} (API: /v2, token: /oauth/token). Stop with Ctrl+C.", port=port))
    main_serve(port=port, state_path=state, faults=list(fault or []), plan=plan, rate_limits=rate_limits)
