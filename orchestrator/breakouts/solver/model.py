"""Value types of the breakout assignment solver: the problem it is given and the plan it returns.

A *workshop* is identified by its room name: the same name in two rounds is the same workshop, and
nobody may sit in the same workshop twice. All types are frozen dataclasses without I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orchestrator.breakouts.solver.errors import InvalidProblem
from orchestrator.i18n import _

MAX_RANKS = 3


@dataclass(frozen=True)
class RankCosts:
    """Cost of a placement by wish rank, and of placements that meet none of the wishes.

    ``costs[i]`` is the cost of getting the (i+1)-th wish. A person's k-th unranked placement
    (counted over all rounds) costs ``unranked + (k - 1) * repeat_miss_extra``: the growing price
    makes the solver share misses out, so whoever already misses one round is favoured in the others.
    """

    costs: tuple[int, ...] = (0, 1, 2)
    unranked: int = 6
    repeat_miss_extra: int = 3

    def __post_init__(self) -> None:
        values = (*self.costs, self.unranked, self.repeat_miss_extra)
        if not 1 <= len(self.costs) <= MAX_RANKS or any(v < 0 for v in values):
            raise InvalidProblem(
                _(
                    "Wish costs must be 1 to {max} non-negative whole numbers, and the costs of a "
                    "missed wish must not be negative.",
                    max=MAX_RANKS,
                )
            )

    def miss_cost(self, misses: int) -> int:
        """Total cost of ``misses`` unranked placements of one person (convex in ``misses``)."""
        return misses * self.unranked + self.repeat_miss_extra * misses * (misses - 1) // 2


@dataclass(frozen=True)
class RoomSlot:
    """A room offered in one breakout round, with its number of seats."""

    round_number: int
    room: str
    capacity: int


@dataclass(frozen=True)
class Participant:
    """A person to place, with ranked workshop wishes (best first, at most three, maybe none)."""

    key: str
    wishes: tuple[str, ...] = ()
    # Workshops attended in rounds outside this problem (already held, or not re-planned now):
    # the no-repeat rule keeps them out, and their misses count towards the growing miss price.
    visited: frozenset[str] = frozenset()

    def rank_of(self, room: str) -> int | None:
        """0-based wish rank of ``room`` (first mention counts), or None when not wished."""
        for rank, wish in enumerate(self.wishes):
            if wish == room:
                return rank
        return None


@dataclass(frozen=True)
class Problem:
    """Everything the solver needs.

    ``fixed[(participant_key, round_number)] = room`` pins a placement (a pre-placed moderator, a
    placement kept from an earlier plan); fixed placements use up seats and count as visits.
    """

    rooms: list[RoomSlot]
    participants: list[Participant]
    fixed: dict[tuple[str, int], str] = field(default_factory=dict)
    costs: RankCosts = field(default_factory=RankCosts)


@dataclass(frozen=True)
class WishStats:
    """How many placements met the 1st, 2nd, 3rd or none of the wishes."""

    first: int = 0
    second: int = 0
    third: int = 0
    none: int = 0

    @property
    def total(self) -> int:
        return self.first + self.second + self.third + self.none


@dataclass(frozen=True)
class RoomStats:
    """How full one room is in one round and how its people's wishes were met."""

    capacity: int
    assigned: int
    first: int = 0
    second: int = 0
    third: int = 0
    none: int = 0


@dataclass(frozen=True)
class Plan:
    """An optimal assignment: ``assignment[(participant_key, round_number)] = room``.

    ``objective`` is the total cost (fixed placements included) under the problem's ``RankCosts``;
    ``method`` names the exact algorithm used (``"flow"`` or ``"cp-sat"``).
    """

    assignment: dict[tuple[str, int], str]
    objective: int
    per_round: dict[int, WishStats]
    per_room: dict[tuple[int, str], RoomStats]
    method: str

    @property
    def overall(self) -> WishStats:
        """Wish statistics summed over all rounds."""
        stats = list(self.per_round.values())
        return WishStats(
            first=sum(s.first for s in stats),
            second=sum(s.second for s in stats),
            third=sum(s.third for s in stats),
            none=sum(s.none for s in stats),
        )
