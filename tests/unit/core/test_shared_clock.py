"""The demo's virtual time, read by the rehearsal's webhook endpoint in another process."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from orchestrator.clock import SharedClock, SharedClockReader

START = datetime(2026, 12, 16, 9, 30, 0, 123456, tzinfo=UTC)


def _read_in_child(shared: Any, answer: Any) -> None:
    answer.send(SharedClockReader(shared).now())


def _now_in_another_process(clock: SharedClock) -> datetime:
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_read_in_child, args=(clock.shared, send))
    child.start()
    try:
        assert receive.poll(60)
        value: datetime = receive.recv()
        return value
    finally:
        child.join(30)


def test_another_process_reads_the_time_the_owner_set_and_advanced() -> None:
    clock = SharedClock(START)
    assert _now_in_another_process(clock) == START
    clock.set(START + timedelta(hours=2))
    clock.advance(timedelta(minutes=5))
    assert _now_in_another_process(clock) == START + timedelta(hours=2, minutes=5)


def test_the_reader_cannot_move_the_clock() -> None:
    clock = SharedClock(START)
    reader = SharedClockReader(clock.shared)
    clock.sleep(30)  # the owner's sleep advances it, as a frozen clock's does
    assert reader.now() == START + timedelta(seconds=30)
    with pytest.raises(RuntimeError):
        reader.sleep(1)
