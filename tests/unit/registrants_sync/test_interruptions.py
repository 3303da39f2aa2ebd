"""A sync killed around a Zoom call: the next sync registers everyone exactly once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from orchestrator.app import App
from orchestrator.jobs.registrants import zoom_access
from orchestrator.registrants.service import import_registrations, sync_registrants
from orchestrator.zoom.client import ZoomClient
from orchestrator.zoom.emulator import EmulatorApp
from tests.unit.registrants_sync.conftest import meeting_id


class Killed(BaseException):
    """Stands in for kill -9: nothing after it runs (no rollback handlers catch BaseException here)."""


def crash_on_batch(
    monkeypatch: pytest.MonkeyPatch, zoom: ZoomClient, number: int, *, after_call: bool
) -> None:
    real = zoom.batch_registrants
    calls = {"n": 0}

    def batch(
        meeting: int | str,
        registrants: Sequence[Mapping[str, Any]],
        auto_approve: bool,
        registrants_confirmation_email: bool = False,
    ) -> dict[str, Any]:
        calls["n"] += 1
        if calls["n"] == number and not after_call:
            raise Killed
        answer = real(meeting, registrants, auto_approve, registrants_confirmation_email)
        if calls["n"] == number:
            raise Killed
        return answer

    monkeypatch.setattr(zoom, "batch_registrants", batch)


@pytest.mark.parametrize(("after_call", "resolved", "requeued"), [(True, 30, 0), (False, 0, 30)])
def test_killed_sync_is_completed_by_the_next_one(
    rt: App,
    emulator: EmulatorApp,
    fixture_csv: Path,
    monkeypatch: pytest.MonkeyPatch,
    after_call: bool,
    resolved: int,
    requeued: int,
) -> None:
    import_registrations(rt.store, rt.clock, None, fixture_csv)
    with monkeypatch.context() as patch:
        crash_on_batch(patch, rt.zoom, 3, after_call=after_call)
        with pytest.raises(Killed):
            sync_registrants(zoom_access(rt), None)
    in_zoom = Counter(r["email"] for r in emulator.registrants(meeting_id(emulator), include_cancelled=True))
    assert len(in_zoom) == (90 if after_call else 60)

    result = sync_registrants(zoom_access(rt), None)
    in_zoom = Counter(r["email"] for r in emulator.registrants(meeting_id(emulator), include_cancelled=True))
    assert len(in_zoom) == 235 and max(in_zoom.values()) == 1
    assert result.resolved_after_interruption == resolved
    assert result.requeued_after_interruption == requeued
    assert result.states == {"registered": 235}
    # Only the people Zoom did not have were sent again: 235 - 90 (or 60) in the second run.
    assert result.registered == 235 - (90 if after_call else 60)
