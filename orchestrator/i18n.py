"""User-facing text in German (default) or English.

Source strings in code are English and wrapped in ``_()``; German translations live in gettext
catalogues ``orchestrator/locale/de/<domain>.po`` (one per domain, read with Babel on first use).
``_("Room {room} is full", room=name)`` translates, then formats with the keyword arguments.
A test checks that every ``_()`` literal in the package has a German translation.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

SUPPORTED_LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"

_LOCALE_DIR = Path(__file__).parent / "locale"
_language: ContextVar[str] = ContextVar("orchestrator_language", default=DEFAULT_LANGUAGE)
_catalogues: dict[str, dict[str, str]] = {}
_lock = threading.Lock()


def set_language(language: str) -> None:
    """Set the language for user-facing text in this context (``de`` or ``en``)."""
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; use one of {', '.join(SUPPORTED_LANGUAGES)}")
    _language.set(language)


def get_language() -> str:
    return _language.get()


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Temporarily switch the language (e.g. to render one person's mail)."""
    token = _language.set(lang)
    try:
        yield
    finally:
        _language.reset(token)


def catalogue(lang: str) -> dict[str, str]:
    """All translations for ``lang`` merged from its .po files (msgid -> msgstr)."""
    with _lock:
        if lang not in _catalogues:
            merged: dict[str, str] = {}
            for po_path in sorted((_LOCALE_DIR / lang).glob("*.po")):
                with po_path.open("rb") as fh:
                    for message in read_po(fh, locale=lang):
                        if message.id and message.string and isinstance(message.id, str):
                            merged[message.id] = str(message.string)
            _catalogues[lang] = merged
        return _catalogues[lang]


def translate(text: str, lang: str | None = None, **values: Any) -> str:
    """Translate ``text`` into ``lang`` (default: current language) and format it with ``values``."""
    target = lang or _language.get()
    translated = text if target == "en" else catalogue(target).get(text, text)
    return translated.format(**values) if values else translated


def _(text: str, **values: Any) -> str:
    """Shorthand for :func:`translate` in the current language."""
    return translate(text, **values)


def N_(text: str) -> str:
    """Mark ``text`` for translation where it is translated later (e.g. in a lookup table)."""
    return text
