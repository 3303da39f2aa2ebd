"""Exact fast path: one min-cost flow for all rounds, then an exact split into rounds.

Applies when every round offers the same rooms with the same free seats and each person still to
place is free in every round (see :func:`flow_applies`). Then the problem splits into two exact steps:

1. **Which workshops** (R distinct ones per person, R = number of rounds): a min-cost flow
   person -> workshop (capacity 1 per pair, which is the no-repeat rule) -> sink (R x seats).
   A person's unranked placements go through a per-person "miss" node whose parallel arcs cost
   ``unranked``, ``unranked + extra``, ... — convex, so the flow pays exactly the convex miss cost.
2. **Which round** for each chosen workshop: an R-edge-colouring of the person/workshop graph in
   which each workshop gets at most ``seats`` edges per colour. Split every workshop into ``seats``
   copies of degree <= R; the graph has maximum degree R, so by König's theorem an R-colouring
   exists. We build it round by round: pick one edge per person so that workshop ``w`` (load
   ``L``, ``R'`` rounds left) gets between ``max(0, L - (R'-1)*seats)`` and ``min(seats, L)`` people —
   a flow with lower bounds. Any such pick leaves an instance of the same kind with ``R' - 1``
   rounds, and König guarantees a pick exists, so every step succeeds and no cost changes.

The split of step 2 therefore never affects the objective; its pseudo-random tie-break weights
spread each person's good and bad placements evenly over the rounds.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from orchestrator.breakouts.solver.errors import InfeasiblePlan
from orchestrator.breakouts.solver.model import RankCosts
from orchestrator.breakouts.solver.prepare import FreePerson, Prepared
from orchestrator.breakouts.solver.tiebreak import name_hashes, pair_weights, scale_for
from orchestrator.i18n import _

IntArray = npt.NDArray[np.int64]


def flow_applies(prepared: Prepared) -> bool:
    """True when the two-step flow method is exact for ``prepared`` (see module docstring)."""
    first, *others = prepared.rounds
    rooms = prepared.rooms_of(first)
    for other in others:
        if prepared.rooms_of(other) != rooms:
            return False
        if any(prepared.residual[(other, room)] != prepared.residual[(first, room)] for room in rooms):
            return False
    return all(
        len(person.free_rounds) == len(prepared.rounds) and not person.fixed_rooms for person in prepared.free
    )


def solve_by_flow(prepared: Prepared, costs: RankCosts) -> dict[tuple[str, int], str]:
    """Optimal placements of ``prepared.free`` for every round (requires :func:`flow_applies`)."""
    rounds = prepared.rounds
    rooms = prepared.rooms_of(rounds[0])
    seats = np.array([prepared.residual[(rounds[0], room)] for room in rooms], dtype=np.int64)
    people = list(prepared.free)
    person_hashes = name_hashes([p.key for p in people])
    room_hashes = name_hashes(rooms)
    person_idx, room_idx = _choose_workshops(
        people, rooms, seats, len(rounds), costs, person_hashes, room_hashes
    )
    assignment: dict[tuple[str, int], str] = {}
    for position, round_number in enumerate(rounds):
        rounds_left = len(rounds) - position
        if rounds_left > 1:
            salt = name_hashes([str(round_number)], salt="round:")[0]
            pick = _pick_round(
                len(people),
                len(rooms),
                seats,
                rounds_left,
                person_idx,
                room_idx,
                person_hashes ^ salt,
                room_hashes,
            )
        else:
            pick = np.ones(len(person_idx), dtype=bool)
        for i, j in zip(person_idx[pick].tolist(), room_idx[pick].tolist(), strict=True):
            assignment[(people[i].key, round_number)] = rooms[j]
        person_idx, room_idx = person_idx[~pick], room_idx[~pick]
    return assignment


def _choose_workshops(
    people: list[FreePerson],
    rooms: list[str],
    seats: IntArray,
    rounds: int,
    costs: RankCosts,
    person_hashes: npt.NDArray[np.uint64],
    room_hashes: npt.NDArray[np.uint64],
) -> tuple[IntArray, IntArray]:
    """Step 1: the R distinct workshops per person, as parallel (person, room) index arrays."""
    n, m = len(people), len(rooms)
    scale = scale_for(n * rounds)
    room_index = {room: j for j, room in enumerate(rooms)}
    miss_node, room_node, sink = n, 2 * n, 2 * n + m

    wished = np.zeros((n, m), dtype=bool)
    ranked_person: list[int] = []
    ranked_room: list[int] = []
    ranked_cost: list[int] = []
    for i, person in enumerate(people):
        for rank, wish in enumerate(person.wishes):
            j = room_index.get(wish)
            if j is not None and not wished[i, j]:  # a repeated wish keeps its first rank
                wished[i, j] = True
                ranked_person.append(i)
                ranked_room.append(j)
                ranked_cost.append(costs.costs[rank] * scale)
    r_person = np.array(ranked_person, dtype=np.int64)
    r_room = np.array(ranked_room, dtype=np.int64)
    u_person, u_room = (a.astype(np.int64) for a in np.nonzero(~wished))

    # The k-th miss of a person costs unranked + k*extra (k = 0..R-1): one parallel arc each.
    miss_person = np.repeat(np.arange(n, dtype=np.int64), rounds)
    miss_cost = np.tile((costs.unranked + costs.repeat_miss_extra * np.arange(rounds)) * scale, n)

    tails = np.concatenate([r_person, miss_person, miss_node + u_person, room_node + np.arange(m)])
    heads = np.concatenate(
        [room_node + r_room, miss_node + miss_person, room_node + u_room, np.full(m, sink)]
    )
    caps = np.concatenate(
        [np.ones(len(r_person) + len(miss_person) + len(u_person), dtype=np.int64), seats * rounds]
    )
    unit_costs = np.concatenate(
        [
            np.array(ranked_cost, dtype=np.int64)
            + pair_weights(person_hashes[r_person], room_hashes[r_room]),
            miss_cost.astype(np.int64),
            pair_weights(person_hashes[u_person], room_hashes[u_room]),
            np.zeros(m, dtype=np.int64),
        ]
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, unit_costs)
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n] = rounds
    supplies[sink] = -n * rounds
    flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int64), supplies)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")  # not reachable for valid input
    if flow.maximum_flow() < n * rounds:
        missing = n * rounds - flow.maximum_flow()
        raise no_repeat_infeasible(missing)

    flows = flow.flows(np.arange(flow.num_arcs(), dtype=np.int64))
    ranked_used = flows[: len(r_person)] > 0
    start = len(r_person) + len(miss_person)
    unranked_used = flows[start : start + len(u_person)] > 0
    person_idx = np.concatenate([r_person[ranked_used], u_person[unranked_used]])
    room_idx = np.concatenate([r_room[ranked_used], u_room[unranked_used]])
    order = np.lexsort((room_idx, person_idx))
    return person_idx[order], room_idx[order]


def _pick_round(  # noqa: PLR0913  hot loop: plain arrays, no wrapper object
    n: int,
    m: int,
    seats: IntArray,
    rounds_left: int,
    person_idx: IntArray,
    room_idx: IntArray,
    person_hashes: npt.NDArray[np.uint64],
    room_hashes: npt.NDArray[np.uint64],
) -> npt.NDArray[np.bool_]:
    """Step 2 for one round: choose one remaining edge per person within the lower/upper bounds."""
    load = np.bincount(room_idx, minlength=m).astype(np.int64)
    lower = np.maximum(0, load - (rounds_left - 1) * seats)
    upper = np.minimum(seats, load)
    room_node, sink = n, n + m
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([person_idx, room_node + np.arange(m)]),
        np.concatenate([room_node + room_idx, np.full(m, sink)]),
        np.concatenate([np.ones(len(person_idx), dtype=np.int64), upper - lower]),
        np.concatenate(
            [pair_weights(person_hashes[person_idx], room_hashes[room_idx]), np.zeros(m, dtype=np.int64)]
        ),
    )
    supplies = np.concatenate([np.ones(n, dtype=np.int64), -lower, [-(n - int(lower.sum()))]])
    flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int64), supplies.astype(np.int64))
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"round split failed with status {status}")  # excluded by König's theorem
    # OR-tools is untyped: name the type of its answer.
    used: npt.NDArray[np.bool_] = flow.flows(np.arange(len(person_idx), dtype=np.int64)) > 0
    return used


def no_repeat_infeasible(missing: int) -> InfeasiblePlan:
    """The error for plans that fail only because nobody may attend a workshop twice."""
    return InfeasiblePlan(
        _(
            "No plan gives every person a different workshop in every round: {missing} placements "
            "cannot be made. Add rooms or seats. Nothing was planned.",
            missing=missing,
        ),
        round_number=None,
        missing_seats=missing,
    )
