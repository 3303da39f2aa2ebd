"""Golden files: compare a sequence of named texts with stored files, or rewrite them on request.

``UPDATE_GOLDEN=1`` rewrites the files (and removes stale ones); otherwise the first text that differs
from its file fails the test with a unified diff, followed by the names of any further differences.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

UPDATE_VARIABLE = "UPDATE_GOLDEN"


def updating() -> bool:
    """Whether this run (re)writes the golden files instead of comparing with them."""
    return os.environ.get(UPDATE_VARIABLE, "") not in ("", "0")


def check_golden(directory: Path, texts: dict[str, str], *, suffix: str = ".json") -> None:
    """Compare ``texts`` (file stem → content, in order) with ``directory``, or rewrite it when updating."""
    if updating():
        directory.mkdir(parents=True, exist_ok=True)
        for leftover in set(directory.glob(f"*{suffix}")) - {directory / f"{n}{suffix}" for n in texts}:
            leftover.unlink()
        for name, text in texts.items():
            (directory / f"{name}{suffix}").write_text(text, encoding="utf-8", newline="\n")
        return
    hint = f"(rerun with {UPDATE_VARIABLE}=1 to accept deliberate changes, and document them in the README)"
    differing: list[str] = []
    first_diff = ""
    for name, text in texts.items():
        path = directory / f"{name}{suffix}"
        expected = path.read_text(encoding="utf-8") if path.exists() else None
        if expected == text:
            continue
        differing.append(name)
        if not first_diff:
            first_diff = (
                f"no golden file {path}\n"
                if expected is None
                else "".join(
                    difflib.unified_diff(
                        expected.splitlines(keepends=True),
                        text.splitlines(keepends=True),
                        fromfile=f"golden/{path.name}",
                        tofile=f"actual/{path.name}",
                    )
                )
            )
    stale = sorted(p.stem for p in directory.glob(f"*{suffix}") if p.stem not in texts)
    if differing or stale:
        lines = [f"Output differs from the golden files in {directory} {hint}."]
        if differing:
            lines += [f"First difference ({differing[0]}):", first_diff]
            if len(differing) > 1:
                lines.append("Also different: " + ", ".join(differing[1:]))
        if stale:
            lines.append("Golden files no command produced: " + ", ".join(stale))
        pytest.fail("\n".join(lines), pytrace=False)
