"""Write mail header fields directly as folded wire text (RFC 5322, RFC 2047).

Used by :mod:`orchestrator.mail.fastmime`. Values with anything but printable ASCII (or with
"=?", which a reader would take for an encoded word) become UTF-8 base64 encoded words of at
most 75 characters, split on character boundaries; everything is folded at whitespace to lines
of at most 78 characters where the text allows, and never beyond 998. Callers refuse CR/LF first
(:func:`orchestrator.mail.message.refuse_line_breaks`); :func:`header_line` checks again.
"""

from __future__ import annotations

import binascii
import functools
import re

MAX_LINE = 78  # RFC 5322 "should"
HARD_LIMIT = 998  # RFC 5322 "must"
# 42 bytes -> 56 base64 characters, 68 with "=?utf-8?b?" and "?=": a first line "Reply-To: " + word
# stays within 78 characters, and every word within RFC 2047's 75.
_WORD_BYTES = 42
_LONG_RUN_BYTES = 600
# A plain addr-spec (local@domain) that needs no parsing or quoting anywhere.
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")
# RFC 5322 specials that force a display name into a quoted string (as email.utils.formataddr).
_SPECIALS = re.compile(r'[][\\()<>@,:;".]')


def _is_plain(value: str) -> bool:
    """Printable ASCII that no reader could mistake for an encoded word."""
    return value.isascii() and value.isprintable() and "=?" not in value


def encoded_words(value: str) -> list[str]:
    """``value`` as RFC 2047 base64 encoded words; no UTF-8 sequence is split between two words."""
    raw = value.encode("utf-8")
    words = []
    start, size = 0, len(raw)
    while start < size:
        end = min(start + _WORD_BYTES, size)
        while end < size and 0x80 <= raw[end] < 0xC0:  # inside a multi-byte character: step back
            end -= 1
        words.append("=?utf-8?b?" + binascii.b2a_base64(raw[start:end], newline=False).decode("ascii") + "?=")
        start = end
    return words


def _plain_tokens(value: str, name: str) -> list[str] | None:
    """Words of a plain value to fold at its single spaces, or None if it cannot be folded safely."""
    tokens = value.split(" ")
    # An empty token (double/leading space) would make a whitespace-only continuation line.
    if "" in tokens[1:] or max(len(t) for t in tokens) + len(name) + 2 > HARD_LIMIT:
        return None
    return tokens


def unstructured_tokens(value: str, name: str = "Subject") -> list[str]:
    """Tokens for an unstructured field such as Subject."""
    if _is_plain(value):
        tokens = _plain_tokens(value, name)
        if tokens is not None:
            return tokens
    return encoded_words(value)


def phrase_tokens(display_name: str) -> list[str]:
    """Tokens for a display name: plain words (quoted if needed) and encoded words.

    Each run of words that needs encoding becomes *one* encoded word (longer than 75 characters
    if need be, as ``email.utils.formataddr`` writes it): RFC 2047 readers drop the space between
    two adjacent encoded words, while Python's address parser keeps it, so splitting a run would
    read differently in different programs.
    """
    tokens: list[str] = []
    run: list[str] = []
    plain_run = False
    for word in display_name.split(" "):
        plain = bool(word) and _is_plain(word)
        if run and plain != plain_run:
            tokens += _phrase_run(run, plain_run)
            run = []
        run.append(word)
        plain_run = plain
    if run:
        tokens += _phrase_run(run, plain_run)
    return tokens


def _phrase_run(words: list[str], plain: bool) -> list[str]:
    text = " ".join(words)
    if not plain:
        raw = text.encode("utf-8")
        if len(raw) > _LONG_RUN_BYTES:  # absurdly long: keep the line under 998 instead
            return encoded_words(text)
        return ["=?utf-8?b?" + binascii.b2a_base64(raw, newline=False).decode("ascii") + "?="]
    if _SPECIALS.search(text):
        text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    tokens = text.split(" ")
    if max(len(t) for t in tokens) + len("Reply-To: ") > HARD_LIMIT:
        return encoded_words(" ".join(words))
    return tokens


def address_tokens(display_name: str, addr: str) -> list[str]:
    """Tokens for ``Name <addr>`` (just ``addr`` without a name)."""
    if not display_name:
        return [addr]
    return [*phrase_tokens(display_name), f"<{addr}>"]


def header_line(name: str, tokens: list[str]) -> str:
    """``Name: tokens`` folded with CRLF + space, ending with CRLF; refuses CR/LF in a token."""
    if any("\r" in token or "\n" in token for token in tokens):
        raise ValueError(f"line break inside header {name}")  # callers refuse these before
    lines: list[str] = []
    line = f"{name}:"
    for index, token in enumerate(tokens):
        if index and len(line) + 1 + len(token) > MAX_LINE:
            lines.append(line)
            line = " " + token
        else:
            line += " " + token
    lines.append(line)
    return "\r\n".join(lines) + "\r\n"


@functools.lru_cache(maxsize=64)
def cached_address_line(name: str, display_name: str, addr: str) -> str:
    """:func:`header_line` for an address that repeats across a mailing (From, Reply-To)."""
    return header_line(name, address_tokens(display_name, addr))


@functools.lru_cache(maxsize=64)
def cached_unstructured_line(name: str, value: str) -> str:
    """:func:`header_line` for an unstructured value; subjects repeat per language and mail kind."""
    return header_line(name, unstructured_tokens(value, name))
