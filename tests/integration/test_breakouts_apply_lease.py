"""One breakout apply per event at a time: a second apply while one runs sends nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from orchestrator.breakouts import service
from orchestrator.breakouts.apply_lease import apply_lease_name
from orchestrator.breakouts.limits import ZoomLimits
from orchestrator.breakouts.plan import PlanOptions
from orchestrator.db.lease import LeaseBusy, new_holder_id, read, release, try_take
from orchestrator.db.models import Event
from orchestrator.jobs.breakouts import work
from tests.integration.test_breakouts_support import event_runtime

OTHER = "orchestrator breakouts apply (PID 4242, otherhost)"


def test_apply_while_another_apply_runs_is_refused_and_sends_nothing(
    database_url: str, tmp_path: Path
) -> None:
    rt = event_runtime(database_url, tmp_path)
    service.plan(rt.store, rt.clock, None, PlanOptions())
    with rt.session() as session:
        name = apply_lease_name(session.scalars(select(Event)).one().id)
    holder = new_holder_id().replace(":", "-")  # a holder on another host
    assert try_take(rt.sessions, name, holder, OTHER, now=rt.clock.now()) is None
    rt.emulator.clear_request_log()
    with pytest.raises(
        LeaseBusy, match=r"Another breakout apply .* is running \(orchestrator breakouts apply"
    ):
        service.apply(work(rt), None, 1, ZoomLimits())
    assert rt.emulator.write_calls() == []
    release(rt.sessions, name, holder)
    assert service.apply(work(rt), None, 1, ZoomLimits()).zoom_writes == 1
    assert read(rt.sessions, name) is None  # released after the apply
