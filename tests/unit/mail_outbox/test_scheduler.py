"""The service's scheduler wiring: stable ids, job options, one pass, early wake-up."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from orchestrator.scheduler import ALL_JOBS, JOB_DISPATCH, Service, ServiceConfig
from tests.unit.mail_outbox.support import START, event_with_people, states


def test_jobs_have_stable_ids_and_safe_options(sqlite_url: str, tmp_path: Path) -> None:
    rt = event_with_people(sqlite_url, tmp_path)
    service = Service(rt, ServiceConfig(jobs=(JOB_DISPATCH,), dispatch_interval=timedelta(hours=1)))
    scheduler = service.start()
    try:
        scheduler.pause()
        job = scheduler.get_job(JOB_DISPATCH)
        assert job is not None
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 600)
        assert [j.id for j in scheduler.get_jobs()] == [JOB_DISPATCH]
        # After a pass, the job is woken at the next mail's due time if that comes before the interval.
        rt.clock.set(START - timedelta(days=7, minutes=1))  # the 7-day reminder is due in one minute
        service.run_job(JOB_DISPATCH)
        wake = scheduler.get_job(JOB_DISPATCH).next_run_time
        assert wake - datetime.now().astimezone() < timedelta(minutes=2)
    finally:
        service.shutdown()


def test_run_once_runs_every_job_and_survives_failures(sqlite_url: str, tmp_path: Path) -> None:
    rt = event_with_people(sqlite_url, tmp_path)
    outcomes = Service(rt, ServiceConfig()).run_once()
    assert [o.job for o in outcomes] == [
        "webhooks-process",
        "registrants-sync",
        "breakouts-apply",
        "mail-dispatch",
        "privacy-retention",
        "attendance-reconcile",
    ]
    assert set(ALL_JOBS) == {o.job for o in outcomes}
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    assert outcomes[3].result["sent_by_occasion"] == {"confirmation": 235}
    assert states(rt, "confirmation") == {"sent": 235}
    broken = Service(rt, ServiceConfig(event_key="no-such-event")).run_once()
    # the event's own jobs fail clearly; webhooks and retention are not tied to one event
    assert not any(o.ok for o in broken if o.job in {"registrants-sync", "breakouts-apply", "mail-dispatch"})
    assert "no-such-event" in (broken[1].error or "")
