"""Which fields differ between two versions of an agenda file (for the version history)."""

from __future__ import annotations

from typing import Any

from orchestrator.agenda.problems import Loc, format_path


def changed_paths(old: Any, new: Any) -> list[str]:
    """Readable paths (``blocks[2].start``) of every value that differs between ``old`` and ``new``.

    Both are the plain data of an agenda file; a list of different length counts as a change of
    the list itself, a mapping is compared key by key.
    """
    found: list[Loc] = []
    _compare(old, new, (), found)
    return [format_path(loc) or "*" for loc in found]


def _compare(old: Any, new: Any, loc: Loc, found: list[Loc]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            _compare(old.get(key), new.get(key), (*loc, str(key)), found)
        return
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            _compare(a, b, (*loc, index), found)
        return
    if old != new or type(old) is not type(new):
        found.append(loc)
