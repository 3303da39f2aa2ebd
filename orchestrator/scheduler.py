"""APScheduler 3 wiring for ``orchestrator run``: the jobs only wake the services.

Stable job ids: ``registrants-sync`` (every ``sync_interval_seconds``), ``mail-dispatch`` (every
``dispatch_interval_seconds`` and, after each pass, woken again at the next mail's due time) and
``breakouts-apply`` (at the next round's apply time, re-checked every few minutes), ``webhooks-process``
(every minute: a safety net behind the web app's own worker) and ``privacy-retention`` (daily). Every job has
``coalesce=True``, ``max_instances=1`` and a ``misfire_grace_time``. Due-ness is computed from the
store each time a job runs, so a restart, a long downtime or a moved event need no special care.

Stop: :meth:`Service.stop` (SIGTERM/SIGINT in ``run``) sets the shared stop event; the dispatcher
finishes the messages in flight and gives back claimed rows, then the scheduler shuts down.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from orchestrator.errors import OrchestratorError
from orchestrator.results import to_jsonable

if TYPE_CHECKING:
    from orchestrator.app import App

log = logging.getLogger(__name__)

JOB_SYNC = "registrants-sync"
JOB_DISPATCH = "mail-dispatch"
JOB_BREAKOUTS = "breakouts-apply"
JOB_WEBHOOKS = "webhooks-process"
JOB_RETENTION = "privacy-retention"
JOB_ATTENDANCE = "attendance-reconcile"
ALL_JOBS = (JOB_SYNC, JOB_DISPATCH, JOB_BREAKOUTS, JOB_WEBHOOKS, JOB_RETENTION, JOB_ATTENDANCE)
# The web app's worker applies webhook events at once; this pass is the safety net after a crash.
WEBHOOKS_RECHECK = timedelta(minutes=1)
RETENTION_RECHECK = timedelta(hours=24)
# Zoom's participant report is ready some minutes after a meeting; the job waits 30 min anyway.
ATTENDANCE_RECHECK = timedelta(minutes=15)
BREAKOUTS_RECHECK = timedelta(minutes=5)


@dataclass(frozen=True)
class ServiceConfig:
    event_key: str | None = None
    jobs: tuple[str, ...] = ALL_JOBS
    sync_interval: timedelta = timedelta(minutes=5)
    dispatch_interval: timedelta = timedelta(seconds=30)
    misfire_grace_seconds: int = 600


@dataclass
class JobOutcome:
    job: str
    ok: bool
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"job": self.job, "ok": self.ok, "result": self.result, "error": self.error}


class Service:
    """The jobs of one event, runnable once (``run_once``) or on a BackgroundScheduler."""

    def __init__(self, rt: App, config: ServiceConfig, *, stop: threading.Event | None = None) -> None:
        self.rt = rt
        self.config = config
        self.stop_event = stop or threading.Event()
        self.scheduler: BackgroundScheduler | None = None
        # Held by a job thread while it looks at/modifies the scheduler's jobs, and by shutdown()
        # while it sets the stop event: shutdown waits for the job threads while holding the
        # scheduler's job-store lock, so a job thread must never reach for that lock afterwards.
        self._reschedule_lock = threading.Lock()
        self._bodies: dict[str, Callable[[], dict[str, Any]]] = {
            JOB_SYNC: self._sync,
            JOB_DISPATCH: self._dispatch,
            JOB_BREAKOUTS: self._breakouts,
            JOB_WEBHOOKS: self._webhooks,
            JOB_RETENTION: self._retention,
            JOB_ATTENDANCE: self._attendance,
        }

    # -- job bodies --------------------------------------------------------------------------------
    def _sync(self) -> dict[str, Any]:
        from orchestrator.jobs import registrants

        report: dict[str, Any] = to_jsonable(registrants.run(self.rt, self.config.event_key))
        return report

    def _dispatch(self) -> dict[str, Any]:
        from orchestrator.jobs import mail

        report: dict[str, Any] = to_jsonable(mail.run(self.rt, self.config.event_key, stop=self.stop_event))
        return report

    def _breakouts(self) -> dict[str, Any]:
        from orchestrator.jobs import breakouts, mail

        applied = breakouts.run(self.rt, self.config.event_key)
        report: dict[str, Any] = to_jsonable(applied)
        host_mails = mail.send_host_instructions(self.rt, self.config.event_key, applied.applied)
        report["host_mails"] = to_jsonable(host_mails)
        return report

    def _webhooks(self) -> dict[str, Any]:
        from orchestrator.jobs import webhooks

        return webhooks.run(self.rt, self.config.event_key)

    def _retention(self) -> dict[str, Any]:
        from orchestrator.jobs import retention

        report: dict[str, Any] = to_jsonable(retention.run(self.rt, self.config.event_key))
        return report

    def _attendance(self) -> dict[str, Any]:
        from orchestrator.jobs import attendance

        return {"reconciled": to_jsonable(attendance.run(self.rt, self.config.event_key))}

    def run_job(self, job: str) -> JobOutcome:
        """Run one job now; errors are logged and reported, never raised (the service keeps going)."""
        try:
            result = self._bodies[job]()
        except OrchestratorError as exc:
            log.warning("job failed", extra={"job": job, "error": exc.message})
            return JobOutcome(job, False, error=exc.message)
        except Exception as exc:  # the scheduler thread must survive any failure of one run
            log.exception("job crashed", extra={"job": job})
            return JobOutcome(job, False, error=f"{type(exc).__name__}: {exc}")
        finally:
            self._reschedule(job)
        return JobOutcome(job, True, result)

    def run_once(self) -> list[JobOutcome]:
        """Each selected job once, in a sensible order (sync → breakouts → mail)."""
        order = [
            j
            for j in (JOB_WEBHOOKS, JOB_SYNC, JOB_BREAKOUTS, JOB_DISPATCH, JOB_RETENTION, JOB_ATTENDANCE)
            if j in self.config.jobs
        ]
        return [self.run_job(job) for job in order if not self.stop_event.is_set()]

    # -- scheduling ----------------------------------------------------------------------------------
    def start(self) -> BackgroundScheduler:
        """Start the BackgroundScheduler with every selected job due at once."""
        grace = self.config.misfire_grace_seconds
        scheduler = BackgroundScheduler(
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
            timezone="UTC",
        )
        now = datetime.now().astimezone()
        intervals = {
            JOB_SYNC: self.config.sync_interval,
            JOB_DISPATCH: self.config.dispatch_interval,
            JOB_BREAKOUTS: BREAKOUTS_RECHECK,
            JOB_WEBHOOKS: WEBHOOKS_RECHECK,
            JOB_RETENTION: RETENTION_RECHECK,
            JOB_ATTENDANCE: ATTENDANCE_RECHECK,
        }
        for job in self.config.jobs:
            scheduler.add_job(
                self.run_job,
                IntervalTrigger(seconds=intervals[job].total_seconds()),
                args=[job],
                id=job,
                name=job,
                replace_existing=True,
                next_run_time=now,
            )
        self.scheduler = scheduler
        scheduler.start()
        return scheduler

    def _reschedule(self, job: str) -> None:
        """Wake the mail/breakout job early when its next due time comes before the next interval."""
        scheduler = self.scheduler
        if scheduler is None or self.stop_event.is_set():
            return
        targets = {JOB_DISPATCH: JOB_DISPATCH, JOB_BREAKOUTS: JOB_BREAKOUTS, JOB_SYNC: JOB_BREAKOUTS}
        target = targets.get(job)
        if target is None or target not in self.config.jobs:
            return
        try:
            due = self._next_due(target)
        except Exception:  # a failed look-up only means we wait for the next interval
            log.debug("next due look-up failed", exc_info=True)
            return
        if due is None:
            return
        with self._reschedule_lock:
            if self.stop_event.is_set():
                return
            scheduled = scheduler.get_job(target)
            if scheduled is None or scheduled.next_run_time is None:
                return
            # Business times come from the runtime's clock; the scheduler runs on the wall clock.
            wake = datetime.now().astimezone() + max(due - self.rt.clock.now(), timedelta(seconds=1))
            if wake < scheduled.next_run_time:
                scheduler.modify_job(target, next_run_time=wake)

    def _next_due(self, job: str) -> datetime | None:
        from orchestrator.jobs import breakouts, mail

        if job == JOB_DISPATCH:
            return mail.next_due(self.rt, self.config.event_key)
        return breakouts.next_due(self.rt, self.config.event_key)

    def stop(self) -> None:
        self.stop_event.set()

    def shutdown(self) -> None:
        """Stop the scheduler after the running jobs finished (the dispatcher honours the stop event)."""
        with self._reschedule_lock:
            self.stop_event.set()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
            self.scheduler = None
