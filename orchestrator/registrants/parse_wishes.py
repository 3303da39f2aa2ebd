"""Match a registrant's workshop wish against the agenda's breakout room names."""

from __future__ import annotations

import difflib
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
