"""Who in the live Zoom meeting is which registered person, and which breakout assignments remain.

Pure and deterministic: the same inputs in any order give the same :class:`MatchReport`.

A participant is identified, strongest first, by

1. the host's own choice for that ``participantUUID`` (a person, or "chooses own room");
2. a Zoom identity the store has for a person: a ``participant_uuid`` seen in
   ``meeting.participant_joined`` for that person (the store resolves ``registrant_id`` and e-mail
   to the person when the webhook arrives; the Apps SDK reports neither, so the UUID is the only
   identity both sides share);
3. the screen name, folded (see :mod:`orchestrator.live.names`).

Nothing is placed on a guess. A person claimed at one level is out of the running at the levels
below (someone identified by UUID is never also matched by name to another participant). A name
places a participant only when it fits exactly one remaining person *and* that person's name fits
no other remaining participant; otherwise everybody involved is *unsure* and the candidates are
listed. Names that only partly fit ("Petra M.", "iPad von Petra", a first name alone) are *unsure*
with their candidates as hints, even when there is only one. Hosts and co-hosts are never assigned
(Zoom does not allow it).

About the UUIDs: Zoom documents ``participant_uuid`` in the meeting webhooks and
``participantUUID`` in the Apps SDK (``getMeetingParticipants``) as "the participant's UUID", and
both arrive as upper-case GUIDs, but no Zoom document found states that they are the same value
(developer-forum reports even say the webhook's ``participant_uuid`` changes when someone leaves and
rejoins). So an identity match is used when the values agree (compared case-insensitively, braces
dropped) and the name decides otherwise; a mismatch never causes a wrong placement, only a miss.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, Literal

from orchestrator.i18n import N_
from orchestrator.live.names import FoldedName, fold_name, partially_fits, person_name

CHOOSES_OWN_ROOM: Final = "own_room"
HostChoice = int | Literal["own_room"]
_STAFF_ROLES = frozenset({"host", "cohost"})


def normalise_uuid(value: str) -> str:
    """Compare Zoom participant UUIDs without regard to case or surrounding braces/space."""
    return value.strip().strip("{}").upper()


def is_host_role(role: str | None) -> bool:
    """Zoom's roles for the meeting's staff: ``host`` and ``coHost`` (any spelling of co-host)."""
    return bool(role) and "".join(c for c in str(role).casefold() if c.isalpha()) in _STAFF_ROLES


class Status(StrEnum):
    PLACED = "placed"  # in the room the plan says
    TO_PLACE = "to_place"  # identified, needs an assignment to ``target_room``
    NOT_PLANNED = "not_planned"  # identified, but the plan has no room for this person
    OWN_ROOM = "own_room"  # the host decided this participant chooses a room
    UNSURE = "unsure"  # fits one or more candidates, needs the host's decision
    UNKNOWN = "unknown"  # fits nobody
    HOST = "host"  # host or co-host: never assigned


STATUS_LABELS: dict[Status, str] = {
    Status.PLACED: N_("placed as planned"),
    Status.TO_PLACE: N_("to be placed"),
    Status.NOT_PLANNED: N_("no room planned"),
    Status.OWN_ROOM: N_("chooses own room"),
    Status.UNSURE: N_("unsure"),
    Status.UNKNOWN: N_("unknown"),
    Status.HOST: N_("host or co-host"),
}


class MatchedBy(StrEnum):
    HOST_CHOICE = "host_choice"
    IDENTITY = "identity"
    NAME = "name"


@dataclass(frozen=True)
class LiveParticipant:
    """One participant as the Apps SDK reports them (``getMeetingParticipants``)."""

    participant_uuid: str
    screen_name: str
    role: str = "attendee"

    @property
    def is_host_or_cohost(self) -> bool:
        return is_host_role(self.role)


@dataclass(frozen=True)
class RegisteredPerson:
    """A registered person of the event with the Zoom participant UUIDs the store has seen for them."""

    person_id: int
    first_name: str
    last_name: str
    organisation: str | None = None
    email: str | None = None
    participant_uuids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ParticipantMatch:
    participant: LiveParticipant
    status: Status
    person_id: int | None = None
    matched_by: MatchedBy | None = None
    target_room: str | None = None
    current_room: str | None = None
    candidates: tuple[int, ...] = ()


@dataclass(frozen=True)
class Assignment:
    """One ``assignParticipantToBreakoutRoom`` call still to make."""

    participant_uuid: str
    room: str
    person_id: int


@dataclass(frozen=True)
class AbsentPerson:
    """Someone the plan puts in a room who is not identified in the meeting."""

    person_id: int
    room: str
    possibly_present: bool  # among the candidates of an unsure participant


@dataclass(frozen=True)
class MatchReport:
    participants: tuple[ParticipantMatch, ...]
    absent: tuple[AbsentPerson, ...]
    assignments: tuple[Assignment, ...]
    missing_rooms: tuple[str, ...]  # planned rooms with someone to place that Zoom does not have
    counts: Mapping[Status, int] = field(default_factory=dict)


@dataclass
class _Claims:
    """Participant uuid -> person id for the identified; person ids that are out of the running."""

    resolved: dict[str, tuple[int, MatchedBy]] = field(default_factory=dict)
    unsure: dict[str, tuple[int, ...]] = field(default_factory=dict)
    taken: set[int] = field(default_factory=set)


def _settle(claims: _Claims, wanted: Mapping[str, frozenset[int]], how: MatchedBy) -> None:
    """Resolve participants whose wanted person is theirs alone; mark everything else unsure."""
    by_person: dict[int, set[str]] = defaultdict(set)
    for uuid, persons in wanted.items():
        for person in persons:
            by_person[person].add(uuid)
    for uuid in sorted(wanted):
        persons = wanted[uuid]
        if len(persons) == 1 and len(by_person[next(iter(persons))]) == 1:
            claims.resolved[uuid] = (next(iter(persons)), how)
        else:
            claims.unsure[uuid] = tuple(sorted(persons))
    claims.taken.update(by_person)


def _current_rooms(room_members: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    rooms: dict[str, set[str]] = defaultdict(set)
    for room, members in room_members.items():
        for uuid in members:
            rooms[normalise_uuid(uuid)].add(room)
    return rooms


def _unique_participants(participants: Iterable[LiveParticipant]) -> dict[str, LiveParticipant]:
    """One entry per participant UUID (the SDK should never repeat one; if it does, keep one stably)."""
    live: dict[str, LiveParticipant] = {}
    for p in sorted(
        participants,
        key=lambda p: (normalise_uuid(p.participant_uuid), p.participant_uuid, p.screen_name, p.role),
    ):
        live.setdefault(normalise_uuid(p.participant_uuid), p)
    return live


def _host_chosen_person(choice: HostChoice | None, persons: Mapping[int, RegisteredPerson]) -> int | None:
    if isinstance(choice, int) and not isinstance(choice, bool) and choice in persons:
        return choice
    return None


def _match_identities(
    claims: _Claims, open_uuids: list[str], persons: Mapping[int, RegisteredPerson]
) -> set[str]:
    """Level 2: participant UUIDs the store saw for a person. Returns the participants it decided."""
    owners: dict[str, set[int]] = defaultdict(set)
    for person in persons.values():
        for uuid in person.participant_uuids:
            owners[normalise_uuid(uuid)].add(person.person_id)
    taken_before = set(claims.taken)
    linked = {u: frozenset(owners[u]) for u in open_uuids if owners.get(u)}
    _settle(
        claims, {u: ids - taken_before for u, ids in linked.items() if ids - taken_before}, MatchedBy.IDENTITY
    )
    for u, ids in linked.items():
        if not ids - taken_before:  # identified as someone the host already placed elsewhere
            claims.unsure[u] = tuple(sorted(ids))
            claims.taken.update(ids)
    return set(linked)


def _match_names(
    claims: _Claims, screen_names: Mapping[str, str], persons: Mapping[int, RegisteredPerson]
) -> None:
    """Level 3: exact folded names decide when mutually unique; partial fits become hints."""
    folded_people = {
        pid: fold_name(person_name(p.first_name, p.last_name))
        for pid, p in persons.items()
        if pid not in claims.taken
    }
    by_key: dict[tuple[str, ...], set[int]] = defaultdict(set)
    by_word: dict[str, set[int]] = defaultdict(set)
    for pid, folded in folded_people.items():
        for key in folded.keys:
            by_key[key].add(pid)
        for word in folded.words:
            by_word[word].add(pid)
    folded_live: dict[str, FoldedName] = {u: fold_name(name) for u, name in screen_names.items()}
    exact = {u: frozenset(pid for k in f.keys for pid in by_key.get(k, ())) for u, f in folded_live.items()}
    _settle(claims, {u: ids for u, ids in exact.items() if ids}, MatchedBy.NAME)
    for u, folded in sorted(folded_live.items()):
        if not exact[u]:
            near = {pid for w in folded.words for pid in by_word.get(w, ())}
            hints = tuple(sorted(pid for pid in near if partially_fits(folded, folded_people[pid])))
            if hints:
                claims.unsure[u] = hints


def _identified(
    participant: LiveParticipant, person_id: int, how: MatchedBy, plan: Mapping[int, str], current: list[str]
) -> tuple[ParticipantMatch, Assignment | None]:
    target = plan.get(person_id)
    current_room = current[0] if current else None
    if target is None:
        return ParticipantMatch(participant, Status.NOT_PLANNED, person_id, how, None, current_room), None
    if target in current:
        return ParticipantMatch(participant, Status.PLACED, person_id, how, target, target), None
    assignment = Assignment(participant.participant_uuid, target, person_id)
    return ParticipantMatch(participant, Status.TO_PLACE, person_id, how, target, current_room), assignment


def match_participants(
    participants: Iterable[LiveParticipant],
    people: Iterable[RegisteredPerson],
    plan: Mapping[int, str],
    host_choices: Mapping[str, HostChoice] | None = None,
    room_members: Mapping[str, Iterable[str]] | None = None,
) -> MatchReport:
    """Match the meeting's participants to registered people and list the assignments still missing.

    ``plan`` maps person id to room name for the round; ``host_choices`` maps participantUUID to the
    host's decision; ``room_members`` maps each existing breakout room's name to the participantUUIDs
    in it now. Assigning the returned ``assignments`` and matching again yields none (resumable).
    """
    choices = {normalise_uuid(k): v for k, v in (host_choices or {}).items()}
    rooms_of = _current_rooms(room_members or {})
    live = _unique_participants(participants)
    persons = {p.person_id: p for p in sorted(people, key=lambda p: p.person_id)}

    staff = {u for u, p in live.items() if p.is_host_or_cohost}
    own_room = {u for u in live if u not in staff and choices.get(u) == CHOOSES_OWN_ROOM}
    claims = _Claims()
    chosen: dict[str, frozenset[int]] = {}
    for u in sorted(set(live) - staff):
        person_id = _host_chosen_person(choices.get(u), persons)
        if person_id is not None:
            chosen[u] = frozenset({person_id})
    _settle(claims, chosen, MatchedBy.HOST_CHOICE)
    open_uuids = [u for u in sorted(live) if u not in staff and u not in own_room and u not in chosen]
    decided = _match_identities(claims, open_uuids, persons)
    _match_names(claims, {u: live[u].screen_name for u in open_uuids if u not in decided}, persons)

    matches: list[ParticipantMatch] = []
    assignments: list[Assignment] = []
    for uuid, participant in live.items():
        current = sorted(rooms_of.get(uuid, ()))
        current_room = current[0] if current else None
        if uuid in claims.resolved:
            match, assignment = _identified(participant, *claims.resolved[uuid], plan, current)
            matches.append(match)
            assignments.extend([assignment] if assignment else [])
        elif uuid in staff or uuid in own_room:
            status = Status.HOST if uuid in staff else Status.OWN_ROOM
            matches.append(ParticipantMatch(participant, status, current_room=current_room))
        elif uuid in claims.unsure:
            candidates = claims.unsure[uuid]
            matches.append(
                ParticipantMatch(participant, Status.UNSURE, current_room=current_room, candidates=candidates)
            )
        else:
            matches.append(ParticipantMatch(participant, Status.UNKNOWN, current_room=current_room))
    return _report(matches, assignments, claims, plan, set((room_members or {}).keys()))


def _report(
    matches: list[ParticipantMatch],
    assignments: list[Assignment],
    claims: _Claims,
    plan: Mapping[int, str],
    existing_rooms: set[str],
) -> MatchReport:
    identified = {person_id for person_id, _how in claims.resolved.values()}
    maybe_here = {pid for ids in claims.unsure.values() for pid in ids}
    absent = [
        AbsentPerson(pid, room, pid in maybe_here)
        for pid, room in sorted(plan.items())
        if pid not in identified
    ]
    matches.sort(
        key=lambda m: (m.participant.screen_name.casefold(), normalise_uuid(m.participant.participant_uuid))
    )
    assignments.sort(key=lambda a: (a.room, normalise_uuid(a.participant_uuid)))
    counts: dict[Status, int] = dict.fromkeys(Status, 0)
    for m in matches:
        counts[m.status] += 1
    return MatchReport(
        participants=tuple(matches),
        absent=tuple(absent),
        assignments=tuple(assignments),
        missing_rooms=tuple(sorted({a.room for a in assignments} - existing_rooms)),
        counts=counts,
    )
