"""Operation leases on SQLite and PostgreSQL: take, renew, release, expiry, dead holders, races."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from orchestrator.clock import FrozenClock
from orchestrator.db.lease import (
    LeaseBusy,
    LeaseInfo,
    LeaseLost,
    hold,
    new_holder_id,
    read,
    release,
    renew,
    try_take,
)
from orchestrator.db.session import make_engine, make_sessionmaker
from tests.support.stores import migrated

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MINUTE = timedelta(seconds=60)
NAME = "registrants-sync:1"


def _holder_of(pid: int) -> str:
    """A holder id as ``new_holder_id`` makes it, for process ``pid`` of this host."""
    return f"{'f' * 16}:{pid}:{socket.gethostname()}"[:64]


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    migrated(database_url)
    engine = make_engine(database_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def test_take_renew_release(sessions: sessionmaker[Session]) -> None:
    one, two = new_holder_id(), new_holder_id()
    assert try_take(sessions, NAME, one, "first", now=T0, duration=MINUTE) is None
    busy = try_take(sessions, NAME, two, "second", now=T0 + timedelta(seconds=30), duration=MINUTE)
    assert isinstance(busy, LeaseInfo) and busy.holder == one and busy.holder_label == "first"
    assert busy.acquired_at == T0 and busy.expires_at == T0 + MINUTE
    assert "first, since 2026-03-01 09:00:00 UTC" in busy.describe()

    assert renew(sessions, NAME, one, now=T0 + timedelta(seconds=50), duration=MINUTE)
    assert not renew(sessions, NAME, two, now=T0 + timedelta(seconds=50), duration=MINUTE)
    # Renewed until 09:01:50: at 09:01:10 the lease is still held.
    assert (
        try_take(sessions, NAME, two, "second", now=T0 + timedelta(seconds=70), duration=MINUTE) is not None
    )

    release(sessions, NAME, two)  # not the holder: nothing happens
    assert (info := read(sessions, NAME)) is not None and info.holder == one
    release(sessions, NAME, one)
    assert read(sessions, NAME) is None
    assert try_take(sessions, NAME, two, "second", now=T0 + timedelta(seconds=71), duration=MINUTE) is None


def test_expired_lease_is_taken_over_and_the_old_holder_stops(sessions: sessionmaker[Session]) -> None:
    clock = FrozenClock(T0)

    def busy_message(info: LeaseInfo) -> str:
        return f"busy: {info.holder_label}"

    with hold(
        sessions,
        NAME,
        clock=clock,
        purpose="slow",
        busy_message=busy_message,
        lost_message="lost",
        duration=MINUTE,
    ) as slow:
        slow.keep_alive()  # nothing due yet: no write
        clock.advance(timedelta(seconds=61))  # one step took longer than the lease
        other = new_holder_id()
        assert try_take(sessions, NAME, other, "fast", now=clock.now(), duration=MINUTE) is None
        with pytest.raises(LeaseLost, match="lost"):
            slow.keep_alive()
    # The old holder's release does not remove the new holder's lease.
    assert (info := read(sessions, NAME)) is not None and info.holder == other


def test_a_lease_not_taken_over_is_renewed_after_a_long_step(sessions: sessionmaker[Session]) -> None:
    clock = FrozenClock(T0)
    with hold(
        sessions, NAME, clock=clock, purpose="p", busy_message=str, lost_message="lost", duration=MINUTE
    ) as lease:
        clock.advance(timedelta(seconds=90))
        lease.keep_alive()  # expired, but nobody took it: still ours
        info = read(sessions, NAME)
        assert info is not None and info.expires_at == clock.now() + MINUTE
    assert read(sessions, NAME) is None


def test_busy_lease_waits_tells_once_then_gives_up(sessions: sessionmaker[Session]) -> None:
    clock = FrozenClock(T0)
    assert (
        try_take(sessions, NAME, new_holder_id(), "the other sync", now=T0, duration=timedelta(hours=1))
        is None
    )
    told: list[LeaseInfo] = []
    with pytest.raises(LeaseBusy, match="busy: the other sync") as caught:
        with hold(
            sessions,
            NAME,
            clock=clock,
            purpose="p",
            busy_message=lambda info: f"busy: {info.holder_label}",
            lost_message="lost",
            wait_seconds=10,
            on_wait=told.append,
        ):
            raise AssertionError("must not run")
    assert [i.holder_label for i in told] == ["the other sync"]
    assert caught.value.info.holder_label == "the other sync"
    assert clock.now() - T0 >= timedelta(seconds=10)


def test_waiting_holder_gets_the_lease_when_the_first_releases(sessions: sessionmaker[Session]) -> None:
    first = new_holder_id()
    clock = FrozenClock(T0)
    assert try_take(sessions, NAME, first, "first", now=T0, duration=timedelta(hours=1)) is None

    def on_wait(_info: LeaseInfo) -> None:
        release(sessions, NAME, first)  # the first sync finishes while the second waits

    with hold(
        sessions,
        NAME,
        clock=clock,
        purpose="second",
        busy_message=str,
        lost_message="lost",
        wait_seconds=60,
        on_wait=on_wait,
    ):
        info = read(sessions, NAME)
        assert info is not None and info.holder_label.startswith("second (PID ")


def test_lease_of_a_dead_process_is_taken_over_at_once(sessions: sessionmaker[Session]) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(gone.stdout)
    mine = new_holder_id()
    dead = _holder_of(dead_pid)
    assert try_take(sessions, NAME, dead, "killed sync", now=T0, duration=timedelta(hours=1)) is None
    assert try_take(sessions, NAME, mine, "next sync", now=T0 + timedelta(seconds=1), duration=MINUTE) is None
    assert (info := read(sessions, NAME)) is not None and info.holder == mine


def test_live_holder_of_another_process_is_respected(sessions: sessionmaker[Session]) -> None:
    alive = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        mine = new_holder_id()
        other = _holder_of(alive.pid)
        assert try_take(sessions, NAME, other, "running sync", now=T0, duration=timedelta(hours=1)) is None
        assert (
            try_take(sessions, NAME, mine, "next", now=T0 + timedelta(seconds=1), duration=MINUTE) is not None
        )
    finally:
        assert alive.stdin is not None
        alive.stdin.close()
        alive.wait(timeout=30)


@pytest.mark.parametrize("expired", [False, True], ids=["absent", "expired"])
def test_racing_takers_exactly_one_wins(sessions: sessionmaker[Session], expired: bool) -> None:
    if expired:
        assert (
            try_take(sessions, NAME, "someone:1:elsewhere", "old", now=T0 - MINUTE * 3, duration=MINUTE)
            is None
        )
    contenders = 8
    barrier = threading.Barrier(contenders)
    winners: list[str] = []
    errors: list[BaseException] = []

    def contend() -> None:
        holder = new_holder_id()
        try:
            barrier.wait(timeout=30)
            if try_take(sessions, NAME, holder, holder, now=T0, duration=MINUTE) is None:
                winners.append(holder)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=contend) for _ in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(winners) == 1
    assert (info := read(sessions, NAME)) is not None and info.holder == winners[0]
