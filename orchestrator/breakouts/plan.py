"""Planning breakout rounds from the store: people and wishes in, optimal stored assignment out.

Which rounds: every round that has not started (or the one round asked for). Rounds that have
started stay as they are; the workshops people attended there count as visited (no repeats).

Re-planning keeps every stored placement that is still possible (person active, room offered,
no repeat) as a fixed placement, so late registrations fill free seats and nobody already placed
moves. ``rebalance=True`` keeps only placements made by hand (move/swap) and plans everyone else
anew; the report lists who moved. People who cancelled lose their rows in the re-planned rounds.
A room over capacity through ``--force`` moves is given to the solver with the seats it has in
use, so those people stay and nobody else is added.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.breakouts.people import moderator_emails, people_by_email, plannable_people, solver_wishes
from orchestrator.breakouts.results import (
    FlaggedRoom,
    PlanMove,
    PlanReport,
    RemovedPlacement,
    RoomPlanStats,
    WishCounts,
)
from orchestrator.breakouts.rounds import find_round, phase, require_upcoming
from orchestrator.breakouts.solver import DEFAULT_MAX_SECONDS, solve
from orchestrator.breakouts.solver.model import Participant, Plan, Problem, RankCosts, RoomSlot
from orchestrator.breakouts.solver.replan import kept_placements, moves
from orchestrator.breakouts.store import Placement, record_plan, write_round
from orchestrator.db.models import BreakoutAssignment, BreakoutRoundRecord, Event, Person
from orchestrator.db.models.breakouts import AssignmentSource
from orchestrator.db.models.person import PersonStatus
from orchestrator.errors import BadInput
from orchestrator.i18n import _


@dataclass(frozen=True)
class PlanOptions:
    """How to plan: which round (None: all upcoming), costs per wish rank, keep or rebalance."""

    round_number: int | None = None
    costs: RankCosts = field(default_factory=RankCosts)
    rebalance: bool = False
    max_seconds: float = DEFAULT_MAX_SECONDS


def plan_event(session: Session, event: Event, *, now: datetime, options: PlanOptions) -> PlanReport:
    """Plan the upcoming rounds of ``event`` optimally and store the result (the caller commits).

    Raises ``BadInput`` (``InfeasiblePlan``: how many seats are missing) without changing anything.
    """
    targets = _target_rounds(event, now, options.round_number)
    target_numbers = {r.number for r in targets}
    people = plannable_people(session, event)
    by_key = {p.email: p for p in people}
    stored = _stored(session, event)  # (email, round) -> row, people of any status
    visited = _visited(stored, by_key, target_numbers)
    previous = {
        (email, number): row.room_name
        for (email, number), row in stored.items()
        if number in target_numbers and email in by_key
    }
    keep = {
        where: room
        for where, room in previous.items()
        if not options.rebalance or stored[where].source == AssignmentSource.MOVED
    }
    offered = [(r.number, room.name) for r in targets for room in r.rooms]
    fixed = _without_repeats(kept_placements(keep, by_key, offered), visited)
    workshops = [room.name for r in event.rounds for room in r.rooms]
    participants = [
        Participant(
            key=p.email,
            wishes=solver_wishes(p.wishes or [], workshops, len(options.costs.costs)),
            visited=frozenset(visited.get(p.email, ())),
        )
        for p in people
    ]
    plan = solve(
        Problem(rooms=_slots(targets, fixed), participants=participants, fixed=fixed, costs=options.costs),
        max_seconds=options.max_seconds,
    )
    removed = _store(session, event, targets, plan, stored, by_key, now)
    versions = {
        r.number: record_plan(session, r, method=plan.method, objective=plan.objective, now=now).version
        for r in targets
    }
    return _report(event, session, targets, plan, people, previous, fixed, removed, versions)


def _target_rounds(event: Event, now: datetime, number: int | None) -> list[BreakoutRoundRecord]:
    if not event.rounds:
        raise BadInput(_("The agenda has no breakout rounds; there is nothing to plan."))
    if number is not None:
        round_row = find_round(event, number)
        require_upcoming(round_row, now)
        return [round_row]
    upcoming = [r for r in event.rounds if phase(r, now) == "upcoming"]
    if not upcoming:
        raise BadInput(
            _("All breakout rounds have started or are over; use 'move' or 'swap' for single changes.")
        )
    return upcoming


def _stored(session: Session, event: Event) -> dict[tuple[str, int], BreakoutAssignment]:
    query = (
        select(BreakoutAssignment, Person.email, BreakoutRoundRecord.number)
        .join(Person, Person.id == BreakoutAssignment.person_id)
        .join(BreakoutRoundRecord, BreakoutRoundRecord.id == BreakoutAssignment.round_id)
        .where(BreakoutRoundRecord.event_id == event.id)
    )
    return {(email, number): row for row, email, number in session.execute(query)}


def _visited(
    stored: dict[tuple[str, int], BreakoutAssignment], by_key: dict[str, Person], targets: set[int]
) -> dict[str, set[str]]:
    visited: dict[str, set[str]] = defaultdict(set)
    for (email, number), row in stored.items():
        if number not in targets and email in by_key:
            visited[email].add(row.room_name)
    return visited


def _without_repeats(
    fixed: dict[tuple[str, int], str], visited: dict[str, set[str]]
) -> dict[tuple[str, int], str]:
    """Drop kept placements that would repeat a workshop (possible only after hand-made changes)."""
    seen: dict[str, set[str]] = defaultdict(set)
    result: dict[tuple[str, int], str] = {}
    for (email, number), room in sorted(fixed.items(), key=lambda item: (item[0][1], item[0][0])):
        if room in visited.get(email, set()) or room in seen[email]:
            continue
        seen[email].add(room)
        result[(email, number)] = room
    return result


def _slots(targets: list[BreakoutRoundRecord], fixed: dict[tuple[str, int], str]) -> list[RoomSlot]:
    used = Counter((number, room) for (_email, number), room in fixed.items())
    return [
        RoomSlot(r.number, room.name, max(room.capacity, used[(r.number, room.name)]))
        for r in targets
        for room in r.rooms
    ]


def _store(
    session: Session,
    event: Event,
    targets: list[BreakoutRoundRecord],
    plan: Plan,
    stored: dict[tuple[str, int], BreakoutAssignment],
    by_key: dict[str, Person],
    now: datetime,
) -> list[RemovedPlacement]:
    everyone = people_by_email(session, event)
    removed: list[RemovedPlacement] = []
    for round_row in targets:
        placements: dict[int, Placement] = {}
        for (email, number), room in plan.assignment.items():
            if number != round_row.number:
                continue
            before = stored.get((email, number))
            kept_by_hand = (
                before is not None and before.room_name == room and before.source == AssignmentSource.MOVED
            )
            placements[by_key[email].id] = Placement(
                room=room,
                source=AssignmentSource.MOVED if kept_by_hand else AssignmentSource.PLANNED,
                forced=bool(kept_by_hand and before is not None and before.forced),
            )
        for (email, number), row in sorted(stored.items()):
            if number == round_row.number and email not in by_key:
                person = everyone.get(email)
                cancelled = person is not None and person.status == PersonStatus.CANCELLED
                removed.append(
                    RemovedPlacement(
                        round=number,
                        email=email,
                        name=person.full_name if person else email,
                        room=row.room_name,
                        reason="cancelled" if cancelled else "moderator",
                    )
                )
        write_round(session, round_row, placements, now)
    return removed


def _report(  # noqa: PLR0913  assembles the report from the steps of plan_event
    event: Event,
    session: Session,
    targets: list[BreakoutRoundRecord],
    plan: Plan,
    people: list[Person],
    previous: dict[tuple[str, int], str],
    fixed: dict[tuple[str, int], str],
    removed: list[RemovedPlacement],
    versions: dict[int, int],
) -> PlanReport:
    names = {p.email: p.full_name for p in people}
    rooms: list[RoomPlanStats] = []
    for round_row in targets:
        for room in round_row.rooms:
            stats = plan.per_room[(round_row.number, room.name)]
            rooms.append(
                RoomPlanStats(
                    round=round_row.number,
                    room=room.name,
                    capacity=room.capacity,
                    assigned=stats.assigned,
                    first=stats.first,
                    second=stats.second,
                    third=stats.third,
                    none=stats.none,
                )
            )
    overall = plan.overall
    return PlanReport(
        event=event.key,
        rounds=[r.number for r in targets],
        method=plan.method,
        objective=plan.objective,
        people=len(people),
        kept=len(fixed),
        placed_new=sum(1 for where in plan.assignment if where not in previous),
        rooms=rooms,
        wishes=WishCounts(first=overall.first, second=overall.second, third=overall.third, none=overall.none),
        moved=[
            PlanMove(
                round=m.round_number,
                email=m.key,
                name=names.get(m.key, m.key),
                before=m.before,
                after=m.after,
            )
            for m in moves(previous, plan.assignment)
        ],
        removed=removed,
        versions=versions,
        flagged_rooms=flagged_rooms(session, event, targets),
    )


def flagged_rooms(session: Session, event: Event, rounds: list[BreakoutRoundRecord]) -> list[FlaggedRoom]:
    """Rooms whose moderator cancelled (their registration, matched by e-mail)."""
    cancelled = {
        email
        for email, person in people_by_email(session, event).items()
        if person.status == PersonStatus.CANCELLED and email in moderator_emails(event)
    }
    flagged: list[FlaggedRoom] = []
    for round_row in rounds:
        for room in round_row.rooms:
            gone = [m["name"] for m in room.moderators if str(m["email"]).strip().lower() in cancelled]
            if gone:
                flagged.append(FlaggedRoom(round=round_row.number, room=room.name, cancelled_moderators=gone))
    return flagged
