"""Where a command writes: ``--out FILE``, ``--out DIR`` (a default name inside it), or a directory.

Commands take ``--out`` as text, not as a ``Path``, because ``Path("exports/")`` drops the trailing
separator that says "a directory, please". Problems the organiser can fix (a missing directory, a
file where a directory is needed) are :class:`BadInput` (exit 2), reported before anything is written.
"""

from __future__ import annotations

import os
from pathlib import Path

from orchestrator.errors import BadInput, OperationFailed
from orchestrator.i18n import _

_SEPARATORS = tuple(sep for sep in ("/", os.sep, os.altsep) if sep)


def output_file(out: str | Path | None, default_name: str) -> Path | None:
    """The file to write for ``--out``; None when none was given (the command's default applies).

    An existing directory, or a path ending in a separator, means "``default_name`` in there". The
    directory the file goes into must exist: a typo is refused rather than turned into new folders.
    """
    if out is None:
        return None
    raw = str(out)
    path = Path(raw).expanduser()
    if raw.endswith(_SEPARATORS) or path.is_dir():
        path = path / default_name
    parent = path.parent
    if not parent.is_dir():
        if parent.exists():
            raise BadInput(
                _("Cannot write {path}: {parent} is not a directory.", path=str(path), parent=str(parent))
            )
        raise BadInput(
            _(
                "Cannot write {path}: the directory {parent} does not exist.",
                path=str(path),
                parent=str(parent),
            )
        )
    return path


def output_directory(out: str | Path) -> Path:
    """The directory to write files into for ``--out DIR`` (created later if missing); never a file."""
    path = Path(str(out)).expanduser()
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise BadInput(
            _(
                "Cannot write into {path}: {existing} is a file, not a directory.",
                path=str(path),
                existing=str(existing),
            )
        )
    return path


def write_text_file(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8, newlines as given) to ``path``; an I/O failure is :class:`OperationFailed`."""
    try:
        path.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise OperationFailed(
            _("Could not write {path}: {reason}", path=str(path), reason=exc.strerror or str(exc))
        ) from exc
    return path
