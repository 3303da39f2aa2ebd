"""Re-planning helpers: keep earlier placements, and tell who moved."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Move:
    """A participant whose room in ``round_number`` changed between two plans."""

    key: str
    round_number: int
    before: str
    after: str


def kept_placements(
    previous: Mapping[tuple[str, int], str],
    participant_keys: Iterable[str],
    rooms: Iterable[tuple[int, str]],
) -> dict[tuple[str, int], str]:
    """The earlier placements that are still possible: person still registered, room still offered.

    Pass the result as ``Problem.fixed`` to re-plan without moving anyone already placed.
    """
    keys = set(participant_keys)
    offered = set(rooms)
    return {
        (key, r): room for (key, r), room in sorted(previous.items()) if key in keys and (r, room) in offered
    }


def moves(before: Mapping[tuple[str, int], str], after: Mapping[tuple[str, int], str]) -> list[Move]:
    """Placements present in both plans whose room differs, sorted by person and round."""
    return [
        Move(key, r, room, after[(key, r)])
        for (key, r), room in sorted(before.items())
        if (key, r) in after and after[(key, r)] != room
    ]
