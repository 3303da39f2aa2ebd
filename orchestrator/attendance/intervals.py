"""Pure interval arithmetic for attendance: pair joins with leaves, clip to meeting runs, merge.

Zoom may deliver joins and leaves late, twice or out of order, and a person may be in the meeting
on two devices at once; minutes therefore come from the *union* of a person's sessions, clipped
to the times the meeting actually ran.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open time span ``[start, end)`` (aware UTC)."""

    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return max((self.end - self.start).total_seconds(), 0.0)


@dataclass(frozen=True)
class Mark:
    """A join or leave of one participant (``kind`` is "join" or "leave")."""

    kind: str
    at: datetime


@dataclass(frozen=True)
class Run:
    """One run of the meeting; ``end`` is None while it is still going on."""

    start: datetime | None
    end: datetime | None


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Union of ``intervals`` as sorted, non-overlapping spans (touching spans are joined)."""
    merged: list[Interval] = []
    for item in sorted(i for i in intervals if i.end > i.start):
        if merged and item.start <= merged[-1].end:
            if item.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, item.end)
        else:
            merged.append(item)
    return merged


def clip(intervals: Iterable[Interval], windows: Sequence[Interval]) -> list[Interval]:
    """The parts of ``intervals`` that lie inside one of ``windows``."""
    pieces = []
    for item in intervals:
        for window in windows:
            start, end = max(item.start, window.start), min(item.end, window.end)
            if end > start:
                pieces.append(Interval(start, end))
    return pieces


def run_windows(runs: Sequence[Run], fallback: Interval, now: datetime) -> list[Interval]:
    """Windows in which the meeting ran; a run without start/end uses the fallback's or ``now``.

    Without any recorded run (the ``meeting.started`` webhook was missed) the scheduled
    programme (``fallback``) is the window.
    """
    if not runs:
        return [fallback]
    windows = []
    for run in runs:
        start = run.start or fallback.start
        end = run.end or max(now, start)
        windows.append(Interval(start, end))
    return merge(windows)


def pair_sessions(marks: Sequence[Mark], windows: Sequence[Interval]) -> list[Interval]:
    """Sessions of one participant: each join until the next leave.

    A join without a leave lasts until the end of the window it started in (the meeting ended,
    or is still running); a leave without a join (the join was lost) starts at its window's start.
    Duplicate joins (Zoom retried, or a reconnect without a leave) are absorbed by the next leave.
    """
    sessions: list[Interval] = []
    open_at: datetime | None = None
    for mark in sorted(marks, key=lambda m: (m.at, m.kind != "join")):
        if mark.kind == "join":
            if open_at is not None:
                window = _window_of(open_at, windows, closing=False)
                if window is not None and window.end < mark.at:
                    # The run ended without a leave for this participant: close it there.
                    sessions.append(Interval(open_at, window.end))
                    open_at = None
            if open_at is None:
                open_at = mark.at
        elif open_at is not None:
            sessions.append(Interval(open_at, mark.at))
            open_at = None
        else:
            window = _window_of(mark.at, windows, closing=True)
            if window is not None:
                sessions.append(Interval(window.start, mark.at))
    if open_at is not None:
        window = _window_of(open_at, windows, closing=False)
        if window is not None:
            sessions.append(Interval(open_at, window.end))
    return sessions


def _window_of(at: datetime, windows: Sequence[Interval], *, closing: bool) -> Interval | None:
    for window in windows:
        if window.start <= at <= window.end:
            return window
    if closing:  # a leave after every window: attribute it to the last window that began before it
        earlier = [w for w in windows if w.start <= at]
        return earlier[-1] if earlier else None
    later = [w for w in windows if w.end >= at]  # a join before the meeting started: the next run
    return later[0] if later else None


def attended_intervals(
    participant_marks: Iterable[Sequence[Mark]], windows: Sequence[Interval]
) -> list[Interval]:
    """One person's time in the meeting: union of all their participants' sessions inside ``windows``."""
    sessions: list[Interval] = []
    for marks in participant_marks:
        sessions.extend(pair_sessions(marks, windows))
    return merge(clip(sessions, windows))


def attended_seconds(participant_marks: Iterable[Sequence[Mark]], windows: Sequence[Interval]) -> float:
    """Seconds one person attended (see :func:`attended_intervals`)."""
    return sum(i.seconds for i in attended_intervals(participant_marks, windows))
