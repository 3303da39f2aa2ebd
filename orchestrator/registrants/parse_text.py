"""Text helpers for imported values: header-injection and invisible-character checks, safe previews,
matching keys."""

from __future__ import annotations

import re
import unicodedata

# C0 controls (incl. TAB, CR, LF, NUL), DEL, C1 controls (incl. NEL U+0085) and the Unicode
# line/paragraph separators: any of them in a value that reaches a mail header could start a new
# header line ("Evil\r\nBcc: victim@example.com") or break a mail client's display.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Invisible format characters (Unicode category Cf): bidi controls such as U+202E RIGHT-TO-LEFT
# OVERRIDE reorder what a reader sees ("gpj.exe" shown as "exe.jpg"), zero-width and tag
# characters hide text. Allowed: U+200C/U+200D (zero-width non-joiner/joiner), which Persian,
# Indic scripts and emoji need. The list is Unicode 15's Cf set.
_FORMAT = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b\u200e\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
_UNSHOWABLE = re.compile(f"{_CONTROL.pattern}|{_FORMAT.pattern}")
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d-]")
_NON_ALNUM = re.compile(r"[\W_]+")
_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe"})


def has_control_characters(value: str) -> bool:
    """True if ``value`` contains a C0/C1 control, DEL, or U+2028/U+2029."""
    return _CONTROL.search(value) is not None


def has_format_characters(value: str) -> bool:
    """True if ``value`` contains an invisible format character (bidi control, zero-width space, …)."""
    return _FORMAT.search(value) is not None


def single_line_problem(value: str) -> str | None:
    """Why ``value`` cannot go into a single-line field (a name, an address), as a reason code.

    ``"control_characters"``: a line break or control character (mail header injection);
    ``"format_characters"``: an invisible format character (bidi override, zero-width space).
    """
    if has_control_characters(value):
        return "control_characters"
    if has_format_characters(value):
        return "format_characters"
    return None


def safe_preview(value: str, limit: int = 60) -> str:
    """Show ``value`` for a message: control and format characters escaped (``\\n``, ``\\u202e``), shortened.

    Header-injection payloads and bidi overrides must never be echoed raw into a terminal, log or mail.
    """
    escaped = _UNSHOWABLE.sub(_escape, value)
    if len(escaped) > limit:
        escaped = escaped[: limit - 1] + "…"
    return "'" + escaped + "'"


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if char in named:
        return named[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


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
