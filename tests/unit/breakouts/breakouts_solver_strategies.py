"""Hypothesis strategies and an independent checker/brute force for the breakout solver tests."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from hypothesis import strategies as st

from orchestrator.breakouts import Participant, Problem, RankCosts, RoomSlot

ROOM_NAMES = ["A", "B", "C", "D", "E", "F"]

COSTS = st.one_of(
    st.just(RankCosts()),
    st.builds(
        RankCosts,
        costs=st.lists(st.integers(0, 6), min_size=1, max_size=3).map(tuple),
        unranked=st.integers(0, 9),
        repeat_miss_extra=st.integers(0, 6),
    ),
)


@st.composite
def problems(draw: st.DrawFn, *, max_people: int, max_rooms: int, max_rounds: int) -> Problem:
    """Small problems: rooms may differ per round, wishes may repeat or name rooms never offered,
    fixed placements may be contradictory (the solver must then refuse). Seats are mostly enough."""
    names = ROOM_NAMES[: draw(st.integers(min(2, max_rooms), max_rooms))]
    rounds = list(range(1, draw(st.integers(1, max_rounds)) + 1))
    people_count = draw(st.integers(0, max_people))
    seats = st.integers(-(-people_count // len(names)), max(1, people_count))
    same_everywhere = draw(st.booleans())
    capacities = {name: draw(seats) for name in names}
    slots = []
    for r in rounds:
        offered = (
            names if same_everywhere else draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
        )
        for name in sorted(offered):
            slots.append(RoomSlot(r, name, capacities[name] if same_everywhere else draw(seats)))
    costs = draw(COSTS)
    wish = st.sampled_from([*names, "Unknown"])
    people = [
        Participant(f"p{i}", tuple(draw(st.lists(wish, max_size=len(costs.costs)))))
        for i in range(people_count)
    ]
    fixed: dict[tuple[str, int], str] = {}
    if people and draw(st.integers(0, 2)) == 0:
        for _ in range(draw(st.integers(1, len(people)))):
            slot = draw(st.sampled_from(slots))
            room = slot.room if draw(st.integers(0, 9)) else draw(st.sampled_from(names))
            fixed[(draw(st.sampled_from(people)).key, slot.round_number)] = room
    return Problem(rooms=slots, participants=people, fixed=fixed, costs=costs)


def person_cost(person: Participant, rooms: list[str], costs: RankCosts) -> int:
    """Cost of one person's rooms, written from the rules (not from the solver's code)."""
    total, misses = 0, 0
    for room in rooms:
        if room in person.wishes:
            total += costs.costs[person.wishes.index(room)]
        else:
            total += costs.unranked + misses * costs.repeat_miss_extra
            misses += 1
    return total


def brute_force(problem: Problem) -> int | None:
    """Minimum total cost over all valid assignments (None when there is none), by branch and bound."""
    rounds = sorted({s.round_number for s in problem.rooms})
    seats = {(s.round_number, s.room): s.capacity for s in problem.rooms}
    options: list[list[tuple[int, tuple[str, ...]]]] = []
    for person in problem.participants:
        choices: list[list[str]] = [[]]
        for r in rounds:
            rooms = [room for (q, room) in seats if q == r]
            if (person.key, r) in problem.fixed:
                rooms = [room for room in rooms if room == problem.fixed[(person.key, r)]]
            choices = [[*c, room] for c in choices for room in rooms if room not in c]
        options.append(sorted((person_cost(person, c, problem.costs), tuple(c)) for c in choices))
    used: Counter[tuple[int, str]] = Counter()
    best: list[int | None] = [None]

    def place(i: int, cost: int) -> None:
        if best[0] is not None and cost >= best[0]:
            return
        if i == len(options):
            best[0] = cost
            return
        for extra, rooms in options[i]:
            slots = list(zip(rounds, rooms, strict=True))
            if all(used[s] < seats[s] for s in slots):
                used.update(slots)
                place(i + 1, cost + extra)
                used.subtract(slots)

    place(0, 0)
    return best[0]


def assert_valid(problem: Problem, assignment: Mapping[tuple[str, int], str]) -> None:
    """One offered room per person and round, seats respected, no workshop twice, fixed kept."""
    rounds = sorted({s.round_number for s in problem.rooms})
    seats = {(s.round_number, s.room): s.capacity for s in problem.rooms}
    assert set(assignment) == {(p.key, r) for p in problem.participants for r in rounds}
    for (_key, r), room in assignment.items():
        assert (r, room) in seats
    used = Counter((r, room) for (_key, r), room in assignment.items())
    assert all(used[where] <= seats[where] for where in used), used
    for person in problem.participants:
        visited = [assignment[(person.key, r)] for r in rounds]
        assert len(visited) == len(set(visited)), visited
    for where, room in problem.fixed.items():
        assert assignment[where] == room
