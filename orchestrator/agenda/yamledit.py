"""Change single values of an agenda file in its YAML *text*, keeping comments, order and layout.

The agenda editor in the browser changes fields (a time, a capacity, a list of reminder offsets).
Instead of loading the file into data and dumping it again (which loses every comment and the
author's order and quoting), each changed value is located with PyYAML's node marks and exactly
its characters are replaced. Unchanged values keep their bytes; a changed value changes only its
own line(s). A key the file does not have yet is added at the end of its mapping.

Values reached through a YAML alias (``rooms: *workshops``) live at their anchor: changing them
there changes every place that refers to them, as the YAML means.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from orchestrator.agenda.problems import Loc, format_path
from orchestrator.agenda.yamlsource import _AgendaLoader
from orchestrator.i18n import _

Value = str | int | bool | dt.date | list[str] | list[int]


class EditUnsupported(ValueError):
    """The change cannot be made in the text without rewriting its structure (use the text view)."""

    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.path = format_path(loc)
        self.message = message


def compose(text: str) -> yaml.Node | None:
    """The node tree of ``text`` (with marks); :class:`yaml.YAMLError` on a syntax error."""
    loader = _AgendaLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def construct(text: str) -> Any:
    """The data of ``text`` as the agenda loader reads it (times like 13:00 stay text)."""
    loader = _AgendaLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def node_at(root: yaml.Node | None, loc: Loc) -> yaml.Node | None:
    """The node at ``loc`` (keys and list indexes), or ``None`` if the file does not have it."""
    node = root
    for part in loc:
        if node is None:
            return None
        if isinstance(part, int):
            if not isinstance(node, yaml.SequenceNode) or part >= len(node.value):
                return None
            node = node.value[part]
        else:
            if not isinstance(node, yaml.MappingNode):
                return None
            node = next(
                (v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part),
                None,
            )
    return node


@dataclass(frozen=True)
class _Replacement:
    start: int
    end: int
    text: str


def set_values(text: str, changes: Mapping[Loc, Value]) -> str:
    """``text`` with each value at a location of ``changes`` replaced (or added), nothing else.

    Raises :class:`EditUnsupported` when a location cannot be edited in place (a missing list item,
    a key missing in a flow mapping, two different values for one aliased node) and
    :class:`yaml.YAMLError` when ``text`` is not YAML.
    """
    if not changes:
        return text
    root = compose(text)
    if root is None:
        raise EditUnsupported((), _("the agenda file is empty"))
    replacements: dict[int, tuple[Loc, _Replacement]] = {}
    insertions: list[_Replacement] = []
    for loc, value in changes.items():
        node = node_at(root, loc)
        if node is None:
            insertions.append(_insertion(text, root, loc, value))
            continue
        replacement = _replace_node(text, node, loc, value)
        earlier = replacements.get(id(node))
        if earlier is not None and earlier[1].text != replacement.text:
            raise EditUnsupported(
                loc,
                _(
                    "this value is shared with {other} (a YAML alias); change it there or in the text view",
                    other=format_path(earlier[0]),
                ),
            )
        replacements[id(node)] = (loc, replacement)
    edits = [r for _loc, r in replacements.values()] + insertions
    edits.sort(key=lambda r: (r.start, r.end), reverse=True)
    result = text
    for edit in edits:
        result = result[: edit.start] + edit.text + result[edit.end :]
    return result


def _replace_node(text: str, node: yaml.Node, loc: Loc, value: Value) -> _Replacement:
    start = node.start_mark.index
    end = node.end_mark.index
    if isinstance(node, yaml.ScalarNode):
        if isinstance(value, list):
            raise EditUnsupported(loc, _("expected a list here; change it in the text view"))
        style = node.style if node.style in ('"', "'") else None
        if node.style in ("|", ">"):
            end = _trim_end(text, start, end)
        return _Replacement(start, end, format_scalar(value, style))
    if isinstance(node, yaml.SequenceNode) and isinstance(value, list):
        style = None
        for item in node.value:
            if isinstance(item, yaml.ScalarNode) and item.style in ('"', "'"):
                style = item.style
                break
        return _Replacement(start, _trim_end(text, start, end), format_flow_list(value, style))
    raise EditUnsupported(loc, _("this field has a structure the form cannot change; use the text view"))


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def _insertion(text: str, root: yaml.Node, loc: Loc, value: Value) -> _Replacement:
    """Add ``loc`` (and any missing parent mappings) at the end of its nearest existing mapping."""
    depth = len(loc) - 1
    while depth > 0 and node_at(root, loc[:depth]) is None:
        depth -= 1
    parent = node_at(root, loc[:depth]) if depth > 0 else root
    missing = loc[depth:]
    if any(isinstance(part, int) for part in missing) or not isinstance(parent, yaml.MappingNode):
        raise EditUnsupported(loc, _("the file has no place for this field yet; add it in the text view"))
    if parent.flow_style or not parent.value:
        raise EditUnsupported(loc, _("the file has no place for this field yet; add it in the text view"))
    indent = parent.value[0][0].start_mark.column
    last_value = parent.value[-1][1]
    position = _trim_end(text, parent.start_mark.index, last_value.end_mark.index)
    line_end = text.find("\n", position)
    position = len(text) if line_end == -1 else line_end
    newline = "\r\n" if "\r\n" in text else "\n"
    lines: list[str] = []
    for level, part in enumerate(missing):
        pad = " " * (indent + 2 * level)
        if level == len(missing) - 1:
            lines.append(f"{pad}{part}: {_block_value(value)}")
        else:
            lines.append(f"{pad}{part}:")
    block = newline.join(lines)
    if position == len(text) and not text.endswith(("\n", "\r")):
        return _Replacement(position, position, newline + block)
    return _Replacement(position, position, newline + block)


def _block_value(value: Value) -> str:
    if isinstance(value, list):
        return format_flow_list(value, '"')
    return format_scalar(value, None)


def format_scalar(value: str | int | bool | dt.date, style: str | None) -> str:
    """``value`` as a YAML scalar in the given quoting style (``None``: plain where that reads back)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if style == "'" and "\n" not in value:
        return "'" + value.replace("'", "''") + "'"
    if style is None and _reads_back_plain(value):
        return value
    return json.dumps(value, ensure_ascii=False)


def format_flow_list(values: Sequence[str | int], style: str | None) -> str:
    """``[a, b]`` with each text item in ``style`` (plain where that reads back)."""
    return "[" + ", ".join(format_scalar(v, style) for v in values) + "]"


def _reads_back_plain(value: str) -> bool:
    if not value or value != value.strip() or "\n" in value or value[0] in "[]{},&*!|>'\"%@`#-?:":
        return False
    if any(mark in value for mark in (": ", " #", ",")):
        return False
    try:
        data = construct(f"k: {value}\n")
    except yaml.YAMLError:
        return False
    return isinstance(data, dict) and data.get("k") == value
