"""Unusable input is refused with a message that says what is wrong and by how much."""

from __future__ import annotations

import pytest

from orchestrator.breakouts import (
    InfeasiblePlan,
    InvalidProblem,
    Participant,
    Problem,
    RankCosts,
    RoomSlot,
    solve,
)
from orchestrator.i18n import language


def people(count: int) -> list[Participant]:
    return [Participant(f"p{i}", ("A",)) for i in range(count)]


def test_too_few_seats_names_round_and_missing_seats() -> None:
    rooms = [RoomSlot(1, "A", 5), RoomSlot(1, "B", 5), RoomSlot(2, "A", 4), RoomSlot(2, "C", 4)]
    with pytest.raises(InfeasiblePlan) as caught:
        solve(Problem(rooms=rooms, participants=people(9)))
    assert caught.value.round_number == 2
    assert caught.value.missing_seats == 1
    assert caught.value.exit_code == 2
    assert str(caught.value) == (
        "Round 2 has 8 seats for 9 people: 1 seats are missing. Nothing was planned."
    )


def test_every_short_round_is_listed() -> None:
    rooms = [RoomSlot(1, "A", 2), RoomSlot(2, "B", 1), RoomSlot(3, "C", 9)]
    with pytest.raises(InfeasiblePlan) as caught:
        solve(Problem(rooms=rooms, participants=people(4)))
    assert (caught.value.round_number, caught.value.missing_seats) == (1, 2)
    assert caught.value.details == ["Round 2 has 1 seats for 4 people: 3 seats are missing."]


def test_message_in_german() -> None:
    with language("de"), pytest.raises(InfeasiblePlan) as caught:
        solve(Problem(rooms=[RoomSlot(1, "A", 1)], participants=people(3)))
    assert str(caught.value) == (
        "Runde 1 hat 1 Plätze für 3 Personen: Es fehlen 2 Plätze. Es wurde nichts geplant."
    )


@pytest.mark.parametrize("fixed", [{}, {("p0", 1): "A"}])
def test_no_repeat_rule_shortage_counts_missing_placements(fixed: dict[tuple[str, int], str]) -> None:
    # Enough seats in every round, but only two workshops for three rounds: 4 people lack one each.
    rooms = [RoomSlot(r, name, 4) for r in (1, 2, 3) for name in ("A", "B")]
    with pytest.raises(InfeasiblePlan) as caught:
        solve(Problem(rooms=rooms, participants=people(4), fixed=fixed))
    assert caught.value.round_number is None
    assert caught.value.missing_seats == 4
    assert "4 placements cannot be made" in str(caught.value)


def test_fixed_placements_overfilling_a_room() -> None:
    rooms = [RoomSlot(1, "A", 1), RoomSlot(1, "B", 5)]
    fixed = {("p0", 1): "A", ("p1", 1): "A"}
    with pytest.raises(InfeasiblePlan) as caught:
        solve(Problem(rooms=rooms, participants=people(2), fixed=fixed))
    assert (caught.value.round_number, caught.value.missing_seats) == (1, 1)
    assert "room A: 2 people are fixed there but it has only 1 seats (1 too many)" in str(caught.value)


@pytest.mark.parametrize(
    ("rooms", "participants", "fixed", "expected"),
    [
        ([RoomSlot(1, "A", 1), RoomSlot(1, "A", 2)], people(1), {}, "Room A appears twice in round 1."),
        ([RoomSlot(1, "A", -1)], [], {}, "Room A in round 1 has a negative capacity."),
        ([RoomSlot(1, "A", 2)], people(1) * 2, {}, "Participant p0 appears twice."),
        ([RoomSlot(1, "A", 2)], people(1), {("x", 1): "A"}, "unknown participant x"),
        ([RoomSlot(1, "A", 2)], people(1), {("p0", 1): "B"}, "p0 is fixed to room B in round 1"),
        (
            [RoomSlot(r, "A", 2) for r in (1, 2)],
            people(1),
            {("p0", 1): "A", ("p0", 2): "A"},
            "p0 is fixed to workshop A in rounds 1 and 2; nobody may attend a workshop twice.",
        ),
        (
            [RoomSlot(1, "A", 2)],
            [Participant("p0", ("A", "B", "C", "D"))],
            {},
            "Participant p0 has 4 wishes; at most 3 are ranked.",
        ),
    ],
)
def test_invalid_problems(
    rooms: list[RoomSlot],
    participants: list[Participant],
    fixed: dict[tuple[str, int], str],
    expected: str,
) -> None:
    with pytest.raises(InvalidProblem) as caught:
        solve(Problem(rooms=rooms, participants=participants, fixed=fixed))
    assert expected in str(caught.value)


@pytest.mark.parametrize(
    "arguments", [{"costs": ()}, {"costs": (0, 1, 2, 3)}, {"unranked": -1}, {"repeat_miss_extra": -2}]
)
def test_invalid_costs(arguments: dict[str, object]) -> None:
    with pytest.raises(InvalidProblem):
        RankCosts(**arguments)  # type: ignore[arg-type]
