"""Read agenda YAML and remember where every key and list item is (for line numbers in messages)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from orchestrator.agenda.problems import AgendaProblem, Loc, format_path
from orchestrator.i18n import _


class _AgendaLoader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1 surprises that matter for agendas.

    YAML 1.1 reads an unquoted ``13:00`` as the base-60 integer 780 and ``2025-13-01`` crashes the
    timestamp constructor; both are kept as text here so the model reports them with their line.
    """


def _int_or_clock(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    assert isinstance(node, yaml.ScalarNode)
    if ":" in node.value:
        return node.value
    return yaml.SafeLoader.construct_yaml_int(loader, node)


def _float_or_clock(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    assert isinstance(node, yaml.ScalarNode)
    if ":" in node.value:
        return node.value
    return yaml.SafeLoader.construct_yaml_float(loader, node)


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    assert isinstance(node, yaml.ScalarNode)
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return node.value


_AgendaLoader.add_constructor("tag:yaml.org,2002:int", _int_or_clock)
_AgendaLoader.add_constructor("tag:yaml.org,2002:float", _float_or_clock)
_AgendaLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


@dataclass
class LineMap:
    """Line (1-based) of each key and list item, addressed by its path."""

    lines: dict[Loc, int] = field(default_factory=dict)

    def line_for(self, loc: Loc) -> int | None:
        """The line of ``loc``, or of its nearest ancestor present in the file (e.g. a missing key)."""
        for end in range(len(loc), 0, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return None


@dataclass
class ParsedYaml:
    data: Any
    lines: LineMap
    problems: list[AgendaProblem]


def _walk(node: yaml.Node, loc: Loc, lines: LineMap, problems: list[AgendaProblem], active: set[int]) -> None:
    if id(node) in active:  # an alias pointing at its own ancestor
        return
    active.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = key_node.value
            key_loc = (*loc, key)
            line = key_node.start_mark.line + 1
            if key in first_seen:
                problems.append(
                    AgendaProblem(
                        format_path(key_loc),
                        line,
                        _("the key appears twice (first on line {line})", line=first_seen[key]),
                    )
                )
            else:
                first_seen[key] = line
                lines.lines[key_loc] = line
            _walk(value_node, key_loc, lines, problems, active)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            item_loc = (*loc, index)
            lines.lines[item_loc] = item.start_mark.line + 1
            _walk(item, item_loc, lines, problems, active)
    active.discard(id(node))


def parse_yaml(text: str) -> ParsedYaml:
    """Parse ``text``; a syntax error becomes one problem with line and column, never a traceback."""
    loader = _AgendaLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or exc.context or type(exc).__name__
        if exc.context and exc.problem:
            reason = f"{exc.problem} ({exc.context})"
        problem = AgendaProblem(
            "",
            mark.line + 1 if mark else None,
            _("YAML syntax error: {reason}", reason=reason),
            column=mark.column + 1 if mark else None,
        )
        return ParsedYaml(None, LineMap(), [problem])
    except yaml.YAMLError as exc:
        return ParsedYaml(
            None, LineMap(), [AgendaProblem("", None, _("YAML syntax error: {reason}", reason=exc))]
        )
    finally:
        loader.dispose()
    lines = LineMap()
    problems: list[AgendaProblem] = []
    if node is not None:
        _walk(node, (), lines, problems, set())
    return ParsedYaml(data, lines, problems)
