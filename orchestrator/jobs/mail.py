"""Scheduled job: plan the outbox from the agenda and people, then send what is due now.

Due-ness lives in the outbox (computed from the agenda), not in the scheduler: whenever this job
runs — on time, late after a downtime, twice — it sends exactly what is due and skips what is
overdue. ``next_due`` tells the scheduler when to wake it next.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

from orchestrator.events import agenda_of, resolve_event
from orchestrator.mail import outbox
from orchestrator.mail.dispatch import DispatchConfig, Dispatcher
from orchestrator.mail.planner import plan_outbox
from orchestrator.mail.render import MailRenderer
from orchestrator.mail.transports.base import TransportError

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from orchestrator.app import App
    from orchestrator.mail.transports import Transport


def dispatch_config(rt: App) -> DispatchConfig:
    settings = rt.settings
    return DispatchConfig(
        sender=settings.mail_from,
        reply_to=settings.mail_reply_to or None,
        workers=settings.mail_workers,
        max_unconfirmed=settings.mail_max_unconfirmed,
        rate_per_minute=settings.mail_rate_per_minute,
        lease=timedelta(seconds=settings.mail_lease_seconds),
        batch_size=settings.mail_batch_size,
        max_attempts=settings.mail_max_attempts,
        message_id_domain=settings.mail_message_id_domain or None,
    )


def renderer(rt: App) -> MailRenderer:
    return MailRenderer(rt.settings.mail_template_dir, rt.settings.mail_logo_url, clock=rt.clock)


def plan(rt: App, event_key: str | None) -> dict[str, Any]:
    """Bring the outbox in line with agenda and people (no sending); returns the plan report."""
    with rt.session() as session:
        event = resolve_event(session, event_key)
        report = plan_outbox(session, event, rt.clock.now())
        session.commit()
        return {"event": event.key, **report.as_dict()}


def run(
    rt: App,
    event_key: str | None,
    *,
    stop: threading.Event | None = None,
    transport_factory: Callable[[], Transport] | None = None,
) -> dict[str, Any]:
    """One pass: plan, then send what is due (``stop`` ends it after the mails in flight)."""
    planned = plan(rt, event_key)
    with rt.session() as session:
        event_id = resolve_event(session, event_key).id
    dispatcher = Dispatcher(
        rt.sessions,
        rt.clock,
        renderer(rt),
        transport_factory or rt.mail_transport_factory(),
        dispatch_config(rt),
        stop=stop,
    )
    report = dispatcher.dispatch(event_id)
    return {"planned": planned, **report.as_dict()}


def next_due(rt: App, event_key: str | None) -> datetime | None:
    """When a queued mail next becomes sendable (None: nothing waits)."""
    with rt.session() as session:
        event = resolve_event(session, event_key)
        now = rt.clock.now()
        if outbox.due_now_count(session, event.id, now):
            return now
        return outbox.next_due_at(session, event.id, now)


def send_host_instructions(
    rt: App,
    event_key: str | None,
    breakouts_report: dict[str, Any],
    *,
    transport_factory: Callable[[], Transport] | None = None,
) -> list[dict[str, Any]]:
    """Mail each applied round's host instruction (de + en) to the organiser's contact address.

    No outbox row (the organiser is not a participant): the Message-ID is derived from the round
    and the payload sent to Zoom, so the .eml transport stays idempotent; a failure is reported,
    not retried (the instruction is also in the breakouts job report and the CLI output).
    """
    applied = [item for item in breakouts_report.get("applied", []) if item.get("instructions")]
    if not applied:
        return []
    with rt.session() as session:
        event = resolve_event(session, event_key)
        agenda = agenda_of(event)
    config = dispatch_config(rt)
    transport = (transport_factory or rt.mail_transport_factory())()
    results: list[dict[str, Any]] = []
    try:
        transport.open()
        for item in applied:
            digest = hashlib.sha256(str(item.get("payload_hash", "")).encode()).hexdigest()[:12]
            msg = EmailMessage()
            msg["From"] = config.sender
            msg["To"] = agenda.organiser.contact_email
            msg["Subject"] = f"Breakout-Runde {item['round']}: Hinweis für die Moderation / host instruction"
            msg["Date"] = format_datetime(rt.clock.now())
            msg["Message-ID"] = f"<host-{event.key}-r{item['round']}-{digest}@{config.domain}>"
            msg["Auto-Submitted"] = "auto-generated"
            instructions = item["instructions"]
            msg.set_content(f"{instructions.get('de', '')}\n\n---\n\n{instructions.get('en', '')}\n")
            try:
                transport.send(msg)
                results.append({"round": item["round"], "sent": True})
            except TransportError as exc:
                results.append({"round": item["round"], "sent": False, "reason": exc.reason})
    except TransportError as exc:
        results.append({"round": None, "sent": False, "reason": exc.reason})
    finally:
        transport.close()
    return results
