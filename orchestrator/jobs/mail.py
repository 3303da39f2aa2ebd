"""Scheduled job: plan the outbox from the agenda and people, then send what is due now.

A thin adapter: the app's mail options (:meth:`~orchestrator.app.App.mail_options`), store, clock
and transports become the collaborators of :class:`~orchestrator.mail.service.MailService`,
which does the work (see there). ``next_due`` tells the scheduler when to wake the job next.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from orchestrator.mail.results import HostMailResult, PlanResult, SendDueResult
from orchestrator.mail.service import AppliedRound, MailService

if TYPE_CHECKING:
    from orchestrator.app import App
    from orchestrator.mail.transports import Transport


def mail_service(rt: App, *, transport_factory: Callable[[], Transport] | None = None) -> MailService:
    """The mail service of ``rt`` (``transport_factory`` replaces the configured transports)."""
    return MailService(
        rt.store,
        rt.clock,
        transport_factory or rt.mail_transport_factory(),
        rt.mail_options(),
        rt.plan_memo,
        rt.mail_render_pool,
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
