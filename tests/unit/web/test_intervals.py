"""Attendance interval arithmetic: pairing, merging overlapping sessions, clipping to meeting runs."""

from __future__ import annotations

from datetime import UTC, datetime

from orchestrator.attendance.intervals import (
    Interval,
    Mark,
    Run,
    attended_seconds,
    clip,
    merge,
    pair_sessions,
    run_windows,
)


def t(hh: int, mm: int = 0) -> datetime:
    return datetime(2025, 8, 27, hh, mm, tzinfo=UTC)


WINDOW = [Interval(t(8), t(12))]


def test_merge_joins_overlapping_and_touching_spans() -> None:
    spans = [
        Interval(t(9), t(10)),
        Interval(t(8), t(9)),
        Interval(t(9, 30), t(11)),
        Interval(t(11, 30), t(12)),
    ]
    assert merge(spans) == [Interval(t(8), t(11)), Interval(t(11, 30), t(12))]
    assert merge([Interval(t(9), t(9))]) == []


def test_clip_keeps_only_time_inside_windows() -> None:
    windows = [Interval(t(8), t(9)), Interval(t(10), t(11))]
    assert clip([Interval(t(7), t(12))], windows) == windows


def test_pairing_handles_duplicates_missing_leaves_and_missing_joins() -> None:
    marks = [
        Mark("leave", t(8, 30)),  # join lost: from the window's start
        Mark("join", t(9)),
        Mark("join", t(9)),
        Mark("leave", t(9, 45)),  # duplicate join
        Mark("join", t(11)),
    ]  # never left: until the meeting's end
    assert pair_sessions(marks, WINDOW) == [
        Interval(t(8), t(8, 30)),
        Interval(t(9), t(9, 45)),
        Interval(t(11), t(12)),
    ]


def test_two_devices_count_once() -> None:
    laptop = [Mark("join", t(8)), Mark("leave", t(10))]
    phone = [Mark("join", t(9)), Mark("leave", t(11))]
    assert attended_seconds([laptop, phone], WINDOW) == 3 * 3600


def test_join_before_start_is_clipped() -> None:
    assert attended_seconds([[Mark("join", t(7)), Mark("leave", t(9))]], WINDOW) == 3600


def test_sessions_close_at_the_end_of_their_own_run() -> None:
    runs = [Run(t(8), t(9)), Run(t(10), t(11))]
    windows = run_windows(runs, Interval(t(8), t(12)), now=t(13))
    assert attended_seconds([[Mark("join", t(8, 30)), Mark("join", t(10, 15))]], windows) == 30 * 60 + 45 * 60


def test_run_windows_fall_back_to_the_schedule_and_to_now() -> None:
    scheduled = Interval(t(8), t(12))
    assert run_windows([], scheduled, now=t(9)) == [scheduled]
    assert run_windows([Run(t(8, 5), None)], scheduled, now=t(9)) == [Interval(t(8, 5), t(9))]
