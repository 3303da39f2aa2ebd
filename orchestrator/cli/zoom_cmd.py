"""``orchestrator zoom``: the built-in Zoom emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from orchestrator.cli import output
from orchestrator.errors import OrchestratorError

app = typer.Typer(help="Zoom tools.", no_args_is_help=True)

Plan = Literal["free", "pro", "business", "enterprise"]


@app.command("emulator")
def emulator(
    port: Annotated[int, typer.Option("--port", help="TCP port on 127.0.0.1.")] = 8765,
    state: Annotated[
        Path | None, typer.Option("--state", help="Keep the emulator's state in this file.")
    ] = None,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            "--fault",
            help="Inject faults, e.g. '429:0.1', '500:count=3:path=/v2/meetings/*', 'slow:delay=2', "
            "'token-expired:count=1' (repeatable).",
        ),
    ] = None,
    plan: Annotated[
        str, typer.Option("--plan", help="Account plan for rate limits: free, pro, business, enterprise.")
    ] = "pro",
    rate_limits: Annotated[
        bool, typer.Option("--rate-limits/--no-rate-limits", help="Answer 429 above the plan's limits.")
    ] = True,
) -> None:
    """Serve the built-in Zoom emulator on loopback: REST under /v2, token endpoint at /oauth/token."""
    from orchestrator.zoom.emulator import EmulatorConfig, main_serve

    if plan not in ("free", "pro", "business", "enterprise"):
        raise typer.BadParameter(f"{plan!r}: free | pro | business | enterprise", param_hint="--plan")
    chosen: Plan = plan  # type: ignore[assignment]
    try:
        main_serve(
            port=port,
            state_path=state,
            fault_specs=list(fault or []),
            plan=chosen,
            config=EmulatorConfig(plan=chosen, enforce_rate_limits=rate_limits),
            echo=output.say,
        )
    except OrchestratorError as error:
        output.fail(error, as_json=False)
