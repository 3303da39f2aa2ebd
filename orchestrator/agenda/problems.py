"""Problems found in an agenda file and the error that carries them to the organiser."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from orchestrator.errors import BadInput
from orchestrator.i18n import _

Loc = tuple[str | int, ...]


def format_path(loc: Loc) -> str:
    """``("breakout_rounds", 0, "rooms", 2)`` -> ``"breakout_rounds[0].rooms[2]"``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass(frozen=True)
class AgendaProblem:
    """One problem: the field path (``""`` for the whole file), the YAML line (1-based) and why."""

    path: str
    line: int | None
    message: str
    column: int | None = None

    def format(self, source: str) -> str:
        """``config/x.yaml:12: breakout_rounds[0].rooms[2].capacity: must be at least 1``."""
        where = source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class AgendaError(BadInput):
    """The agenda file cannot be used; ``problems`` lists every problem found (not just the first)."""

    def __init__(self, source: str, problems: Sequence[AgendaProblem]) -> None:
        self.source = source
        self.problems: list[AgendaProblem] = list(problems)
        if len(self.problems) == 1:
            header = _("The agenda {source} has a problem:", source=source)
        else:
            header = _("The agenda {source} has {count} problems:", source=source, count=len(self.problems))
        super().__init__(header, details=[problem.format(source) for problem in self.problems])
