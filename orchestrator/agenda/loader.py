"""Load an agenda file: YAML with line numbers -> model -> cross-field rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from orchestrator.agenda.model import Agenda
from orchestrator.agenda.problems import AgendaError, AgendaProblem, format_path
from orchestrator.agenda.pydantic_messages import problems_from
from orchestrator.agenda.validation import check_agenda
from orchestrator.agenda.yamlsource import LineMap, parse_yaml
from orchestrator.i18n import _


@dataclass(frozen=True)
class LoadedAgenda:
    """A valid agenda, the warnings found while loading it, and where it came from.

    ``is_past`` is true when the event starts before ``now``. A past start is only a warning (the
    text is in ``warnings`` unless ``allow_past`` was given); commands that change Zoom must refuse a
    past event unless the organiser passed ``--allow-past`` (rehearsals). ``is_over`` is true when
    the event has ended; a service restarted *during* the event sees ``is_past`` but not ``is_over``.
    """

    agenda: Agenda
    warnings: list[str]
    source: Path
    is_past: bool = False
    is_over: bool = False
    allow_past: bool = False

    def ensure_may_change_zoom(self) -> None:
        """Raise :class:`AgendaError` for a past event loaded without ``allow_past``."""
        if self.is_past and not self.allow_past:
            raise AgendaError(
                str(self.source),
                [
                    AgendaProblem(
                        "start",
                        None,
                        _(
                            "the event starts in the past ({start}); pass --allow-past to change Zoom "
                            "anyway (for a rehearsal)",
                            start=self.agenda.start.strftime("%Y-%m-%d %H:%M"),
                        ),
                    )
                ],
            )


def _problem(source_lines: LineMap, loc: tuple[str | int, ...], message: str) -> AgendaProblem:
    return AgendaProblem(format_path(loc), source_lines.line_for(loc), message)


def _validate(
    text: str, source_name: str, now: dt.datetime, allow_past: bool, default_timezone: str | None
) -> tuple[Agenda, list[AgendaProblem]]:
    parsed = parse_yaml(text)
    problems = list(parsed.problems)
    if parsed.data is None and problems:
        raise AgendaError(source_name, problems)
    if parsed.data is None:
        raise AgendaError(source_name, [AgendaProblem("", None, _("the agenda file is empty"))])
    if not isinstance(parsed.data, dict):
        raise AgendaError(
            source_name,
            [AgendaProblem("", 1, _("the agenda must be a mapping of fields (key: value) at the top level"))],
        )
    if default_timezone and "timezone" not in parsed.data:
        parsed.data["timezone"] = default_timezone
    try:
        agenda = Agenda.model_validate(parsed.data)
    except ValidationError as exc:
        problems += [_problem(parsed.lines, loc, message) for loc, message in problems_from(exc, Agenda)]
        raise AgendaError(source_name, problems) from None
    result = check_agenda(agenda, now=now, allow_past=allow_past)
    problems += [_problem(parsed.lines, finding.loc, finding.message) for finding in result.problems]
    if problems:
        raise AgendaError(source_name, problems)
    warnings = [_problem(parsed.lines, finding.loc, finding.message) for finding in result.warnings]
    return agenda, warnings


def parse_agenda_text(
    text: str,
    source_name: str = "<agenda>",
    *,
    now: dt.datetime | None = None,
    allow_past: bool = False,
    source: Path | None = None,
    default_timezone: str | None = None,
) -> LoadedAgenda:
    """Parse and validate agenda YAML ``text``; ``source_name`` appears in messages.

    Raises :class:`AgendaError` listing every problem (with field path and YAML line; syntax errors
    with line and column). ``now`` (aware) decides whether the event is in the past; default: the
    system clock. ``default_timezone`` (the ``ORCHESTRATOR_TIMEZONE`` setting) applies when the file
    names no ``timezone``.
    """
    moment = now if now is not None else dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    agenda, warnings = _validate(text, source_name, moment, allow_past, default_timezone)
    return LoadedAgenda(
        agenda=agenda,
        warnings=[warning.format(source_name) for warning in warnings],
        source=source if source is not None else Path(source_name),
        is_past=agenda.start_utc < moment,
        is_over=agenda.end_utc <= moment,
        allow_past=allow_past,
    )


def load_agenda(
    path: Path,
    *,
    now: dt.datetime | None = None,
    allow_past: bool = False,
    default_timezone: str | None = None,
) -> LoadedAgenda:
    """Load and validate the agenda file at ``path`` (UTF-8, BOM allowed). See :func:`parse_agenda_text`."""
    source_name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise AgendaError(
            source_name, [AgendaProblem("", None, _("the agenda file does not exist"))]
        ) from None
    except IsADirectoryError:
        raise AgendaError(
            source_name, [AgendaProblem("", None, _("this is a directory, not an agenda file"))]
        ) from None
    except OSError as exc:
        raise AgendaError(
            source_name, [AgendaProblem("", None, _("cannot read the file: {reason}", reason=exc.strerror))]
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise AgendaError(
            source_name, [AgendaProblem("", line, _("the file is not UTF-8 text; save it as UTF-8"))]
        ) from None
    return parse_agenda_text(
        text, source_name, now=now, allow_past=allow_past, source=path, default_timezone=default_timezone
    )
