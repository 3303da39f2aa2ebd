"""Cost and wish statistics of an assignment (also used to verify plans independently of a solver)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from orchestrator.breakouts.solver.model import Participant, RankCosts, RoomStats, WishStats

_NONE = -1


def rank_or_none(person: Participant, room: str) -> int:
    """0-based rank of ``room`` in the person's wishes, or -1 when it meets none."""
    rank = person.rank_of(room)
    return _NONE if rank is None else rank


def assignment_cost(
    participants: Iterable[Participant], assignment: Mapping[tuple[str, int], str], costs: RankCosts
) -> int:
    """Total cost of ``assignment``: rank costs plus each person's convex miss cost."""
    by_key = {p.key: p for p in participants}
    total = 0
    misses: Counter[str] = Counter()
    for (key, _round), room in assignment.items():
        rank = rank_or_none(by_key[key], room)
        if rank == _NONE:
            misses[key] += 1
        else:
            total += costs.costs[rank]
    return total + sum(costs.miss_cost(count) for count in misses.values())


def wish_stats(
    participants: Iterable[Participant],
    assignment: Mapping[tuple[str, int], str],
    capacity: Mapping[tuple[int, str], int],
) -> tuple[dict[int, WishStats], dict[tuple[int, str], RoomStats]]:
    """Per-round and per-(round, room) counts of 1st/2nd/3rd/no wish."""
    by_key = {p.key: p for p in participants}
    tallies: dict[tuple[int, str], Counter[int]] = {where: Counter() for where in sorted(capacity)}
    for (key, round_number), room in assignment.items():
        tallies[(round_number, room)][rank_or_none(by_key[key], room)] += 1
    per_room = {
        where: RoomStats(
            capacity=capacity[where],
            assigned=sum(tally.values()),
            first=tally[0],
            second=tally[1],
            third=tally[2],
            none=tally[_NONE],
        )
        for where, tally in tallies.items()
    }
    per_round: dict[int, WishStats] = {}
    for (round_number, _room), stats in per_room.items():
        previous = per_round.get(round_number, WishStats())
        per_round[round_number] = WishStats(
            first=previous.first + stats.first,
            second=previous.second + stats.second,
            third=previous.third + stats.third,
            none=previous.none + stats.none,
        )
    return per_round, per_room
