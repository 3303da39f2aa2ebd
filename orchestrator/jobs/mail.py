"""Scheduled job: plan the outbox from the agenda and people, then send what is due now.

A thin adapter: the settings become :class:`~orchestrator.mail.service.MailOptions`, the app's
store, clock and transports the collaborators of :class:`~orchestrator.mail.service.MailService`,
which does the work (see there). ``next_due`` tells the scheduler when to wake the job next.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from orchestrator.mail.dispatch_config import DispatchConfig
from orchestrator.mail.results import HostMailResult, PlanResult, SendDueResult
from orchestrator.mail.service import AppliedRound, MailOptions, MailService

if TYPE_CHECKING:
    from orchestrator.app import App
    from orchestrator.mail.transports import Transport
    from orchestrator.settings import Settings


def mail_options(settings: Settings) -> MailOptions:
    """The mail settings (``ORCHESTRATOR_MAIL_*``) as the service's options."""
    return MailOptions(
        dispatch=DispatchConfig(
            sender=settings.mail_from,
            reply_to=settings.mail_reply_to or None,
            workers=settings.mail_workers,
            max_unconfirmed=settings.mail_max_unconfirmed,
            rate_per_minute=settings.mail_rate_per_minute,
            lease=timedelta(seconds=settings.mail_lease_seconds),
            batch_size=settings.mail_batch_size,
            max_attempts=settings.mail_max_attempts,
            message_id_domain=settings.mail_message_id_domain or None,
        ),
        template_dir=settings.mail_template_dir,
        logo_url=settings.mail_logo_url,
    )


def mail_service(rt: App, *, transport_factory: Callable[[], Transport] | None = None) -> MailService:
    """The mail service of ``rt`` (``transport_factory`` replaces the configured transports)."""
    return MailService(
        rt.store,
        rt.clock,
        transport_factory or rt.mail_transport_factory(),
        mail_options(rt.settings),
    )


def plan(rt: App, event_key: str | None) -> PlanResult:
    """Bring the outbox in line with agenda and people (no sending)."""
    return mail_service(rt).plan(event_key)


def run(
    rt: App,
    event_key: str | None,
    *,
    stop: threading.Event | None = None,
    transport_factory: Callable[[], Transport] | None = None,
) -> SendDueResult:
    """One pass: plan, then send what is due (``stop`` ends it after the mails in flight)."""
    return mail_service(rt, transport_factory=transport_factory).send_due(event_key, stop=stop)


def next_due(rt: App, event_key: str | None) -> datetime | None:
    """When a queued mail next becomes sendable (None: nothing waits)."""
    return mail_service(rt).next_due(event_key)


def send_host_instructions(
    rt: App,
    event_key: str | None,
    rounds: Sequence[AppliedRound],
    *,
    transport_factory: Callable[[], Transport] | None = None,
) -> tuple[HostMailResult, ...]:
    """Mail each applied round's host instruction to the organiser (see the service)."""
    service = mail_service(rt, transport_factory=transport_factory)
    return service.send_host_instructions(event_key, rounds)
