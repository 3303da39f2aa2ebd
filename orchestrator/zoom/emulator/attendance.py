"""A seeded rehearsal of a meeting: who joins when, who leaves and rejoins, who visits breakout rooms.

:func:`simulate` turns a meeting's registrants into attendance facts the way people behave: most
join with their personal link around the start (some late), some leave early, some drop out and
rejoin (a new Zoom ``user_id`` for each join, as Zoom counts them), some never come, and a few
guests join with a name only (no e-mail, no registrant id). During the breakout phase people in
the meeting visit rooms, some switching rooms once. The same seed gives the same facts, so a test
or a demo can be repeated exactly. The facts feed both the webhooks
(:mod:`orchestrator.zoom.emulator.webhook_sender`) and the participant reports
(:mod:`orchestrator.zoom.emulator.past_meetings`).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

GUEST_NAMES = ("Gast", "iPad", "Tablet Konferenzraum", "Smartphone", "Zuhörer", "Kamera 2")


@dataclass(frozen=True)
class Invitee:
    """Someone who may come: a registrant (name, e-mail, registrant id) or a guest (name only)."""

    name: str
    email: str = ""
    registrant_id: str = ""


@dataclass(frozen=True)
class Presence:
    """One stay in the main meeting, from one join to the matching leave (Zoom: one ``user_id``)."""

    participant_uuid: str  # stable for one person's device across rejoins
    user_id: str  # new for every join, as in Zoom's reports
    name: str
    email: str
    registrant_id: str
    join_time: datetime
    leave_time: datetime

    @property
    def duration(self) -> int:
        """Seconds in the meeting, as Zoom reports ``duration``."""
        return int((self.leave_time - self.join_time).total_seconds())


@dataclass(frozen=True)
class RoomVisit:
    """One stay in a breakout room by someone who is (also) present in the meeting."""

    presence: Presence
    room_uuid: str
    room_name: str
    join_time: datetime
    leave_time: datetime


@dataclass(frozen=True)
class AttendancePlan:
    """How the simulated audience behaves (shares are of the registrants; all seeded)."""

    seed: int = 1
    no_show_share: float = 0.15
    late_share: float = 0.2
    early_leave_share: float = 0.1
    rejoin_share: float = 0.2
    guests: int = 2
    breakout_rooms: int = 0
    breakout_share: float = 0.8  # of those present during the breakout phase
    room_switch_share: float = 0.1


@dataclass(frozen=True)
class AttendanceFacts:
    """What happened in one meeting instance: the source of webhooks and participant reports."""

    meeting_id: int
    uuid: str
    start: datetime
    end: datetime
    presences: tuple[Presence, ...]
    room_visits: tuple[RoomVisit, ...] = ()
    no_shows: tuple[Invitee, ...] = ()
    rooms: tuple[tuple[str, str], ...] = field(default=())  # (uuid, name)

    def timeline(self) -> Iterator[tuple[datetime, str, Presence | RoomVisit | None]]:
        """``(time, event, fact)`` in the order Zoom would notify, ending with ``meeting.ended``."""
        items: list[tuple[datetime, int, str, Presence | RoomVisit | None]] = [
            (self.start, 0, "meeting.started", None)
        ]
        for p in self.presences:
            items.append((p.join_time, 1, "meeting.participant_joined", p))
            items.append((p.leave_time, 4, "meeting.participant_left", p))
        for v in self.room_visits:
            items.append((v.join_time, 2, "meeting.participant_joined_breakout_room", v))
            items.append((v.leave_time, 3, "meeting.participant_left_breakout_room", v))
        items.append((self.end, 5, "meeting.ended", None))
        # at equal times: start, joins, room joins, room leaves, leaves, end
        for at, _, kind, fact in sorted(items, key=lambda item: (item[0], item[1])):
            yield at, kind, fact


def simulate(
    meeting_id: int,
    uuid: str,
    start: datetime,
    end: datetime,
    registrants: Sequence[Invitee],
    plan: AttendancePlan | None = None,
) -> AttendanceFacts:
    """Seeded attendance of ``registrants`` (plus ``plan.guests`` guests) between ``start`` and ``end``."""
    if end <= start:
        raise ValueError("the meeting must end after it starts")
    plan = plan or AttendancePlan()
    rng = random.Random(plan.seed)
    length = (end - start).total_seconds()
    user_ids = _UserIds(rng)
    presences: list[Presence] = []
    no_shows: list[Invitee] = []
    guests = [Invitee(name=f"{GUEST_NAMES[i % len(GUEST_NAMES)]} {i + 1}") for i in range(plan.guests)]
    for index, person in enumerate([*registrants, *guests]):
        if person.registrant_id and rng.random() < plan.no_show_share:
            no_shows.append(person)
            continue
        device = f"{rng.getrandbits(64):016x}-{index}"
        arrive = start + timedelta(seconds=rng.uniform(-300, 120))
        if rng.random() < plan.late_share:
            arrive = start + timedelta(seconds=rng.uniform(0.1, 0.4) * length)
        leave = end + timedelta(seconds=rng.uniform(-120, 0))
        if rng.random() < plan.early_leave_share:
            leave = start + timedelta(seconds=rng.uniform(0.5, 0.9) * length)
        arrive = max(arrive, start)  # before the start: Zoom's waiting room, not the meeting
        if leave <= arrive:
            leave = min(end, arrive + timedelta(minutes=5))
        stays = [(arrive, leave)]
        if rng.random() < plan.rejoin_share and (leave - arrive).total_seconds() > 1800:
            drop = arrive + timedelta(seconds=rng.uniform(0.2, 0.6) * (leave - arrive).total_seconds())
            back = drop + timedelta(seconds=rng.uniform(60, 900))
            if back < leave:
                stays = [(arrive, drop), (back, leave)]
        for joined, left in stays:
            presences.append(
                Presence(
                    device,
                    user_ids.next(),
                    person.name,
                    person.email,
                    person.registrant_id,
                    _second(joined),
                    _second(left),
                )
            )
    rooms = tuple((f"room-{rng.getrandbits(48):012x}", f"Raum {n + 1}") for n in range(plan.breakout_rooms))
    visits = _room_visits(rng, plan, rooms, presences, start, length)
    return AttendanceFacts(
        meeting_id, uuid, start, end, tuple(presences), tuple(visits), tuple(no_shows), rooms
    )


def _room_visits(
    rng: random.Random,
    plan: AttendancePlan,
    rooms: tuple[tuple[str, str], ...],
    presences: list[Presence],
    start: datetime,
    length: float,
) -> list[RoomVisit]:
    if not rooms:
        return []
    opened = _second(start + timedelta(seconds=0.45 * length))
    closed = _second(start + timedelta(seconds=0.65 * length))
    visits: list[RoomVisit] = []
    for presence in presences:
        if (
            not (presence.join_time < opened and presence.leave_time > closed)
            or rng.random() >= plan.breakout_share
        ):
            continue
        entered = opened + timedelta(seconds=rng.randint(5, 60))
        room_uuid, room_name = rooms[rng.randrange(len(rooms))]
        if rng.random() < plan.room_switch_share and len(rooms) > 1:
            switch = entered + (closed - entered) / 2
            other = rooms[(rooms.index((room_uuid, room_name)) + 1) % len(rooms)]
            visits.append(RoomVisit(presence, room_uuid, room_name, entered, switch))
            visits.append(RoomVisit(presence, other[0], other[1], switch + timedelta(seconds=10), closed))
        else:
            visits.append(RoomVisit(presence, room_uuid, room_name, entered, closed))
    return visits


class _UserIds:
    """Zoom's per-join participant ids: numeric strings, unique within the meeting."""

    def __init__(self, rng: random.Random) -> None:
        self._next = 16778240 + rng.randrange(1000) * 1024

    def next(self) -> str:
        value = self._next
        self._next += 1024
        return str(value)


def _second(at: datetime) -> datetime:
    return at.replace(microsecond=0)
