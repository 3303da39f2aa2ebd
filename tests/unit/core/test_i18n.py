"""Every user-facing string has a German translation, and translation/formatting works."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from orchestrator import i18n

PACKAGE = Path(i18n.__file__).parent


def _marked_strings() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"_", "N_"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found[node.args[0].value] = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
    return found


def test_every_marked_string_has_a_german_translation() -> None:
    german = i18n.catalogue("de")
    missing = [
        f"{where}: {text!r}" for text, where in sorted(_marked_strings().items()) if text not in german
    ]
    assert missing == [], "missing German translations:\n" + "\n".join(missing)


def test_translations_keep_placeholders() -> None:
    import string

    german = i18n.catalogue("de")
    formatter = string.Formatter()
    broken = []
    for source, translated in german.items():
        wanted = {name for _, name, _, _ in formatter.parse(source) if name}
        got = {name for _, name, _, _ in formatter.parse(translated) if name}
        if wanted != got:
            broken.append(f"{source!r}: {sorted(wanted)} != {sorted(got)}")
    assert broken == []


def test_translate_and_format() -> None:
    assert i18n.translate("Error", "de") == "Fehler"
    assert i18n.translate("Error", "en") == "Error"
    with i18n.language("de"):
        assert i18n._("Warning") == "Warnung"
    with pytest.raises(ValueError):
        i18n.set_language("fr")
