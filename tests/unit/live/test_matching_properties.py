"""Property tests: matching never places anyone on a guess, whatever the meeting looks like."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator.live.matching import (
    CHOOSES_OWN_ROOM,
    HostChoice,
    LiveParticipant,
    MatchedBy,
    MatchReport,
    RegisteredPerson,
    Status,
    is_host_role,
    match_participants,
    normalise_uuid,
)
from orchestrator.live.names import name_keys, person_name

FIRST = ["Anna", "Petra", "Jörg", "Joerg", "Hans", "Lena"]
LAST = ["Müller", "Mueller", "Muller", "Becker", "Weiß", "Meier"]
UUIDS = [f"U{i}" for i in range(8)]
ROOMS = ["R1", "R2", "R3"]
ROLES = ["attendee", "attendee", "attendee", "host", "coHost"]


@dataclass(frozen=True)
class Meeting:
    participants: list[LiveParticipant]
    people: list[RegisteredPerson]
    plan: dict[int, str]
    choices: dict[str, HostChoice]
    rooms: dict[str, list[str]]

    def run(self, **changes: Any) -> MatchReport:
        values = {
            "participants": self.participants,
            "people": self.people,
            "plan": self.plan,
            "host_choices": self.choices,
            "room_members": self.rooms,
        }
        values.update(changes)
        return match_participants(**values)


def screen_names(first: str, last: str) -> list[str]:
    return [
        f"{first} {last}",
        f"{last}, {first}",
        f"Dr. {first} {last}".upper(),
        first,
        f"{first} {last[0]}.",
        f"iPad von {first}",
        f"{first} {last} (Gast)",
    ]


@st.composite
def meetings(draw: st.DrawFn) -> Meeting:
    names = draw(st.lists(st.tuples(st.sampled_from(FIRST), st.sampled_from(LAST)), max_size=8))
    people = [
        RegisteredPerson(
            i + 1,
            first,
            last,
            participant_uuids=frozenset(draw(st.lists(st.sampled_from(UUIDS), max_size=2)))
            if draw(st.booleans())
            else frozenset(),
        )
        for i, (first, last) in enumerate(names)
    ]
    pool = [n for first, last in names for n in screen_names(first, last)] + ["Max Mustermann", "Tablet"]
    participants = [
        LiveParticipant(
            draw(st.sampled_from(UUIDS)).lower() if draw(st.booleans()) else uuid,
            draw(st.sampled_from(pool)),
            draw(st.sampled_from(ROLES)),
        )
        for uuid in draw(st.lists(st.sampled_from(UUIDS), max_size=8, unique=True))
    ]
    ids = [p.person_id for p in people] + [99]
    plan = draw(st.dictionaries(st.sampled_from(ids), st.sampled_from(ROOMS)))
    choices: dict[str, HostChoice] = draw(
        st.dictionaries(
            st.sampled_from(UUIDS), st.one_of(st.sampled_from(ids), st.just(CHOOSES_OWN_ROOM)), max_size=3
        )
    )
    rooms = {
        room: draw(st.lists(st.sampled_from(UUIDS), max_size=3))
        for room in draw(st.sets(st.sampled_from(ROOMS)))
    }
    return Meeting(participants, people, plan, choices, rooms)


def _live(meeting: Meeting) -> dict[str, LiveParticipant]:
    report = meeting.run()
    return {normalise_uuid(m.participant.participant_uuid): m.participant for m in report.participants}


def _justified(meeting: Meeting, uuid: str, person_id: int, how: MatchedBy) -> bool:
    """An independent check that the match is unique, not a guess."""
    live = _live(meeting)
    persons = {p.person_id: p for p in meeting.people}
    # Choices of people who are not registered are ignored (a stale choice never blocks anyone).
    choices = {
        normalise_uuid(k): v for k, v in meeting.choices.items() if v == CHOOSES_OWN_ROOM or v in persons
    }
    open_live = {u: p for u, p in live.items() if not is_host_role(p.role) and u not in choices}
    chosen = {
        c for u, c in choices.items() if u in live and not is_host_role(live[u].role) and isinstance(c, int)
    }
    links = {
        u: {p.person_id for p in meeting.people if u in {normalise_uuid(x) for x in p.participant_uuids}}
        for u in open_live
    }
    if how is MatchedBy.HOST_CHOICE:
        return choices.get(uuid) == person_id
    if how is MatchedBy.IDENTITY:
        others = [u for u, ids in links.items() if u != uuid and person_id in ids]
        return links[uuid] - chosen == {person_id} and not others
    identified = chosen | {pid for ids in links.values() for pid in ids}
    keys = name_keys(live[uuid].screen_name)
    person_keys = name_keys(person_name(persons[person_id].first_name, persons[person_id].last_name))
    rivals = [
        pid
        for pid, p in persons.items()
        if pid != person_id
        and pid not in identified
        and keys & name_keys(person_name(p.first_name, p.last_name))
    ]
    twins = [
        u
        for u, p in open_live.items()
        if u != uuid and not links[u] and name_keys(p.screen_name) & person_keys
    ]
    return bool(keys & person_keys) and not rivals and not twins and person_id not in identified


@settings(max_examples=300, deadline=None)
@given(meetings())
def test_assignments_are_only_to_the_persons_own_planned_room_and_never_a_guess(meeting: Meeting) -> None:
    report = meeting.run()
    by_uuid = {normalise_uuid(m.participant.participant_uuid): m for m in report.participants}
    for a in report.assignments:
        match = by_uuid[normalise_uuid(a.participant_uuid)]
        assert meeting.plan[a.person_id] == a.room
        assert (
            match.status is Status.TO_PLACE and match.person_id == a.person_id and match.target_room == a.room
        )
        assert match.matched_by is not None
        assert _justified(meeting, normalise_uuid(a.participant_uuid), a.person_id, match.matched_by)


@settings(max_examples=300, deadline=None)
@given(meetings())
def test_nobody_is_assigned_twice_and_hosts_never(meeting: Meeting) -> None:
    report = meeting.run()
    people = [a.person_id for a in report.assignments]
    uuids = [normalise_uuid(a.participant_uuid) for a in report.assignments]
    assert len(people) == len(set(people)) and len(uuids) == len(set(uuids))
    identified = [m.person_id for m in report.participants if m.person_id is not None]
    assert len(identified) == len(set(identified))
    for m in report.participants:
        if is_host_role(m.participant.role):
            assert m.status is Status.HOST and m.person_id is None
    by_uuid = {normalise_uuid(m.participant.participant_uuid): m for m in report.participants}
    assert not any(is_host_role(by_uuid[u].participant.role) for u in uuids)


@settings(max_examples=200, deadline=None)
@given(meetings(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_input_order(meeting: Meeting, rnd: Any) -> None:
    participants, people = list(meeting.participants), list(meeting.people)
    rnd.shuffle(participants)
    rnd.shuffle(people)
    plan = dict(rnd.sample(sorted(meeting.plan.items()), len(meeting.plan)))
    choices = dict(rnd.sample(sorted(meeting.choices.items(), key=str), len(meeting.choices)))
    rooms = {
        room: rnd.sample(m, len(m))
        for room, m in rnd.sample(sorted(meeting.rooms.items()), len(meeting.rooms))
    }
    shuffled = meeting.run(
        participants=participants, people=people, plan=plan, host_choices=choices, room_members=rooms
    )
    assert shuffled == meeting.run()


@settings(max_examples=200, deadline=None)
@given(meetings())
def test_applying_the_assignments_leaves_nothing_to_do(meeting: Meeting) -> None:
    report = meeting.run()
    assert len(report.participants) == len({normalise_uuid(p.participant_uuid) for p in meeting.participants})
    rooms = {room: [normalise_uuid(u) for u in members] for room, members in meeting.rooms.items()}
    for a in report.assignments:
        for members in rooms.values():
            while normalise_uuid(a.participant_uuid) in members:
                members.remove(normalise_uuid(a.participant_uuid))
        rooms.setdefault(a.room, []).append(normalise_uuid(a.participant_uuid))
    again = meeting.run(room_members=rooms)
    assert again.assignments == ()
    assert again.missing_rooms == ()
