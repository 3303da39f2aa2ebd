"""``orchestrator run``: the long-running service (scheduler jobs and HTTP)."""

from __future__ import annotations

import signal
import threading
from datetime import timedelta
from types import FrameType
from typing import Annotated, Any

import typer

from orchestrator.app import App
from orchestrator.cli import output
from orchestrator.cli.options import EventOption, JsonOption
from orchestrator.cli.state import runtime
from orchestrator.db.instance_lock import single_service
from orchestrator.errors import BadInput
from orchestrator.events import resolve_event
from orchestrator.i18n import _
from orchestrator.scheduler import ALL_JOBS, Service, ServiceConfig


def service_config(rt: App, event_key: str | None, jobs: list[str] | None) -> ServiceConfig:
    chosen = tuple(jobs) if jobs else ALL_JOBS
    unknown = [job for job in chosen if job not in ALL_JOBS]
    if unknown:
        raise BadInput(
            _("Unknown job {jobs}; use one of {known}.", jobs=", ".join(unknown), known=", ".join(ALL_JOBS))
        )
    settings = rt.settings
    return ServiceConfig(
        event_key=event_key,
        jobs=chosen,
        sync_interval=timedelta(seconds=settings.sync_interval_seconds),
        dispatch_interval=timedelta(seconds=settings.dispatch_interval_seconds),
        misfire_grace_seconds=settings.misfire_grace_seconds,
    )


def run_service(
    rt: App, config: ServiceConfig, *, http: bool, stop: threading.Event | None = None
) -> dict[str, Any]:
    """Run the scheduler (and the HTTP service) until ``stop`` is set; returns a short summary."""
    with rt.session() as session:  # fail early and clearly when there is no event
        event = resolve_event(session, config.event_key)
        config = ServiceConfig(
            event.key,
            config.jobs,
            config.sync_interval,
            config.dispatch_interval,
            config.misfire_grace_seconds,
        )
    stop = stop or threading.Event()
    service = Service(rt, config, stop=stop)
    http_port: int | None = None
    if http:
        from orchestrator.web.serve import serve_http
        from orchestrator.web.ui import create_ui_app

        server = serve_http(create_ui_app(rt), rt.settings.http_host, rt.settings.http_port, stop)
        http_port = server.port
    service.start()
    output.say(
        _(
            "Service running for {event} (jobs: {jobs}). Stop with Ctrl+C or SIGTERM.",
            event=event.key,
            jobs=", ".join(config.jobs),
        )
    )
    try:
        while not stop.wait(0.5):
            pass
    finally:
        service.shutdown()
    return {"event": event.key, "jobs": list(config.jobs), "http_port": http_port, "stopped": True}


def run(
    event: EventOption = None,
    once: Annotated[bool, typer.Option("--once", help="Run every job once and exit.")] = False,
    job: Annotated[
        list[str] | None, typer.Option("--job", help="Only this job (repeatable): " + ", ".join(ALL_JOBS))
    ] = None,
    no_http: Annotated[bool, typer.Option("--no-http", help="Do not start the HTTP service.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Run the service: Zoom sync, mail dispatch and breakout apply on a schedule; HTTP for webhooks."""

    def action() -> dict[str, Any]:
        rt = runtime()
        config = service_config(rt, event, job)
        # One service per SQLite store (refused with exit code 1); PostgreSQL allows several.
        with single_service(rt.settings.database_url, now=rt.clock.now()):
            if once:
                outcomes = Service(rt, config).run_once()
                return {"once": True, "jobs": [o.as_dict() for o in outcomes]}
            stop = threading.Event()

            def on_signal(signum: int, frame: FrameType | None) -> None:
                stop.set()

            signal.signal(signal.SIGTERM, on_signal)
            signal.signal(signal.SIGINT, on_signal)
            return run_service(rt, config, http=not no_http, stop=stop)

    def render(result: dict[str, Any]) -> None:
        if result.get("once"):
            for outcome in result["jobs"]:
                text = _("ok") if outcome["ok"] else outcome["error"]
                output.say(f"{outcome['job']}: {text}")
        else:
            output.say(_("Service stopped."))

    output.run_command(as_json, action, render)
