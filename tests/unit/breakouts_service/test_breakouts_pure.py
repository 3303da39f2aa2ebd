"""Pure parts of the breakout service: limits, payload, CSV/roster files, wishes, costs, visited rooms."""

from __future__ import annotations

import csv
import io

import pytest

from orchestrator.breakouts import Participant, Problem, RankCosts, RoomSlot, solve
from orchestrator.breakouts.export import roster_csv, roster_html, zoom_csv
from orchestrator.breakouts.instructions import host_instructions
from orchestrator.breakouts.limits import ZoomLimitExceeded, ZoomLimits, check_limits
from orchestrator.breakouts.payload import ZoomRoom, canonical, payload_hash, rooms_in_meeting, settings_body
from orchestrator.breakouts.people import solver_wishes
from orchestrator.breakouts.roster import RosterLine, RosterRoom
from orchestrator.cli.breakouts_cmd import parse_costs
from orchestrator.errors import BadInput

ROOMS = [ZoomRoom("A", ("mod@example.org", "b@example.org")), ZoomRoom("B", ("c@example.org",))]


def test_limits_pass_and_name_every_problem() -> None:
    check_limits(1, ROOMS, ZoomLimits())
    bad = [ZoomRoom("A", ("x@example.org",)), ZoomRoom("a ", ("x@example.org",)), ZoomRoom("L" * 51, ())]
    with pytest.raises(ZoomLimitExceeded) as caught:
        check_limits(2, bad, ZoomLimits(max_rooms=2, max_participants=1))
    details = caught.value.details
    assert caught.value.message == "Round 2 cannot be sent to Zoom. Nothing was sent."
    assert "3 rooms; Zoom allows at most 2." in details
    assert "2 pre-assigned people (moderators included); at most 1 are allowed." in details
    assert "The room name 'A' is used more than once." in details
    assert f"The room name '{'L' * 51}' is longer than 50 characters." in details
    assert "A person is in two rooms (A, a )." in details
    assert isinstance(caught.value, BadInput)


def test_payload_round_trips_through_a_meeting_object_and_hashes_order_free() -> None:
    body = settings_body(ROOMS)
    assert body == {
        "settings": {
            "breakout_room": {
                "enable": True,
                "rooms": [
                    {"name": "A", "participants": ["mod@example.org", "b@example.org"]},
                    {"name": "B", "participants": ["c@example.org"]},
                ],
            }
        }
    }
    meeting = {"id": 1, "settings": body["settings"]}
    assert canonical(rooms_in_meeting(meeting)) == canonical(ROOMS)
    shuffled = [ZoomRoom("B", ("C@example.org",)), ZoomRoom("A", ("b@example.org", "mod@example.org"))]
    assert payload_hash(shuffled) == payload_hash(ROOMS)
    assert payload_hash([ZoomRoom("A", ("b@example.org",))]) != payload_hash(ROOMS)
    assert rooms_in_meeting({"settings": {"breakout_room": {"enable": False}}}) == []


def test_zoom_csv_has_zoom_headers_and_one_line_per_person() -> None:
    text = zoom_csv([*ROOMS, ZoomRoom("=cmd()", ("d@example.org",))])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["Pre-assign Room Name", "Email Address"],
        ["A", "mod@example.org"],
        ["A", "b@example.org"],
        ["B", "c@example.org"],
        ["'=cmd()", "d@example.org"],
    ]
    assert text.endswith("\r\n")


def test_roster_csv_and_html_escape_and_mark_cancelled_moderators() -> None:
    rooms = [
        RosterRoom(
            "Raum <1>",
            10,
            [
                RosterLine("moderator", "Mo Derator", "", cancelled=True),
                RosterLine("participant", "Eva <b>Bold</b>", "Verein & Co"),
            ],
        )
    ]
    table = list(csv.reader(io.StringIO(roster_csv(rooms)), delimiter=";"))
    assert table == [
        ["Room", "Role", "Name", "Organisation"],
        ["Raum <1>", "Moderator (cancelled)", "Mo Derator", ""],
        ["Raum <1>", "Participant", "Eva <b>Bold</b>", "Verein & Co"],
    ]
    html = roster_html(
        rooms, event_title="Fachtag", round_title="Runde 1", start="27.08.2025 11:30", lang="en"
    )
    assert "Eva &lt;b&gt;Bold&lt;/b&gt;" in html and "Verein &amp; Co" in html and "<b>Bold" not in html
    assert "1 of 10 seats" in html and 'class="moderator cancelled"' in html


def test_host_instruction_in_german_and_english() -> None:
    texts = host_instructions(round_number=2, title="Runde 2", start="13:00", rooms=5, people=243)
    assert texts.en.startswith(
        "Breakout round 2 (Runde 2, 13:00): the room assignment was sent to Zoom (5 rooms, 243"
    )
    assert "Recreate" in texts.en
    assert texts.de.startswith("Breakout-Runde 2 (Runde 2, 13:00): Die Raumzuteilung wurde an Zoom gesendet")
    assert "Klicken Sie" in texts.de


def test_solver_wishes_keep_known_workshops_in_order() -> None:
    workshops = ["Alpha", "Beta", "Gamma", "Delta"]
    assert solver_wishes(["beta ", "Unknown", "Beta", "alpha", "Delta", "Gamma"], workshops, 3) == (
        "Beta",
        "Alpha",
        "Delta",
    )
    assert solver_wishes([], workshops, 3) == ()


def test_parse_costs() -> None:
    assert parse_costs("0, 2,5", 9) == RankCosts(costs=(0, 2, 5), unranked=9)
    with pytest.raises(BadInput, match="whole numbers"):
        parse_costs("a,b", 6)
    with pytest.raises(BadInput):
        parse_costs("0,1,2,3", 6)  # at most three ranks


def test_visited_workshops_are_not_repeated() -> None:
    rooms = [RoomSlot(2, "A", 2), RoomSlot(2, "B", 2)]
    people = [Participant("p1", ("A", "B"), visited=frozenset({"A"})), Participant("p2", ("A", "B"))]
    plan = solve(Problem(rooms=rooms, participants=people))
    assert plan.assignment == {("p1", 2): "B", ("p2", 2): "A"}
    assert plan.method == "cp-sat"
    # without visits the fast flow method is used and both get their first wish
    free = solve(
        Problem(rooms=rooms, participants=[Participant("p1", ("A", "B")), Participant("p2", ("A", "B"))])
    )
    assert free.method == "flow" and set(free.assignment.values()) == {"A"}
