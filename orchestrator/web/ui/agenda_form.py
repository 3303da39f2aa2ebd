"""The agenda editor's form: which fields it shows, their values from the file, and what was changed.

Each field is named by its agenda path (``blocks[2].start``), the same path ``agenda check`` puts
in front of a problem, so a problem is shown next to the field it is about.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from orchestrator.agenda.problems import AgendaProblem, Loc, format_path
from orchestrator.agenda.yamledit import Value, compose, construct, node_at
from orchestrator.i18n import _

LIST_SPLIT = re.compile(r"[,\s]+")


@dataclass(frozen=True)
class FormField:
    """One input: its agenda path, label, kind (text, time, date, int, list, choice) and value."""

    loc: Loc
    label: str
    kind: str
    value: str
    choices: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return format_path(self.loc)

    @property
    def html_id(self) -> str:
        return "f-" + re.sub(r"[^a-zA-Z0-9]+", "-", self.name).strip("-")


@dataclass
class FormGroup:
    """A titled group of fields (general, one block, one round, one room)."""

    key: str
    title: str
    fields: list[FormField] = field(default_factory=list)
    children: list[FormGroup] = field(default_factory=list)
    number: int | None = None
    #: A round whose rooms are those of an earlier round (a YAML alias): that round's number.
    shared_with: int | None = None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value)
    return str(value)


def _get(data: Any, loc: Loc) -> Any:
    value = data
    for part in loc:
        if isinstance(value, dict) and isinstance(part, str):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return None
    return value


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _field(data: Any, loc: Loc, label: str, kind: str, choices: tuple[str, ...] = ()) -> FormField:
    return FormField(loc, label, kind, _text(_get(data, loc)), choices)


def build_groups(text: str) -> list[FormGroup]:
    """The form of the agenda ``text`` (empty if it is no YAML mapping); labels in the current language."""
    try:
        data = construct(text)
        root = compose(text)
    except yaml.YAMLError:
        return []
    if not isinstance(data, dict):
        return []
    general = FormGroup("general", _("Event"))
    general.fields = [
        _field(data, ("title",), _("Title"), "text"),
        _field(data, ("date",), _("Date"), "date"),
        _field(data, ("start",), _("Start"), "time"),
        _field(data, ("end",), _("End"), "time"),
        _field(data, ("languages",), _("Languages (de, en)"), "list"),
        _field(data, ("default_language",), _("Default language"), "choice", ("de", "en")),
        _field(data, ("registration", "approval"), _("Registration"), "choice", ("manual", "automatic")),
        _field(data, ("mails", "reminders"), _("Reminders before the start (e.g. 7d, 1d, 1h)"), "list"),
    ]
    groups = [general]
    blocks = _list(data.get("blocks"))
    programme = FormGroup("blocks", _("Programme"))
    for index, _block in enumerate(blocks):
        group = FormGroup(f"blocks[{index}]", _("Block {number}", number=index + 1), number=index + 1)
        group.fields = [
            _field(data, ("blocks", index, "start"), _("Start"), "time"),
            _field(data, ("blocks", index, "end"), _("End"), "time"),
            _field(data, ("blocks", index, "title"), _("Title"), "text"),
        ]
        programme.children.append(group)
    groups.append(programme)
    rounds = _list(data.get("breakout_rounds"))
    breakouts = FormGroup("breakout_rounds", _("Breakout rounds"))
    seen_rooms: dict[int, int] = {}
    for index, _round in enumerate(rounds):
        group = FormGroup(
            f"breakout_rounds[{index}]", _("Round {number}", number=index + 1), number=index + 1
        )
        group.fields = [
            _field(data, ("breakout_rounds", index, "title"), _("Title"), "text"),
            _field(data, ("breakout_rounds", index, "start"), _("Start"), "time"),
            _field(data, ("breakout_rounds", index, "end"), _("End"), "time"),
            _field(
                data,
                ("breakout_rounds", index, "apply_lead_minutes"),
                _("Rooms into Zoom (minutes before)"),
                "int",
            ),
        ]
        rooms_node = node_at(root, ("breakout_rounds", index, "rooms"))
        if rooms_node is not None and id(rooms_node) in seen_rooms:
            group.shared_with = seen_rooms[id(rooms_node)] + 1
            breakouts.children.append(group)
            continue
        if rooms_node is not None:
            seen_rooms[id(rooms_node)] = index
        rooms = _get(data, ("breakout_rounds", index, "rooms"))
        for r_index, room in enumerate(rooms if isinstance(rooms, list) else []):
            base: Loc = ("breakout_rounds", index, "rooms", r_index)
            room_group = FormGroup(
                format_path(base), _("Room {number}", number=r_index + 1), number=r_index + 1
            )
            room_group.fields = [
                _field(data, (*base, "name"), _("Name"), "text"),
                _field(data, (*base, "capacity"), _("Capacity"), "int"),
            ]
            moderators = room.get("moderators") if isinstance(room, dict) else None
            for m_index, _moderator in enumerate(moderators if isinstance(moderators, list) else []):
                room_group.fields += [
                    _field(data, (*base, "moderators", m_index, "name"), _("Moderator"), "text"),
                    _field(
                        data, (*base, "moderators", m_index, "email"), _("E-mail of the moderator"), "text"
                    ),
                ]
            group.children.append(room_group)
        breakouts.children.append(group)
    groups.append(breakouts)
    return groups


def all_fields(groups: list[FormGroup]) -> list[FormField]:
    """Every editable field of ``groups`` (depth first)."""
    found: list[FormField] = []
    for group in groups:
        found += group.fields
        found += all_fields(group.children)
    return found


def submitted_changes(groups: list[FormGroup], form: Mapping[str, Any]) -> dict[Loc, Value]:
    """The values the organiser changed in the form, typed for the file."""
    changes: dict[Loc, Value] = {}
    for item in all_fields(groups):
        sent = form.get(item.name)
        if not isinstance(sent, str):
            continue
        sent = sent.replace("\r\n", "\n").strip()
        if sent == item.value:
            continue
        changes[item.loc] = _typed(item.kind, sent)
    return changes


def _typed(kind: str, sent: str) -> Value:
    if kind == "int" and re.fullmatch(r"-?\d{1,9}", sent):
        return int(sent)
    if kind == "date":
        try:
            return dt.date.fromisoformat(sent)
        except ValueError:
            return sent
    if kind == "list":
        return [item for item in LIST_SPLIT.split(sent) if item]
    return sent


def problems_by_field(
    groups: list[FormGroup], problems: list[AgendaProblem]
) -> tuple[dict[str, list[AgendaProblem]], dict[str, list[AgendaProblem]]]:
    """Problems attached to a field name, and the others attached to the group they belong to.

    A problem whose path names no field of the form goes to the nearest enclosing group (a block,
    a round, a room) or, failing that, to ``""`` (shown above the form).
    """
    names = {f.name for f in all_fields(groups)}
    group_keys = _group_keys(groups)
    by_field: dict[str, list[AgendaProblem]] = {}
    by_group: dict[str, list[AgendaProblem]] = {}
    for problem in problems:
        if problem.path in names:
            by_field.setdefault(problem.path, []).append(problem)
            continue
        target = ""
        for key in group_keys:
            inside = problem.path == key or problem.path.startswith((key + ".", key + "["))
            if inside and len(key) > len(target):
                target = key
        by_group.setdefault(target, []).append(problem)
    return by_field, by_group


def _group_keys(groups: list[FormGroup]) -> list[str]:
    keys: list[str] = []
    for group in groups:
        if group.key != "general":
            keys.append(group.key)
        keys += _group_keys(group.children)
    return keys


def with_values(groups: list[FormGroup], form: Mapping[str, Any]) -> list[FormGroup]:
    """``groups`` showing what the organiser sent (after a refused save), not the file's values."""
    for group in groups:
        group.fields = [
            FormField(f.loc, f.label, f.kind, str(form.get(f.name)), f.choices)
            if isinstance(form.get(f.name), str)
            else f
            for f in group.fields
        ]
        with_values(group.children, form)
    return groups
