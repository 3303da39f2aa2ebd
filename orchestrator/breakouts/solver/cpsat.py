"""Exact general path: an integer program solved to proven optimality with OR-tools CP-SAT.

Used when the flow method does not apply (rounds with different rooms or free seats, people with
some rounds fixed). Variables ``x[p, r, w]`` say person ``p`` sits in room ``w`` in round ``r``:
one room per free round, at most one visit per workshop (fixed visits included), free seats per
room and round. Each person's unranked placements (fixed ones included) are priced convexly through
ordered indicator variables ``z[p, k]`` ("at least k free misses"). CP-SAT works in exact integer
arithmetic, so the scaled objective ``primary * scale + tie-break weight`` stays exact.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from orchestrator.breakouts.solver.flow import no_repeat_infeasible
from orchestrator.breakouts.solver.model import RankCosts
from orchestrator.breakouts.solver.prepare import Prepared
from orchestrator.breakouts.solver.tiebreak import name_hashes, pair_weights, scale_for
from orchestrator.errors import OperationFailed
from orchestrator.i18n import _

Slot = tuple[str, int, str]  # (person key, round, room)


@dataclass
class _Model:
    model: cp_model.CpModel
    x: dict[Slot, cp_model.IntVar]


def solve_by_cpsat(prepared: Prepared, costs: RankCosts, max_seconds: float) -> dict[tuple[str, int], str]:
    """Optimal placements of ``prepared.free`` in their free rounds."""
    built = _build(prepared, costs, exact_one=True)
    solver = _solver(max_seconds)
    status = solver.solve(built.model)
    if status == cp_model.INFEASIBLE:
        raise no_repeat_infeasible(_missing_placements(prepared, costs, max_seconds))
    if status != cp_model.OPTIMAL:
        raise OperationFailed(
            _("No optimal breakout plan was found within {seconds} seconds.", seconds=round(max_seconds))
        )
    return {(key, r): room for (key, r, room), var in built.x.items() if solver.boolean_value(var)}


def _solver(max_seconds: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max_seconds
    # One worker keeps the search, and so the chosen plan among exact ties, reproducible.
    solver.parameters.num_workers = 1
    # A single worker gets no LP relaxation by default; without it, proving optimality of a re-plan
    # (most people fixed, 50 late ones free) ran past 60 s. With the full linearisation: ~0.02 s.
    solver.parameters.linearization_level = 2
    return solver


def _build(prepared: Prepared, costs: RankCosts, *, exact_one: bool) -> _Model:
    model = cp_model.CpModel()
    units = sum(len(p.free_rounds) for p in prepared.free)
    scale = scale_for(units)
    x: dict[Slot, cp_model.IntVar] = {}
    terms: list[tuple[cp_model.IntVar, int]] = []
    seat_users: dict[tuple[int, str], list[cp_model.IntVar]] = {}
    round_salt = {r: name_hashes([str(r)], salt="round:")[0] for r in prepared.rounds}
    rooms_by_round = {r: prepared.rooms_of(r) for r in prepared.rounds}
    all_rooms = sorted({room for rooms in rooms_by_round.values() for room in rooms})
    room_hash = dict(zip(all_rooms, name_hashes(all_rooms).tolist(), strict=True))
    keys = [p.key for p in prepared.free]
    person_hash = dict(zip(keys, name_hashes(keys).tolist(), strict=True))

    for person in prepared.free:
        visits: dict[str, list[cp_model.IntVar]] = {}
        misses: list[cp_model.IntVar] = []
        for r in person.free_rounds:
            options = [
                room
                for room in rooms_by_round[r]
                if room not in person.fixed_rooms and prepared.residual[(r, room)] > 0
            ]
            weights = pair_weights(
                np.full(len(options), person_hash[person.key] ^ int(round_salt[r]), dtype=np.uint64),
                np.array([room_hash[room] for room in options], dtype=np.uint64),
            ).tolist()
            in_round = []
            for room, weight in zip(options, weights, strict=True):
                var = model.new_bool_var(f"x[{person.key},{r},{room}]")
                x[(person.key, r, room)] = var
                in_round.append(var)
                visits.setdefault(room, []).append(var)
                seat_users.setdefault((r, room), []).append(var)
                rank = person.wishes.index(room) if room in person.wishes else None
                if rank is None:
                    misses.append(var)
                    terms.append((var, weight))
                else:
                    terms.append((var, costs.costs[rank] * scale + weight))
            if exact_one:
                model.add_exactly_one(in_round)
            else:
                model.add_at_most_one(in_round)
        for same_workshop in visits.values():
            if len(same_workshop) > 1:
                model.add_at_most_one(same_workshop)
        terms.extend(
            _miss_terms(model, person.key, misses, person.fixed_misses, len(person.free_rounds), costs, scale)
        )
    for (r, room), users in seat_users.items():
        model.add(sum(users) <= prepared.residual[(r, room)])
    if exact_one:
        model.minimize(sum(coef * var for var, coef in terms))
    else:
        model.maximize(sum(x.values()))
    return _Model(model, x)


def _miss_terms(
    model: cp_model.CpModel,
    key: str,
    misses: list[cp_model.IntVar],
    fixed_misses: int,
    free_rounds: int,
    costs: RankCosts,
    scale: int,
) -> list[tuple[cp_model.IntVar, int]]:
    """Convex price of this person's free misses, given ``fixed_misses`` already made."""
    if not misses:
        return []
    steps = [model.new_bool_var(f"z[{key},{k}]") for k in range(free_rounds)]
    for earlier, later in itertools.pairwise(steps):
        model.add_implication(later, earlier)
    model.add(sum(steps) == sum(misses))
    return [
        (step, (costs.unranked + costs.repeat_miss_extra * (fixed_misses + k)) * scale)
        for k, step in enumerate(steps)
    ]


def _missing_placements(prepared: Prepared, costs: RankCosts, max_seconds: float) -> int:
    """How many free (person, round) placements cannot be made at best."""
    built = _build(prepared, costs, exact_one=False)
    solver = _solver(max_seconds)
    solver.solve(built.model)
    needed = sum(len(p.free_rounds) for p in prepared.free)
    return needed - round(solver.objective_value)
