"""Shifting an agenda, the past-start warning, and offsets."""

from __future__ import annotations

import datetime as dt

import pytest

from orchestrator.agenda import AgendaError, format_offset, parse_offset
from tests.unit.agenda.helpers import BASE, load


def _gaps(agenda: object) -> list[dt.timedelta]:
    from orchestrator.agenda import Agenda

    assert isinstance(agenda, Agenda)
    times = [agenda.start_utc, agenda.end_utc]
    times += [t for b in agenda.blocks for t in (b.start_utc(agenda), b.end_utc(agenda))]
    times += [t for r in agenda.breakout_rounds for t in (r.start_utc(agenda), r.end_utc(agenda))]
    return [t - agenda.start_utc for t in times]


def test_shifted_keeps_relative_times_across_a_date_boundary() -> None:
    agenda = load(BASE).agenda
    moved = agenda.shifted(dt.timedelta(hours=14, minutes=30))  # 09:00 -> 23:30, ends 02:30 next day
    assert moved.start == dt.datetime(2030, 3, 5, 23, 30)
    assert moved.end == dt.datetime(2030, 3, 6, 2, 30)
    assert moved.date == dt.date(2030, 3, 5)
    assert moved.round(2).start == dt.datetime(2030, 3, 6, 0, 45)
    assert _gaps(moved) == _gaps(agenda)
    assert moved.start_utc == agenda.start_utc + dt.timedelta(hours=14, minutes=30)
    assert agenda.start == dt.datetime(2030, 3, 5, 9, 0)  # the original is unchanged


def test_shifted_across_dst_keeps_utc_gaps() -> None:
    agenda = load(BASE).agenda
    moved = agenda.shifted(dt.timedelta(days=30))  # 2030-04-04: summer time
    assert moved.start_utc - agenda.start_utc == dt.timedelta(days=30)
    assert moved.start == dt.datetime(2030, 4, 4, 10, 0)  # same instant + 30 days, one hour later locally
    assert _gaps(moved) == _gaps(agenda)


def test_start_in_the_past_is_a_warning() -> None:
    now = dt.datetime(2030, 3, 5, 9, 30, tzinfo=dt.UTC)  # after the 08:00 UTC start
    loaded = load(BASE, now=now)
    assert loaded.is_past is True and loaded.is_over is False
    assert loaded.warnings == [
        "config/test.yaml:8: start: the event starts in the past (2030-03-05 09:00); "
        "Zoom will not be changed for it unless you pass --allow-past (for a rehearsal)"
    ]
    with pytest.raises(AgendaError):
        loaded.ensure_may_change_zoom()


def test_allow_past_silences_the_warning() -> None:
    now = dt.datetime(2030, 3, 6, tzinfo=dt.UTC)
    loaded = load(BASE, now=now, allow_past=True)
    assert loaded.warnings == []
    assert loaded.is_past is True and loaded.is_over is True
    loaded.ensure_may_change_zoom()  # does not raise


def test_future_event_is_not_past() -> None:
    loaded = load(BASE, now=dt.datetime(2030, 3, 5, 7, 59, tzinfo=dt.UTC))
    assert (loaded.is_past, loaded.warnings) == (False, [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", dt.timedelta(days=7)),
        ("1d12h", dt.timedelta(days=1, hours=12)),
        ("90m", dt.timedelta(minutes=90)),
        ("2w", dt.timedelta(weeks=2)),
    ],
)
def test_offsets_round_trip(text: str, expected: dt.timedelta) -> None:
    assert parse_offset(text) == expected
    assert parse_offset(format_offset(expected)) == expected


@pytest.mark.parametrize("text", ["", "7", "d", "1x", "-1h", "1h 2"])
def test_bad_offsets(text: str) -> None:
    with pytest.raises(ValueError):
        parse_offset(text)
