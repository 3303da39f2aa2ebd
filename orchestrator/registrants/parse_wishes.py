"""Match a registrant's workshop wish against the agenda's breakout room names."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from orchestrator.registrants.parse_text import fold


@dataclass(frozen=True, slots=True)
class WishMatch:
    """``room`` is the canonical room name, or ``None`` with ``suggestions`` for "did you mean"."""

    room: str | None
    suggestions: tuple[str, ...] = ()


class WorkshopMatcher:
    """Tolerant matching of wishes to room names.

    Exact names match; so do variants differing only in case, spacing, dashes ("-" vs "–"),
    accents or umlaut spelling ("Kuemmerei Koeln"), as long as the folded form points to exactly
    one room. Anything else is no match, with up to three close room names as suggestions.
    """

    def __init__(self, workshops: Sequence[str]) -> None:
        self.workshops = tuple(dict.fromkeys(w.strip() for w in workshops if w.strip()))
        by_key: dict[str, list[str]] = {}
        for room in self.workshops:
            by_key.setdefault(fold(room), []).append(room)
        # Rooms whose folded names collide can only be chosen by their exact name.
        self._by_key = {key: rooms[0] for key, rooms in by_key.items() if len(rooms) == 1}
        self._exact = set(self.workshops)

    def match(self, wish: str) -> WishMatch:
        """Match one (non-empty) wish."""
        text = wish.strip()
        if text in self._exact:
            return WishMatch(text)
        key = fold(text)
        if key in self._by_key:
            return WishMatch(self._by_key[key])
        return WishMatch(None, self.suggest(text))

    def suggest(self, wish: str) -> tuple[str, ...]:
        """Up to three room names close to ``wish`` (difflib ratio, plus prefix/substring hits)."""
        key = fold(wish)
        if not key:
            return ()
        keyed: dict[str, list[str]] = {}
        for room in self.workshops:
            keyed.setdefault(fold(room), []).append(room)
        close = difflib.get_close_matches(key, list(keyed), n=3, cutoff=0.6)
        # An abbreviation such as "ALIA" or "Kümmerei" is far from the full name by ratio.
        partial = [k for k in keyed if len(key) >= 3 and (key in k or k in key)]
        rooms = [room for k in dict.fromkeys([*close, *partial]) for room in keyed[k]]
        return tuple(rooms[:3])


@dataclass(frozen=True, slots=True)
class UnknownChoice:
    """A choice of a ranking cell that names no workshop: the text as written and its suggestions."""

    text: str
    suggestions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Ranking:
    """A ranking cell read: ``rooms`` in the order given, plus what could not be used."""

    rooms: tuple[str, ...]
    unknown: tuple[UnknownChoice, ...] = ()
    duplicates: tuple[str, ...] = ()
    unknown_not_listed: int = 0  # distinct unknown choices beyond ``MAX_LISTED_UNKNOWN``


MAX_LISTED_UNKNOWN = 10  # a cell of garbage gets ten "did you mean"s and a count, not thousands
_SEPARATORS = re.compile(r"([;,\n])")  # a line break separates choices too (one a line)
# A workshop name written with extra spaces is still short; joining more parts than this many
# characters cannot match (bounds the work for a hostile cell of thousands of separators).
_NAME_SLACK = 16


def split_ranking(cell: str, matcher: WorkshopMatcher) -> Ranking:
    """Read one ranking cell ("A;B;C;" from Microsoft Forms, "A, B, C" from Google Forms).

    Choices are separated by ``;``, ``,`` or line breaks; empty choices (a trailing separator) are ignored. A
    workshop whose name itself contains a separator ("Wohnen, Pflege, Quartier") is found by
    joining parts greedily: the longest run of parts that names a workshop wins. A choice naming
    no workshop is reported with suggestions; a repeated workshop keeps its first rank.
    """
    parts = _SEPARATORS.split(cell)  # text, separator, text, … (separators kept for re-joining)
    texts = parts[0::2]
    separators = parts[1::2]
    longest = max((len(w) for w in matcher.workshops), default=0) * 2 + _NAME_SLACK
    # Joining parts is only needed as far as a workshop name itself has separators.
    most_parts = max((len(_SEPARATORS.split(w)) // 2 + 1 for w in matcher.workshops), default=1)
    rooms: list[str] = []
    unknown: dict[str, UnknownChoice] = {}
    not_listed: set[str] = set()
    duplicates: list[str] = []
    index = 0
    while index < len(texts):
        text = texts[index].strip()
        room, end = (None, index + 1)
        if text:  # a name never starts with a separator: an empty part is a trailing or doubled one
            room, end = _longest_match(texts, separators, index, matcher, longest, most_parts)
        if room is None:
            if text and text not in unknown:
                if len(unknown) < MAX_LISTED_UNKNOWN:
                    unknown[text] = UnknownChoice(text, matcher.match(text).suggestions)
                else:
                    not_listed.add(text)
            index += 1
            continue
        if room in rooms:
            duplicates.append(room)
        else:
            rooms.append(room)
        index = end
    return Ranking(tuple(rooms), tuple(unknown.values()), tuple(dict.fromkeys(duplicates)), len(not_listed))


def _longest_match(
    texts: list[str],
    separators: list[str],
    start: int,
    matcher: WorkshopMatcher,
    longest: int,
    most_parts: int,
) -> tuple[str | None, int]:
    """The workshop named by the longest run of parts from ``start``, and the index after it."""
    found: tuple[str | None, int] = (None, start + 1)
    joined = texts[start]
    end = start + 1
    while True:
        if joined.strip():
            match = matcher.match(joined)
            if match.room is not None:
                found = (match.room, end)
        if end >= len(texts) or end - start >= most_parts or len(joined) > longest:
            return found
        joined += separators[end - 1] + texts[end]
        end += 1
