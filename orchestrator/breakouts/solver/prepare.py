"""Checks a :class:`Problem` and brings it into a canonical, order-independent form.

Everything downstream iterates over sorted keys, so the plan does not depend on the order in
which rooms, participants or fixed placements were given.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from orchestrator.breakouts.solver.errors import InfeasiblePlan, InvalidProblem
from orchestrator.breakouts.solver.model import Participant, Problem
from orchestrator.i18n import _


@dataclass(frozen=True)
class FreePerson:
    """A participant with at least one round still to place."""

    key: str
    wishes: tuple[str, ...]  # best first; a repeated wish keeps the rank of its first mention
    free_rounds: tuple[int, ...]
    fixed_rooms: frozenset[str]  # workshops already visited through fixed placements
    fixed_misses: int  # fixed placements that meet none of the wishes


@dataclass(frozen=True)
class Prepared:
    """The validated problem: rounds, seats left after fixed placements, people still to place."""

    rounds: tuple[int, ...]
    capacity: dict[tuple[int, str], int]  # (round, room) -> seats
    residual: dict[tuple[int, str], int]  # (round, room) -> seats left after fixed placements
    participants: tuple[Participant, ...]  # sorted by key
    fixed: dict[tuple[str, int], str]
    free: tuple[FreePerson, ...]  # sorted by key

    def rooms_of(self, round_number: int) -> list[str]:
        """Sorted room names offered in ``round_number``."""
        return sorted(room for (r, room) in self.capacity if r == round_number)


def prepare(problem: Problem) -> Prepared:
    """Validate ``problem`` and return its canonical form.

    Raises :class:`InvalidProblem` for contradictory input and :class:`InfeasiblePlan` when a
    round has fewer seats than people or fixed placements overfill a room.
    """
    capacity = _capacities(problem)
    rounds = tuple(sorted({r for (r, _room) in capacity}))
    participants = tuple(sorted(problem.participants, key=lambda p: p.key))
    _check_participants(participants, len(problem.costs.costs))
    fixed = dict(sorted(problem.fixed.items()))
    _check_fixed(fixed, capacity, {p.key for p in participants})
    residual = _residual(capacity, fixed)
    _check_seats(capacity, rounds, len(participants))
    free = tuple(_free_person(p, rounds, fixed) for p in participants if _has_free_round(p, rounds, fixed))
    return Prepared(rounds, capacity, residual, participants, fixed, free)


def _capacities(problem: Problem) -> dict[tuple[int, str], int]:
    capacity: dict[tuple[int, str], int] = {}
    for slot in sorted(problem.rooms, key=lambda s: (s.round_number, s.room)):
        where = (slot.round_number, slot.room)
        if where in capacity:
            raise InvalidProblem(
                _("Room {room} appears twice in round {round}.", room=slot.room, round=slot.round_number)
            )
        if slot.capacity < 0:
            raise InvalidProblem(
                _(
                    "Room {room} in round {round} has a negative capacity.",
                    room=slot.room,
                    round=slot.round_number,
                )
            )
        capacity[where] = slot.capacity
    return capacity


def _check_participants(participants: tuple[Participant, ...], ranks: int) -> None:
    seen: set[str] = set()
    for person in participants:
        if person.key in seen:
            raise InvalidProblem(_("Participant {key} appears twice.", key=person.key))
        seen.add(person.key)
        if len(person.wishes) > ranks:
            raise InvalidProblem(
                _(
                    "Participant {key} has {count} wishes; at most {max} are ranked.",
                    key=person.key,
                    count=len(person.wishes),
                    max=ranks,
                )
            )


def _check_fixed(
    fixed: dict[tuple[str, int], str], capacity: dict[tuple[int, str], int], keys: set[str]
) -> None:
    first_round: dict[tuple[str, str], int] = {}
    for (key, round_number), room in fixed.items():
        if key not in keys:
            raise InvalidProblem(_("A fixed placement names the unknown participant {key}.", key=key))
        if (round_number, room) not in capacity:
            raise InvalidProblem(
                _(
                    "{key} is fixed to room {room} in round {round}, but that round has no such room.",
                    key=key,
                    room=room,
                    round=round_number,
                )
            )
        earlier = first_round.setdefault((key, room), round_number)
        if earlier != round_number:
            raise InvalidProblem(
                _(
                    "{key} is fixed to workshop {room} in rounds {first} and {second}; "
                    "nobody may attend a workshop twice.",
                    key=key,
                    room=room,
                    first=earlier,
                    second=round_number,
                )
            )
    used = Counter((round_number, room) for (_key, round_number), room in fixed.items())
    for (round_number, room), count in sorted(used.items()):
        if count > capacity[(round_number, room)]:
            raise InfeasiblePlan(
                _(
                    "Round {round}, room {room}: {fixed} people are fixed there but it has only "
                    "{capacity} seats ({missing} too many). Nothing was planned.",
                    round=round_number,
                    room=room,
                    fixed=count,
                    capacity=capacity[(round_number, room)],
                    missing=count - capacity[(round_number, room)],
                ),
                round_number=round_number,
                missing_seats=count - capacity[(round_number, room)],
            )


def _residual(
    capacity: dict[tuple[int, str], int], fixed: dict[tuple[str, int], str]
) -> dict[tuple[int, str], int]:
    residual = dict(capacity)
    for (_key, round_number), room in fixed.items():
        residual[(round_number, room)] -= 1
    return residual


def _check_seats(capacity: dict[tuple[int, str], int], rounds: tuple[int, ...], people: int) -> None:
    seats: dict[int, int] = defaultdict(int)
    for (round_number, _room), count in capacity.items():
        seats[round_number] += count
    short = [(r, people - seats[r]) for r in rounds if seats[r] < people]
    if not short:
        return
    messages = [
        _(
            "Round {round} has {seats} seats for {people} people: {missing} seats are missing.",
            round=r,
            seats=seats[r],
            people=people,
            missing=missing,
        )
        for r, missing in short
    ]
    first_round, first_missing = short[0]
    raise InfeasiblePlan(
        messages[0] + " " + _("Nothing was planned."),
        round_number=first_round,
        missing_seats=first_missing,
        details=messages[1:],
    )


def _has_free_round(person: Participant, rounds: tuple[int, ...], fixed: dict[tuple[str, int], str]) -> bool:
    return any((person.key, r) not in fixed for r in rounds)


def _free_person(
    person: Participant, rounds: tuple[int, ...], fixed: dict[tuple[str, int], str]
) -> FreePerson:
    fixed_rooms = [fixed[(person.key, r)] for r in rounds if (person.key, r) in fixed]
    wishes = person.wishes
    visited = sorted(person.visited)
    return FreePerson(
        key=person.key,
        wishes=wishes,
        free_rounds=tuple(r for r in rounds if (person.key, r) not in fixed),
        fixed_rooms=frozenset(fixed_rooms) | person.visited,
        fixed_misses=sum(1 for room in [*fixed_rooms, *visited] if room not in wishes),
    )
