"""Zoom refusing or losing a breakout apply: nothing is recorded as applied that Zoom did not take.

Round 1 is in Zoom; sending round 2 meets a fault of the emulated Zoom (429 until the retries are
spent, 5xx, a 400 from Zoom's own validation, a dropped connection, a timeout). Afterwards the
record and the audit say what Zoom holds, and once the fault clears one retry applies round 2 once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from orchestrator.app import App
from orchestrator.breakouts import service
from orchestrator.breakouts.limits import ZoomLimits
from orchestrator.breakouts.plan import PlanOptions
from orchestrator.db.models import BreakoutApply, BreakoutRoundRecord, ZoomAuditEntry
from orchestrator.errors import OperationFailed
from orchestrator.i18n import language
from orchestrator.jobs.breakouts import work
from orchestrator.zoom.emulator import EmulatorAdapter
from tests.integration.test_breakouts_support import event_runtime, zoom_meeting_id

LIMITS = ZoomLimits()
MEETINGS = "/v2/meetings/*"


@pytest.fixture
def rt(database_url: str, tmp_path: Path) -> Iterator[App]:
    """Round 1 planned and in Zoom; round 2 planned, not yet sent."""
    runtime = event_runtime(database_url, tmp_path)
    service.plan(runtime.store, runtime.clock, None, PlanOptions())
    service.apply(work(runtime), None, 1, LIMITS)
    runtime.emulator.clear_request_log()
    yield runtime
    runtime.close()


def _rooms_in_zoom(rt: App) -> dict[str, list[str]]:
    meeting = rt.emulator.meeting(zoom_meeting_id(rt))
    assert meeting is not None
    return {r["name"]: sorted(r["participants"]) for r in meeting["settings"]["breakout_room"]["rooms"]}


def _records(rt: App) -> dict[int, tuple[str, bool, bool, str | None]]:
    """Round → (state, verified, current, last_error)."""
    with rt.session() as session:
        return {
            number: (record.state, record.verified, record.current, record.last_error)
            for record, number in session.execute(
                select(BreakoutApply, BreakoutRoundRecord.number).join(BreakoutRoundRecord)
            )
        }


def _audit(rt: App) -> list[tuple[int | None, str, bool]]:
    """(status, outcome, answer lost) of each audit entry of applying round 2, oldest first."""
    with rt.session() as session:
        entries = session.scalars(
            select(ZoomAuditEntry)
            .where(ZoomAuditEntry.action == "apply_breakout_rooms")
            .order_by(ZoomAuditEntry.id)
        )
        return [
            (e.status, e.outcome, bool(e.detail.get("answer_lost")))
            for e in entries
            if e.detail["round"] == 2
        ]


def _accepted_patches(rt: App) -> int:
    return sum(1 for r in rt.emulator.write_calls() if r.method == "PATCH" and 200 <= r.status < 300)


def _retry_applies_exactly_once(rt: App, round1: dict[str, list[str]]) -> None:
    rt.emulator.faults.clear()
    rt.emulator.config.max_participants_per_room = None
    rt.emulator.clear_request_log()
    result = service.apply(work(rt), None, 2, LIMITS)
    assert (result.action, result.zoom_writes, result.verified) == ("applied", 1, True)
    assert _accepted_patches(rt) == 1
    assert _rooms_in_zoom(rt) != round1
    records = _records(rt)
    assert records[2] == ("applied", True, True, None) and records[1][2] is False
    assert _audit(rt)[-1] == (204, "ok", False)
    rt.emulator.clear_request_log()
    assert service.apply(work(rt), None, 2, LIMITS).zoom_writes == 0 and _accepted_patches(rt) == 0


def _refused(rt: App, match: str) -> OperationFailed:
    round1 = _rooms_in_zoom(rt)
    with pytest.raises(OperationFailed, match="Zoom refused the rooms of round 2") as caught:
        service.apply(work(rt), None, 2, LIMITS)
    assert match in caught.value.message
    assert _rooms_in_zoom(rt) == round1  # Zoom keeps round 1
    records = _records(rt)
    state, verified, current, last_error = records[2]
    assert (state, verified, current) == ("failed", False, False) and last_error and match in last_error
    assert records[1] == ("applied", True, True, None)  # round 1 is still what Zoom holds
    assert _accepted_patches(rt) == 0
    return caught.value


def test_persistent_429_exhausts_the_retries_and_records_nothing_applied(rt: App) -> None:
    round1 = _rooms_in_zoom(rt)
    rule = rt.emulator.faults.inject("429", path_glob=MEETINGS, methods={"PATCH"})
    error = _refused(rt, "HTTP 429")
    assert rule.fired == 5  # the client's retry budget, then it gives up
    assert "rate limit was still exceeded" in error.message
    assert [(status, outcome) for status, outcome, _ in _audit(rt)] == [(429, "failed")]
    _retry_applies_exactly_once(rt, round1)


@pytest.mark.parametrize("kind", ["500", "503"])
def test_5xx_that_zoom_did_not_take_is_not_recorded_as_applied(rt: App, kind: Any) -> None:
    round1 = _rooms_in_zoom(rt)
    rt.emulator.faults.inject(kind, path_glob=MEETINGS, methods={"PATCH"})
    _refused(rt, f"HTTP {kind}")
    # A 5xx may hide a change: the meeting was read back, and it still held round 1.
    assert [(status, outcome) for status, outcome, _ in _audit(rt)] == [(int(kind), "failed")]
    _retry_applies_exactly_once(rt, round1)


def test_400_from_zoom_validation_is_reported_and_not_recorded(rt: App) -> None:
    round1 = _rooms_in_zoom(rt)
    rt.emulator.config.max_participants_per_room = 5  # stricter than our own limits: Zoom answers 400
    error = _refused(rt, "HTTP 400 (code 300)")
    assert "up to 5 pre-assigned participants" in error.message
    assert "@" not in error.message  # Zoom's message names positions, never addresses
    with language("de"):
        with pytest.raises(OperationFailed, match="Zoom hat die Räume der Runde 2 abgelehnt"):
            service.apply(work(rt), None, 2, LIMITS)
    assert [outcome for _, outcome, _ in _audit(rt)] == ["failed", "failed"]
    _retry_applies_exactly_once(rt, round1)


def _drop_patches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The connection breaks after the PATCH was sent, before Zoom processed it."""
    original = EmulatorAdapter.send

    def send(self: EmulatorAdapter, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        if request.method == "PATCH":
            raise requests.ConnectionError("Connection reset by peer")
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(EmulatorAdapter, "send", send)


def test_connection_lost_and_zoom_did_not_take_it(rt: App, monkeypatch: pytest.MonkeyPatch) -> None:
    round1 = _rooms_in_zoom(rt)
    _drop_patches(monkeypatch)
    error = _refused(rt, "connection failed")
    assert "ConnectionError" in error.message
    assert _audit(rt) == [(None, "failed", False)]
    monkeypatch.undo()
    _retry_applies_exactly_once(rt, round1)


def test_timeout_but_zoom_took_it_is_recorded_as_applied(rt: App) -> None:
    # Zoom processes every PATCH but answers after the client's read timeout (30 s): the answer is lost.
    rule = rt.emulator.faults.inject("slow", path_glob=MEETINGS, methods={"PATCH"}, delay_s=60)
    result = service.apply(work(rt), None, 2, LIMITS)
    assert rule.fired == 5
    assert (result.action, result.verified) == ("applied", True)
    records = _records(rt)
    assert records[2] == ("applied", True, True, None) and records[1][2] is False
    assert _audit(rt) == [(None, "ok", True)]


def test_unknown_when_the_answer_is_lost_and_the_meeting_cannot_be_read(
    rt: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    round1 = _rooms_in_zoom(rt)
    _drop_patches(monkeypatch)
    # The first GET (is round 2 already there?) works; reading back after the lost PATCH fails.
    original_update = rt.zoom.update_meeting

    def update_then_break_reads(meeting_id: int, body: dict[str, Any]) -> None:
        rt.emulator.faults.inject("503", path_glob=MEETINGS, methods={"GET"})
        original_update(meeting_id, body)

    monkeypatch.setattr(rt.zoom, "update_meeting", update_then_break_reads)
    with pytest.raises(OperationFailed, match="unknown whether Zoom took the rooms of round 2") as caught:
        service.apply(work(rt), None, 2, LIMITS)
    assert "check the meeting in Zoom" in caught.value.message
    assert _rooms_in_zoom(rt) == round1
    records = _records(rt)
    state, verified, current, last_error = records[2]
    assert (state, verified, current) == ("intent", False, False) and last_error == caught.value.message
    # Zoom may hold round 2 now: round 1 is no longer claimed to be in Zoom.
    assert records[1][:3] == ("applied", True, False)
    assert _audit(rt) == [(None, "unknown", False)]
    assert _accepted_patches(rt) == 0
    monkeypatch.undo()
    _retry_applies_exactly_once(rt, round1)


def test_read_back_failing_after_an_accepted_patch_is_applied_unverified(
    rt: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    original_update = rt.zoom.update_meeting

    def update_then_break_reads(meeting_id: int, body: dict[str, Any]) -> None:
        original_update(meeting_id, body)
        rt.emulator.faults.inject("503", path_glob=MEETINGS, methods={"GET"})

    monkeypatch.setattr(rt.zoom, "update_meeting", update_then_break_reads)
    with pytest.raises(OperationFailed, match="could not be read back to verify them"):
        service.apply(work(rt), None, 2, LIMITS)
    records = _records(rt)
    assert records[2][:3] == ("applied", False, True) and records[1][2] is False
    assert _audit(rt) == [(204, "unverified", False)]
    assert _accepted_patches(rt) == 1
    rt.emulator.faults.clear()
    again = service.apply(work(rt), None, 2, LIMITS)  # Zoom holds it already: verified without a write
    assert (again.action, again.zoom_writes, again.verified) == ("unchanged", 0, True)
    assert _records(rt)[2] == ("applied", True, True, None)
