"""The typed breakout results: their JSON shape (the CLI's ``--json``) and the host text by language."""

from __future__ import annotations

from orchestrator.breakouts.results import (
    ApplyOutcome,
    HostInstructions,
    MoveOutcome,
    MoveResult,
    ZoomApplied,
    ZoomNotApplied,
)
from orchestrator.results import to_jsonable

TEXTS = HostInstructions(de="Bitte klicken Sie …", en="Please click …")
OUTCOME = ApplyOutcome(1, "applied", 1, 5, 42, True, "abc", TEXTS)
MOVED = MoveOutcome(1, "a@example.org", "Raum A", "Raum B", changed=True, forced=False, warnings=[])


def test_host_instruction_in_the_page_language() -> None:
    assert TEXTS.in_language("de") == "Bitte klicken Sie …"
    assert TEXTS.in_language("en") == "Please click …"
    assert TEXTS.texts() == ("Bitte klicken Sie …", "Please click …")


def test_move_json_with_zoom_updated_keeps_the_keys_of_the_dict_it_replaced() -> None:
    data = to_jsonable(MoveResult.of("fachtag", MOVED, ZoomApplied.of(OUTCOME)))
    assert list(data) == [
        "event",
        "round",
        "email",
        "before",
        "after",
        "changed",
        "forced",
        "warnings",
        "zoom",
    ]
    assert data["zoom"] == {
        "applied": True,
        "round": 1,
        "action": "applied",
        "zoom_writes": 1,
        "rooms": 5,
        "participants": 42,
        "verified": True,
        "payload_hash": "abc",
        "instructions": {"de": "Bitte klicken Sie …", "en": "Please click …"},
    }


def test_move_json_with_zoom_left_alone_names_only_the_reason() -> None:
    data = to_jsonable(MoveResult.of("fachtag", MOVED, ZoomNotApplied(False, "The round has started.")))
    assert data["zoom"] == {"applied": False, "reason": "The round has started."}
    unchanged = to_jsonable(MoveResult.of("fachtag", MOVED, None))
    assert unchanged["zoom"] is None
