"""Matching the live meeting to the breakout plan: the issue's cases, one by one."""

from __future__ import annotations

import pytest

from orchestrator.live.matching import (
    CHOOSES_OWN_ROOM,
    AbsentPerson,
    Assignment,
    LiveParticipant,
    MatchedBy,
    MatchReport,
    ParticipantMatch,
    RegisteredPerson,
    Status,
    is_host_role,
    match_participants,
)

PEOPLE = [
    RegisteredPerson(1, "Petra", "Müller", "ACME", "petra@example.org"),
    RegisteredPerson(2, "Anna", "Becker"),
    RegisteredPerson(3, "Anna", "Becker", "Other GmbH"),
    RegisteredPerson(4, "Jörg", "Weiß"),
    RegisteredPerson(5, "Hans", "Meier", participant_uuids=frozenset({"AAAA-HANS"})),
    RegisteredPerson(6, "Lena", "Fischer"),
    RegisteredPerson(7, "Tom", "Klein"),
    RegisteredPerson(8, "Carla", "Nowak"),
]
PLAN = {1: "Raum 1", 2: "Raum 2", 3: "Raum 3", 4: "Raum 1", 5: "Raum 2", 6: "Raum 3", 7: "Raum 1"}
ROOMS = {"Raum 1": ["U-JOERG"], "Raum 2": [], "Raum 3": []}


def p(uuid: str, name: str, role: str = "attendee") -> LiveParticipant:
    return LiveParticipant(uuid, name, role)


def by_uuid(report: MatchReport) -> dict[str, ParticipantMatch]:
    return {m.participant.participant_uuid: m for m in report.participants}


def test_the_issue_scenario() -> None:
    participants = [
        p("U-HOST", "Moderation", "host"),
        p("U-CO", "Technik", "coHost"),
        p("U-PETRA", "Petra Mueller"),
        p("U-ANNA", "Anna Becker"),
        p("U-JOERG", "Weiss, Jörg"),
        p("aaaa-hans", "Laptop"),
        p("U-IPAD", "iPad von Petra"),
        p("U-PM", "Petra M."),
        p("U-TOM", "Tom"),
        p("U-MAX", "Max Mustermann"),
        p("U-CARLA", "Dr. Carla Nowak"),
    ]
    report = match_participants(participants, PEOPLE, PLAN, room_members=ROOMS)
    got = by_uuid(report)
    assert got["U-HOST"].status is Status.HOST and got["U-CO"].status is Status.HOST
    assert got["U-PETRA"] == ParticipantMatch(
        participants[2], Status.TO_PLACE, 1, MatchedBy.NAME, "Raum 1", None
    )
    assert (got["U-ANNA"].status, got["U-ANNA"].candidates) == (Status.UNSURE, (2, 3))
    assert got["U-JOERG"] == ParticipantMatch(
        participants[4], Status.PLACED, 4, MatchedBy.NAME, "Raum 1", "Raum 1"
    )
    assert (got["aaaa-hans"].status, got["aaaa-hans"].matched_by) == (Status.TO_PLACE, MatchedBy.IDENTITY)
    assert (got["U-IPAD"].status, got["U-IPAD"].candidates) == (Status.UNSURE, (1,))
    assert (got["U-PM"].status, got["U-PM"].candidates) == (Status.UNSURE, (1,))
    assert (got["U-TOM"].status, got["U-TOM"].candidates) == (Status.UNSURE, (7,))
    assert got["U-MAX"].status is Status.UNKNOWN and got["U-MAX"].candidates == ()
    assert (got["U-CARLA"].status, got["U-CARLA"].person_id) == (Status.NOT_PLANNED, 8)
    assert report.assignments == (
        Assignment("U-PETRA", "Raum 1", 1),
        Assignment("aaaa-hans", "Raum 2", 5),
    )
    assert report.absent == (
        AbsentPerson(2, "Raum 2", True),
        AbsentPerson(3, "Raum 3", True),
        AbsentPerson(6, "Raum 3", False),
        AbsentPerson(7, "Raum 1", True),
    )
    assert report.missing_rooms == ()
    assert report.counts[Status.UNSURE] == 4 and report.counts[Status.HOST] == 2
    assert sum(report.counts.values()) == len(participants)


def test_a_second_participant_with_the_same_name_makes_both_unsure() -> None:
    people = [RegisteredPerson(2, "Anna", "Becker")]
    report = match_participants([p("A", "Anna Becker"), p("B", "anna becker")], people, {2: "Raum 2"})
    assert [(m.status, m.candidates) for m in report.participants] == [(Status.UNSURE, (2,))] * 2
    assert report.assignments == ()
    assert report.absent == (AbsentPerson(2, "Raum 2", True),)


def test_someone_identified_by_uuid_is_never_also_matched_by_name() -> None:
    people = [RegisteredPerson(1, "Petra", "Müller", participant_uuids=frozenset({"U1"}))]
    report = match_participants([p("U1", "Laptop"), p("U2", "Petra Müller")], people, {1: "Raum 1"})
    got = by_uuid(report)
    assert (got["U1"].status, got["U1"].person_id) == (Status.TO_PLACE, 1)
    assert got["U2"].status is Status.UNKNOWN
    assert report.assignments == (Assignment("U1", "Raum 1", 1),)


def test_a_namesake_identified_by_uuid_leaves_the_other_one_to_the_name() -> None:
    people = [
        RegisteredPerson(2, "Anna", "Becker", participant_uuids=frozenset({"U-A"})),
        RegisteredPerson(3, "Anna", "Becker"),
    ]
    report = match_participants(
        [p("U-A", "Anna Becker"), p("U-B", "Anna Becker")], people, {2: "R2", 3: "R3"}
    )
    assert report.assignments == (Assignment("U-A", "R2", 2), Assignment("U-B", "R3", 3))


def test_identity_links_are_compared_without_case_or_braces() -> None:
    people = [RegisteredPerson(1, "X", "Y", participant_uuids=frozenset({"{67c1a429-1476-be1c}"}))]
    report = match_participants([p("67C1A429-1476-BE1C", "Gerät")], people, {1: "R"})
    assert report.participants[0].matched_by is MatchedBy.IDENTITY


def test_conflicting_identities_are_unsure() -> None:
    people = [
        RegisteredPerson(1, "Petra", "Müller", participant_uuids=frozenset({"U1", "U2"})),
        RegisteredPerson(2, "Paul", "Meyer", participant_uuids=frozenset({"U3"})),
        RegisteredPerson(3, "Paula", "Meyer", participant_uuids=frozenset({"U3"})),
    ]
    report = match_participants([p("U1", "Petra"), p("U2", "Petra (Handy)"), p("U3", "P. Meyer")], people, {})
    assert [(m.status, m.candidates) for m in report.participants] == [
        (Status.UNSURE, (2, 3)),
        (Status.UNSURE, (1,)),
        (Status.UNSURE, (1,)),
    ]


def test_the_hosts_choice_wins_over_name_and_identity() -> None:
    people = [RegisteredPerson(1, "Petra", "Müller", participant_uuids=frozenset({"U3"}))]
    participants = [p("U1", "iPad von Petra"), p("U2", "Petra Müller"), p("U3", "Laptop")]
    report = match_participants(participants, people, {1: "Raum 1"}, host_choices={"u1": 1})
    got = by_uuid(report)
    assert (got["U1"].status, got["U1"].matched_by) == (Status.TO_PLACE, MatchedBy.HOST_CHOICE)
    assert got["U2"].status is Status.UNKNOWN
    assert (got["U3"].status, got["U3"].candidates) == (Status.UNSURE, (1,))
    assert report.assignments == (Assignment("U1", "Raum 1", 1),)


def test_chooses_own_room_is_never_assigned() -> None:
    people = [RegisteredPerson(1, "Petra", "Müller")]
    report = match_participants(
        [p("U1", "Petra Müller")], people, {1: "R"}, host_choices={"U1": CHOOSES_OWN_ROOM}
    )
    assert report.participants[0].status is Status.OWN_ROOM
    assert report.assignments == ()
    assert report.absent == (AbsentPerson(1, "R", False),)


def test_the_same_person_chosen_twice_by_the_host_is_unsure() -> None:
    people = [RegisteredPerson(1, "Petra", "Müller")]
    report = match_participants(
        [p("U1", "a"), p("U2", "b")], people, {1: "R"}, host_choices={"U1": 1, "U2": 1}
    )
    assert [m.status for m in report.participants] == [Status.UNSURE, Status.UNSURE]


def test_choices_for_hosts_and_unknown_people_are_ignored() -> None:
    people = [RegisteredPerson(1, "Petra", "Müller")]
    participants = [p("H", "Petra Müller", "host"), p("U", "Petra Müller")]
    report = match_participants(participants, people, {1: "R"}, host_choices={"H": 1, "U": 999})
    got = by_uuid(report)
    assert got["H"].status is Status.HOST
    assert (got["U"].status, got["U"].matched_by) == (Status.TO_PLACE, MatchedBy.NAME)
    assert [a.participant_uuid for a in report.assignments] == ["U"]


@pytest.mark.parametrize("role", ["host", "coHost", "co-host", "CoHost", "co_host", "HOST"])
def test_host_and_cohost_spellings(role: str) -> None:
    assert is_host_role(role)


@pytest.mark.parametrize("role", ["attendee", "participant", "panelist", "", None])
def test_other_roles_are_participants(role: str | None) -> None:
    assert not is_host_role(role)


def test_someone_in_the_wrong_room_is_moved_and_missing_rooms_are_named() -> None:
    people = [RegisteredPerson(1, "Petra", "Müller"), RegisteredPerson(2, "Jörg", "Weiß")]
    rooms = {"Raum 1": ["U2"]}
    report = match_participants(
        [p("U1", "Petra Müller"), p("U2", "Jörg Weiß")],
        people,
        {1: "Raum 1", 2: "Raum 9"},
        room_members=rooms,
    )
    got = by_uuid(report)
    assert (got["U2"].status, got["U2"].current_room, got["U2"].target_room) == (
        Status.TO_PLACE,
        "Raum 1",
        "Raum 9",
    )
    assert report.missing_rooms == ("Raum 9",)


def test_applying_the_assignments_makes_the_next_run_empty() -> None:
    participants = [p("U-PETRA", "Petra Mueller"), p("aaaa-hans", "Laptop"), p("U-JOERG", "Jörg Weiß")]
    first = match_participants(participants, PEOPLE, PLAN, room_members=ROOMS)
    assert len(first.assignments) == 2
    rooms = {room: list(members) for room, members in ROOMS.items()}
    for assignment in first.assignments:
        for members in rooms.values():
            if assignment.participant_uuid in members:
                members.remove(assignment.participant_uuid)
        rooms[assignment.room].append(assignment.participant_uuid)
    second = match_participants(participants, PEOPLE, PLAN, room_members=rooms)
    assert second.assignments == ()
    assert {m.status for m in second.participants} == {Status.PLACED}


def test_a_repeated_participant_uuid_is_reported_once() -> None:
    people = [RegisteredPerson(1, "Petra", "Müller")]
    report = match_participants([p("U1", "Petra Müller"), p("U1", "Petra Müller")], people, {1: "R"})
    assert len(report.participants) == 1 and len(report.assignments) == 1


def test_an_empty_meeting() -> None:
    report = match_participants([], PEOPLE, PLAN)
    assert report.participants == () and report.assignments == ()
    assert [a.person_id for a in report.absent] == sorted(PLAN)
