"""Due times and deadlines derived from the sample agenda."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orchestrator.agenda import load_agenda
from orchestrator.mail.deadlines import (
    breakout_slots,
    label_offset,
    offset_label,
    reminder_slots,
    thank_you_slot,
)
from tests.conftest import SAMPLE_AGENDA
from tests.unit.mail_outbox.support import END, START


@pytest.fixture(scope="module")
def agenda():  # type: ignore[no-untyped-def]
    return load_agenda(SAMPLE_AGENDA, allow_past=True).agenda


def test_offset_labels_round_trip() -> None:
    for offset, label in (
        (timedelta(days=7), "7d"),
        (timedelta(hours=1), "1h"),
        (timedelta(minutes=90), "90m"),
    ):
        assert offset_label(offset) == label
        assert label_offset(label) == offset
    with pytest.raises(ValueError):
        label_offset("soon")


def test_each_reminder_is_superseded_by_the_next(agenda) -> None:  # type: ignore[no-untyped-def]
    slots = reminder_slots(agenda)
    assert [s.occasion for s in slots] == ["reminder:7d", "reminder:1d", "reminder:1h"]
    assert [s.due_at for s in slots] == [
        START - timedelta(days=7),
        START - timedelta(days=1),
        START - timedelta(hours=1),
    ]
    assert [s.deadline for s in slots] == [START - timedelta(days=1), START - timedelta(hours=1), START]


def test_breakout_and_thank_you_windows(agenda) -> None:  # type: ignore[no-untyped-def]
    round1, round2 = breakout_slots(agenda)
    # Round 1 starts 11:30 Berlin = 09:30 UTC; the mail goes 30 minutes before, useless after the start.
    assert (round1.occasion, round1.due_at.hour, round1.due_at.minute) == ("breakout:1", 9, 0)
    assert round1.deadline - round1.due_at == timedelta(minutes=30)
    assert round2.occasion == "breakout:2"
    thanks = thank_you_slot(agenda)
    assert thanks.due_at == END + timedelta(hours=2)
    assert thanks.deadline == END + timedelta(hours=2, days=14)
