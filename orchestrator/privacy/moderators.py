"""Removing moderators' names and e-mail addresses from an event (retention purge).

The agenda names each room's moderators with their e-mail addresses; the store keeps them in the
agenda JSON and in ``breakout_room.moderators``. After the retention period each moderator becomes
a numbered placeholder ("Moderation 1", ``moderation-1@redacted.example``: ``.example`` is reserved,
so the stored agenda still validates and ``meeting show`` still works). Everything else the event
still needs (title, dates, programme, rooms and capacities) stays. The same person keeps the same
number in every round, so the structure of the programme stays readable.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

PLACEHOLDER_DOMAIN = "redacted.example"
_PLACEHOLDER_SUFFIX = "@" + PLACEHOLDER_DOMAIN


def is_placeholder(email: object) -> bool:
    """True for an address this module put in place of a moderator's."""
    return isinstance(email, str) and email.casefold().endswith(_PLACEHOLDER_SUFFIX)


@dataclass
class ModeratorRedaction:
    """Replaces moderators by placeholders, one number per distinct e-mail address."""

    numbers: dict[str, int] = field(default_factory=dict)
    taken: int = 0  # placeholders found already in place (an earlier purge): numbers go on from there

    def replace(self, moderator: dict[str, Any]) -> dict[str, Any]:
        """``moderator`` (``{"name", "email", ...}``) with name and e-mail replaced; placeholders stay."""
        email = moderator.get("email")
        if is_placeholder(email):
            return dict(moderator)
        key = str(email or moderator.get("name") or "").casefold()
        number = self.numbers.setdefault(key, self.taken + len(self.numbers) + 1)
        return {
            **moderator,
            "name": f"Moderation {number}",
            "email": f"moderation-{number}{_PLACEHOLDER_SUFFIX}",
        }

    def count_placeholders(self, moderators: list[dict[str, Any]]) -> None:
        """Note placeholders already present, so new ones do not reuse their numbers."""
        self.taken = max(
            self.taken, len({m.get("email") for m in moderators if is_placeholder(m.get("email"))})
        )

    def agenda(self, document: dict[str, Any]) -> dict[str, Any]:
        """A copy of the stored agenda JSON with every room's moderators replaced."""
        redacted = copy.deepcopy(document)
        rooms = [room for rnd in redacted.get("breakout_rounds") or [] for room in rnd.get("rooms") or []]
        self.count_placeholders([m for room in rooms for m in room.get("moderators") or []])
        for room in rooms:
            room["moderators"] = [self.replace(m) for m in room.get("moderators") or []]
        return redacted


def real_emails(moderators: Iterable[dict[str, Any]]) -> set[str]:
    """The (case-folded) e-mail addresses among ``moderators`` that are not placeholders yet."""
    return {
        str(m["email"]).casefold() for m in moderators if m.get("email") and not is_placeholder(m["email"])
    }


def agenda_moderators(document: dict[str, Any]) -> set[str]:
    """The (case-folded) e-mail addresses of real moderators in a stored agenda JSON."""
    return real_emails(
        m
        for rnd in document.get("breakout_rounds") or []
        for room in rnd.get("rooms") or []
        for m in room.get("moderators") or []
    )
