"""The agenda editor's in-place YAML edits: unchanged text keeps its bytes, a change only its lines."""

from __future__ import annotations

import datetime as dt
import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator.agenda import parse_agenda_text
from orchestrator.agenda.changes import changed_paths
from orchestrator.agenda.service import copied_text
from orchestrator.agenda.yamledit import EditUnsupported, construct, set_values
from tests.conftest import SAMPLE_AGENDA

SAMPLE = SAMPLE_AGENDA.read_text(encoding="utf-8")
NOW = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)


def _changed_lines(old: str, new: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_no_change_keeps_every_byte() -> None:
    assert set_values(SAMPLE, {}) == SAMPLE
    same = {("title",): construct(SAMPLE)["title"]}
    assert set_values(SAMPLE, same) == SAMPLE


def test_one_changed_field_changes_only_its_line_and_keeps_quotes_and_comments() -> None:
    edited = set_values(SAMPLE, {("blocks", 2, "start"): "10:35"})
    assert _changed_lines(SAMPLE, edited) == ['-    start: "10:30"', '+    start: "10:35"']
    edited = set_values(SAMPLE, {("registration", "approval"): "automatic"})
    assert _changed_lines(SAMPLE, edited) == [
        "-  approval: manual            # organisers approve registrations from the Zoom form",
        "+  approval: automatic            # organisers approve registrations from the Zoom form",
    ]
    assert edited.count("#") == SAMPLE.count("#")


def test_lists_and_dates_and_new_keys() -> None:
    edited = set_values(
        SAMPLE,
        {
            ("mails", "reminders"): ["3d", "1h"],
            ("languages",): ["de"],
            ("date",): dt.date(2025, 9, 3),
            ("registration", "questions"): True,
        },
    )
    data = construct(edited)
    assert data["mails"]["reminders"] == ["3d", "1h"]
    assert data["languages"] == ["de"]
    assert data["date"] == dt.date(2025, 9, 3)
    assert data["registration"]["questions"] is True
    assert len(_changed_lines(SAMPLE, edited)) == 7  # three lines replaced, one added
    assert sorted(changed_paths(construct(SAMPLE), data)) == [
        "date",
        "languages",
        "mails.reminders",
        "registration.questions",
    ]
    parse_agenda_text(edited, "x.yaml", now=NOW)


def test_aliased_rooms_change_at_their_anchor_and_refuse_two_different_values() -> None:
    edited = set_values(SAMPLE, {("breakout_rounds", 0, "rooms", 1, "capacity"): 70})
    data = construct(edited)
    assert data["breakout_rounds"][1]["rooms"][1]["capacity"] == 70
    assert len(_changed_lines(SAMPLE, edited)) == 2
    with pytest.raises(EditUnsupported):
        set_values(
            SAMPLE,
            {
                ("breakout_rounds", 0, "rooms", 1, "capacity"): 70,
                ("breakout_rounds", 1, "rooms", 1, "capacity"): 80,
            },
        )


def test_missing_list_item_is_refused() -> None:
    with pytest.raises(EditUnsupported):
        set_values(SAMPLE, {("blocks", 99, "title"): "x"})


def test_copy_moves_the_date_keeps_local_times_and_rooms() -> None:
    text = SAMPLE.replace('end: "14:15"\n', 'end: "14:15"\n', 1).replace(
        "  auto_approve_imported: true", '  close_at: "2025-08-20T23:59"\n  auto_approve_imported: true', 1
    )
    copied = copied_text(text, key="fachtag-2026", title=None, new_date=dt.date(2026, 3, 4))
    loaded = parse_agenda_text(copied, "copy.yaml", now=NOW)
    agenda = loaded.agenda
    assert agenda.key == "fachtag-2026"
    assert agenda.start == dt.datetime(2026, 3, 4, 9, 30)  # winter time now: local time kept
    assert agenda.registration.close_at == dt.datetime(2026, 2, 25, 23, 59)
    assert agenda.round(2).rooms[0].capacity == 60
    assert len(_changed_lines(text, copied)) == 6


@settings(max_examples=20, deadline=None)
@given(
    title=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60).filter(
        lambda t: t.strip() == t and t.strip()
    ),
    capacity=st.integers(min_value=1, max_value=500),
)
def test_any_title_and_capacity_read_back_and_touch_only_their_lines(title: str, capacity: int) -> None:
    edited = set_values(SAMPLE, {("title",): title, ("breakout_rounds", 0, "rooms", 4, "capacity"): capacity})
    data = construct(edited)
    assert data["title"] == title
    assert data["breakout_rounds"][0]["rooms"][4]["capacity"] == capacity
    old_lines, new_lines = SAMPLE.splitlines(), edited.splitlines()
    assert len(old_lines) == len(new_lines)
    differing = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert set(differing) <= {6, 127}
