"""Options shared by many commands."""

from __future__ import annotations

from typing import Annotated

import typer

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
EventOption = Annotated[
    str | None,
    typer.Option("--event", metavar="KEY", help="Event key (needed when the store holds several)."),
]
AllowPastOption = Annotated[
    bool, typer.Option("--allow-past", help="Accept an event that lies in the past (rehearsals).")
]
