"""Benchmark of the breakout assignment solver (issue "Breakout rounds").

5,000 people x 40 rooms x 3 rounds, Zipf-like workshop popularity, fixed seed. Prints: solve time
(median of 3), objective, the optimum of an independent LP relaxation / MIP (scipy HiGHS) and their
equality, per-round and overall 1st/2nd/3rd/none counts, the round-by-round (sequential) plan for
comparison, and the re-plan after 50 late registrations.

Run: .venv/bin/python benchmarks/breakouts_solver.py
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import TypeVar

import numpy as np
import scipy.sparse as sp
from ortools.graph.python import min_cost_flow
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from orchestrator.breakouts import (
    Participant,
    Plan,
    Problem,
    RankCosts,
    RoomSlot,
    WishStats,
    kept_placements,
    moves,
    solve,
)
from orchestrator.breakouts.solver.stats import assignment_cost, wish_stats

SEED = 20250
PEOPLE = 5_000
ROOMS = 40
ROUNDS = (1, 2, 3)
SEATS = 130  # 40 x 130 = 5,200 seats per round for 5,000 (+50) people
ZIPF_EXPONENT = 1.0
LATE = 50

T = TypeVar("T")


def make_people(rng: np.random.Generator, rooms: list[str], count: int, prefix: str) -> list[Participant]:
    """People with three distinct ranked wishes drawn with Zipf-like popularity (a few with fewer)."""
    popularity = 1.0 / np.arange(1, len(rooms) + 1) ** ZIPF_EXPONENT
    popularity /= popularity.sum()
    people = []
    for i in range(count):
        wishes = rng.choice(len(rooms), size=3, replace=False, p=popularity)
        keep = 3 if rng.random() > 0.05 else int(rng.integers(0, 3))  # 5 % gave fewer wishes
        people.append(Participant(f"{prefix}{i:05d}", tuple(rooms[j] for j in wishes[:keep])))
    return people


def timed(call: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def check_plan(problem: Problem, assignment: Mapping[tuple[str, int], str]) -> None:
    """Independent feasibility check: one room per round, capacities, no repeated workshop, fixed kept."""
    capacity = {(s.round_number, s.room): s.capacity for s in problem.rooms}
    for person in problem.participants:
        visited = [assignment[(person.key, r)] for r in ROUNDS]
        assert len(set(visited)) == len(visited), person.key
    used = Counter((r, room) for (_key, r), room in assignment.items())
    assert all(count <= capacity[where] for where, count in used.items())
    assert len(assignment) == len(problem.participants) * len(ROUNDS)
    assert all(assignment[k] == room for k, room in problem.fixed.items())


def independent_optimum(problem: Problem, *, integer: bool) -> tuple[float, float]:
    """Optimum of the full 3-round model (x[p,r,w] and convex miss steps z[p,k]) with HiGHS.

    Written from the problem statement only; shares no code with the solver. Returns (value, seconds).
    """
    rooms = sorted({s.room for s in problem.rooms})
    capacity = {(s.round_number, s.room): s.capacity for s in problem.rooms}
    people = problem.participants
    n, m, rounds = len(people), len(rooms), len(ROUNDS)
    costs = problem.costs
    room_cost = np.full((n, m), -1.0)  # -1 marks "unranked"
    for i, person in enumerate(people):
        for rank, wish in enumerate(person.wishes):
            room_cost[i, rooms.index(wish)] = costs.costs[rank]
    unranked = room_cost < 0
    # x index: (i * rounds + r) * m + j ; then z index: n*rounds*m + i*rounds + k
    nx = n * rounds * m
    i_idx, r_idx, j_idx = (
        a.ravel() for a in np.meshgrid(np.arange(n), np.arange(rounds), np.arange(m), indexing="ij")
    )
    x_ids = np.arange(nx)
    c = np.concatenate(
        [
            np.where(unranked[i_idx, j_idx], 0.0, room_cost[i_idx, j_idx]),
            np.tile([costs.unranked + costs.repeat_miss_extra * k for k in range(rounds)], n).astype(float),
        ]
    )
    nvar = nx + n * rounds
    blocks, lows, highs = [], [], []
    # one room per person and round
    blocks.append(sp.csr_matrix((np.ones(nx), (i_idx * rounds + r_idx, x_ids)), shape=(n * rounds, nvar)))
    lows.append(np.ones(n * rounds))
    highs.append(np.ones(n * rounds))
    # seats per room and round
    blocks.append(sp.csr_matrix((np.ones(nx), (r_idx * m + j_idx, x_ids)), shape=(rounds * m, nvar)))
    lows.append(np.zeros(rounds * m))
    highs.append(
        np.array([capacity[(ROUNDS[r], rooms[j])] for r in range(rounds) for j in range(m)], dtype=float)
    )
    # no workshop twice
    blocks.append(sp.csr_matrix((np.ones(nx), (i_idx * m + j_idx, x_ids)), shape=(n * m, nvar)))
    lows.append(np.zeros(n * m))
    highs.append(np.ones(n * m))
    # misses of person i == sum of their miss steps
    miss = unranked[i_idx, j_idx]
    z_ids = nx + np.arange(n * rounds)
    rows = np.concatenate([i_idx[miss], np.repeat(np.arange(n), rounds)])
    cols = np.concatenate([x_ids[miss], z_ids])
    vals = np.concatenate([np.ones(int(miss.sum())), -np.ones(n * rounds)])
    blocks.append(sp.csr_matrix((vals, (rows, cols)), shape=(n, nvar)))
    lows.append(np.zeros(n))
    highs.append(np.zeros(n))
    a = sp.vstack(blocks).tocsr()
    lo, hi = np.concatenate(lows), np.concatenate(highs)
    start = time.perf_counter()
    if integer:
        res = milp(
            c,
            constraints=LinearConstraint(a, lo, hi),
            integrality=np.ones(nvar),
            bounds=Bounds(0, 1),
            options={"mip_rel_gap": 0},
        )
    else:
        eq = lo == hi
        res = linprog(
            c,
            A_ub=sp.vstack([a[~eq], -a[~eq]]).tocsr(),
            b_ub=np.concatenate([hi[~eq], -lo[~eq]]),
            A_eq=a[eq],
            b_eq=lo[eq],
            bounds=(0, 1),
            method="highs",
        )
    elapsed = time.perf_counter() - start
    assert res.status == 0, res.message
    return float(res.fun), elapsed


def sequential(problem: Problem) -> dict[tuple[str, int], str]:
    """Round-by-round planning for comparison: each round optimal on its own, earlier rooms excluded."""
    rooms = sorted({s.room for s in problem.rooms})
    capacity = {(s.round_number, s.room): s.capacity for s in problem.rooms}
    people = problem.participants
    n, m = len(people), len(rooms)
    costs = problem.costs
    assignment: dict[tuple[str, int], str] = {}
    for r in ROUNDS:
        tails, heads, unit = [], [], []
        for i, person in enumerate(people):
            visited = {assignment[(person.key, q)] for q in ROUNDS if q < r}
            for j, room in enumerate(rooms):
                if room in visited:
                    continue
                rank = person.rank_of(room)
                tails.append(i)
                heads.append(n + j)
                unit.append(costs.unranked if rank is None else costs.costs[rank])
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(
            np.array(tails + [n + j for j in range(m)]),
            np.array(heads + [n + m] * m),
            np.array([1] * len(tails) + [capacity[(r, room)] for room in rooms]),
            np.array(unit + [0] * m),
        )
        flow.set_nodes_supplies(np.arange(n + m + 1), np.array([1] * n + [0] * m + [-n]))
        assert flow.solve() == flow.OPTIMAL
        used = flow.flows(np.arange(len(tails))) > 0
        for arc in np.nonzero(used)[0]:
            assignment[(people[tails[arc]].key, r)] = rooms[heads[arc] - n]
    return assignment


def show_stats(title: str, per_round: Mapping[int, WishStats]) -> None:
    print(f"  {title}")
    print(f"    {'round':>7} {'1st':>6} {'2nd':>6} {'3rd':>6} {'none':>6}")
    total = Counter[str]()
    for r, s in sorted(per_round.items()):
        print(f"    {r:>7} {s.first:>6} {s.second:>6} {s.third:>6} {s.none:>6}")
        total.update(first=s.first, second=s.second, third=s.third, none=s.none)
    print(
        f"    {'overall':>7} {total['first']:>6} {total['second']:>6} {total['third']:>6} {total['none']:>6}"
    )


def median_of(runs: list[tuple[T, float]]) -> float:
    return statistics.median(seconds for _result, seconds in runs)


def misses_per_person(problem: Problem, assignment: Mapping[tuple[str, int], str]) -> dict[int, int]:
    """How many people missed all their wishes in 0, 1, 2, 3 rounds."""
    by_key = {p.key: p for p in problem.participants}
    misses = Counter(key for (key, _r), room in assignment.items() if by_key[key].rank_of(room) is None)
    return dict(sorted(Counter(misses[p.key] for p in problem.participants).items()))


def main() -> None:
    rng = np.random.default_rng(SEED)
    rooms = [f"Workshop {j + 1:02d}" for j in range(ROOMS)]
    slots = [RoomSlot(r, room, SEATS) for r in ROUNDS for room in rooms]
    people = make_people(rng, rooms, PEOPLE, "p")
    problem = Problem(rooms=slots, participants=people, costs=RankCosts())
    print(
        f"Instance: {PEOPLE} people, {ROOMS} rooms x {SEATS} seats, {len(ROUNDS)} rounds, "
        f"Zipf exponent {ZIPF_EXPONENT}, seed {SEED}, costs {problem.costs}"
    )

    runs = [timed(lambda: solve(problem)) for _ in range(3)]
    plan: Plan = runs[0][0]
    assert all(run[0].assignment == plan.assignment for run in runs), "not deterministic"
    check_plan(problem, plan.assignment)
    shuffled = Problem(
        rooms=list(reversed(slots)),
        participants=list(rng.permutation(np.array(people, dtype=object))),
        costs=problem.costs,
    )
    same_when_shuffled = solve(shuffled).assignment == plan.assignment
    print(
        f"\nJoint plan (method {plan.method}): median solve time {median_of(runs):.3f} s "
        f"(runs: {', '.join(f'{t:.3f}' for _p, t in runs)}); objective {plan.objective}"
    )
    print(f"  same plan for shuffled input order: {same_when_shuffled}")
    lp_value, lp_seconds = independent_optimum(problem, integer=False)
    print(f"  independent LP relaxation (scipy HiGHS, {lp_seconds:.1f} s): {lp_value:.4f}")
    print(
        f"  objective == LP optimum: {abs(lp_value - plan.objective) < 1e-6}"
        " (an integer plan at the LP lower bound is optimal)"
    )
    if abs(lp_value - plan.objective) >= 1e-6:
        mip_value, mip_seconds = independent_optimum(problem, integer=True)
        print(
            f"  independent MIP (scipy HiGHS, {mip_seconds:.1f} s): {mip_value:.4f};"
            f" equal: {abs(mip_value - plan.objective) < 1e-6}"
        )
    show_stats("wishes met, joint plan:", plan.per_round)
    print(f"  people by number of rounds with no wish met: {misses_per_person(problem, plan.assignment)}")

    seq, seq_seconds = timed(lambda: sequential(problem))
    check_plan(problem, seq)
    seq_rounds, _rooms = wish_stats(people, seq, {(s.round_number, s.room): s.capacity for s in slots})
    print(
        f"\nSequential round-by-round plan ({seq_seconds:.2f} s), for comparison: "
        f"objective {assignment_cost(people, seq, problem.costs)} under the same costs"
    )
    show_stats("wishes met, sequential plan:", seq_rounds)
    print(f"  people by number of rounds with no wish met: {misses_per_person(problem, seq)}")

    late = make_people(rng, rooms, LATE, "late")
    everyone = people + late
    fixed = kept_placements(
        plan.assignment, [p.key for p in everyone], [(s.round_number, s.room) for s in slots]
    )
    replan_problem = Problem(rooms=slots, participants=everyone, fixed=fixed, costs=problem.costs)
    replan_runs = [timed(lambda: solve(replan_problem)) for _ in range(3)]
    replan = replan_runs[0][0]
    check_plan(replan_problem, replan.assignment)
    moved = moves(plan.assignment, replan.assignment)
    print(
        f"\nRe-plan after {LATE} late registrations, everyone placed kept (method {replan.method}): "
        f"median {median_of(replan_runs):.3f} s; moved: {len({m.key for m in moved})} people; "
        f"objective {replan.objective}"
    )
    late_ranks = [p.rank_of(replan.assignment[(p.key, r)]) for p in late for r in ROUNDS]
    late_stats = Counter("none" if rank is None else f"wish {rank + 1}" for rank in late_ranks)
    print(f"  late registrations' placements: {dict(sorted(late_stats.items()))}")
    rebalance, rebalance_seconds = timed(
        lambda: solve(Problem(rooms=slots, participants=everyone, costs=problem.costs))
    )
    moved_rebalance = moves(plan.assignment, rebalance.assignment)
    print(
        f"  with --rebalance instead ({rebalance.method}, {rebalance_seconds:.3f} s): "
        f"objective {rebalance.objective} "
        f"(kept: {replan.objective}); {len({m.key for m in moved_rebalance})} people would move"
    )


if __name__ == "__main__":
    main()
