"""Text helpers for imported values: header-injection checks, safe previews, matching keys."""

from __future__ import annotations

import re
import unicodedata

# C0 controls (incl. TAB, CR, LF, NUL), DEL, C1 controls (incl. NEL U+0085) and the Unicode
# line/paragraph separators: any of them in a value that reaches a mail header could start a new
# header line ("Evil\r\nBcc: victim@example.com") or break a mail client's display.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d-]")
_NON_ALNUM = re.compile(r"[\W_]+")
_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe"})


def has_control_characters(value: str) -> bool:
    """True if ``value`` contains a C0/C1 control, DEL, or U+2028/U+2029."""
    return _CONTROL.search(value) is not None


def safe_preview(value: str, limit: int = 60) -> str:
    """Show ``value`` for a message: control characters escaped (``\\n``, ``\\x00``), shortened.

    Header-injection payloads must never be echoed raw into a terminal, log or mail.
    """
    escaped = _CONTROL.sub(_escape, value)
    if len(escaped) > limit:
        escaped = escaped[: limit - 1] + "…"
    return "'" + escaped + "'"


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if char in named:
        return named[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def fold(value: str) -> str:
    """A loose comparison key: case, accents, umlaut spellings, dashes and spacing ignored.

    "Kümmerei Köln", "kuemmerei koeln" and "KÜMMEREI  KÖLN" fold alike; so do "ALIA – Agil" and
    "ALIA - Agil". Used for workshop names and header names, never for stored values.
    """
    text = unicodedata.normalize("NFKC", value).casefold()
    text = text.translate(_TRANSLITERATE)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _DASHES.sub(" ", text)
    return _NON_ALNUM.sub("", text)
