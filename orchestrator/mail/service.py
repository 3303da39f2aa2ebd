"""The mail use cases: preview, plan, schedule, send what is due, status, host instructions.

:class:`MailService` takes its collaborators (the store, the clock, a factory of mail transports,
one per send worker) and plain :class:`MailOptions`; the entry points (``orchestrator mail ...``,
the scheduled dispatch job, the rehearsal) build it from the settings and render its typed
results (:mod:`orchestrator.mail.results`).

Due-ness lives in the outbox (computed from the agenda), not in the caller: whenever a pass runs
— on time, late after a downtime, twice — it sends exactly what is due and skips what is overdue.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from orchestrator.clock import Clock
from orchestrator.db.store import Store
from orchestrator.events import agenda_of, resolve_event
from orchestrator.mail import outbox
from orchestrator.mail.dispatch_config import DispatchConfig
from orchestrator.mail.planner import plan_outbox
from orchestrator.mail.results import (
    HostMailResult,
    PlanResult,
    PreviewResult,
    ScheduleResult,
    SendDueResult,
    StatusResult,
)
from orchestrator.mail.status import schedule, status
from orchestrator.mail.transports.base import Transport, TransportError

if TYPE_CHECKING:
    from orchestrator.mail.dispatch import Dispatcher
    from orchestrator.mail.preview import PreviewRequest
    from orchestrator.mail.render import MailRenderer


@dataclass(frozen=True)
class MailOptions:
    """How mails are written and sent: the dispatcher's settings plus the template overrides."""

    dispatch: DispatchConfig
    template_dir: Path | None = None
    logo_url: str | None = None


class HostTexts(Protocol):
    """A host instruction in German and English."""

    @property
    def de(self) -> str: ...

    @property
    def en(self) -> str: ...


class AppliedRound(Protocol):
    """A breakout round applied in Zoom (``breakouts.results.ApplyOutcome`` is one)."""

    @property
    def round(self) -> int: ...

    @property
    def payload_hash(self) -> str: ...

    @property
    def instructions(self) -> HostTexts: ...


@dataclass(frozen=True)
class MailService:
    """The mail use cases of the events in ``store``."""

    store: Store
    clock: Clock
    transport_factory: Callable[[], Transport]
    options: MailOptions

    def renderer(self) -> MailRenderer:
        """The template renderer (built-in templates, or the organiser's overrides)."""
        from orchestrator.mail.render import MailRenderer  # Jinja2 loads only when mails are rendered

        return MailRenderer(self.options.template_dir, self.options.logo_url, clock=self.clock)

    def preview(self, event_key: str | None, request: PreviewRequest) -> PreviewResult:
        """Render one mail kind in one language into files; opens nothing, sends nothing."""
        with self.store.session() as session:
            event = resolve_event(session, event_key)
            from orchestrator.mail.preview import render_preview

            files = render_preview(
                session,
                event,
                self.renderer(),
                request,
                sender=self.options.dispatch.sender,
                date=self.clock.now(),
            )
        return PreviewResult(event.key, request.kind, request.language, tuple(files))

    def plan(self, event_key: str | None) -> PlanResult:
        """Bring the outbox in line with agenda and people (no sending)."""
        with self.store.session() as session:
            event = resolve_event(session, event_key)
            report = plan_outbox(session, event, self.clock.now())
            session.commit()
            return PlanResult.of(event.key, report)

    def schedule(self, event_key: str | None) -> ScheduleResult:
        """Plan the outbox (idempotent), then list each mail occasion with its times and counts."""
        with self.store.session() as session:
            event = resolve_event(session, event_key)
            plan_outbox(session, event, self.clock.now())
            session.commit()
            return schedule(session, event, self.clock.now())

    def status(self, event_key: str | None) -> StatusResult:
        """Counts per mail kind and state, skip reasons and failures with the server's reason."""
        with self.store.session() as session:
            return status(session, resolve_event(session, event_key))

    def dispatcher(self, *, stop: threading.Event | None = None) -> Dispatcher:
        """A dispatcher sending through this service's transports (``stop`` ends a pass early)."""
        from orchestrator.mail.dispatch import Dispatcher

        return Dispatcher(
            self.store.sessions,
            self.clock,
            self.renderer(),
            self.transport_factory,
            self.options.dispatch,
            stop=stop,
        )

    def send_due(self, event_key: str | None, *, stop: threading.Event | None = None) -> SendDueResult:
        """One pass: plan, then send what is due (``stop`` ends it after the mails in flight)."""
        planned = self.plan(event_key)
        with self.store.session() as session:
            event_id = resolve_event(session, event_key).id
        report = self.dispatcher(stop=stop).dispatch(event_id)
        return SendDueResult.of(planned, report)

    def next_due(self, event_key: str | None) -> datetime | None:
        """When a queued mail next becomes sendable (None: nothing waits)."""
        with self.store.session() as session:
            event = resolve_event(session, event_key)
            now = self.clock.now()
            if outbox.due_now_count(session, event.id, now):
                return now
            return outbox.next_due_at(session, event.id, now)

    def send_host_instructions(
        self, event_key: str | None, rounds: Sequence[AppliedRound]
    ) -> tuple[HostMailResult, ...]:
        """Mail each applied round's host instruction (de + en) to the organiser's contact address.

        No outbox row (the organiser is not a participant): the Message-ID is derived from the
        round and the payload sent to Zoom, so the .eml transport stays idempotent; a failure is
        reported, not retried (the instruction is also in the breakouts report and CLI output).
        """
        applied = [item for item in rounds if item.instructions.de or item.instructions.en]
        if not applied:
            return ()
        with self.store.session() as session:
            event = resolve_event(session, event_key)
            event_key_text, contact = event.key, agenda_of(event).organiser.contact_email
        transport = self.transport_factory()
        results: list[HostMailResult] = []
        try:
            transport.open()
            for item in applied:
                try:
                    transport.send(self._host_message(event_key_text, contact, item))
                    results.append(HostMailResult(item.round, True))
                except TransportError as exc:
                    results.append(HostMailResult(item.round, False, exc.reason))
        except TransportError as exc:
            results.append(HostMailResult(None, False, exc.reason))
        finally:
            transport.close()
        return tuple(results)

    def _host_message(self, event_key: str, contact: str, item: AppliedRound) -> EmailMessage:
        """The plain-text host instruction of one round (a one-part mail, no participant MIME)."""
        config = self.options.dispatch
        digest = hashlib.sha256(item.payload_hash.encode()).hexdigest()[:12]
        msg = EmailMessage()
        msg["From"] = config.sender
        msg["To"] = contact
        msg["Subject"] = f"Breakout-Runde {item.round}: Hinweis für die Moderation / host instruction"
        msg["Date"] = format_datetime(self.clock.now())
        msg["Message-ID"] = f"<host-{event_key}-r{item.round}-{digest}@{config.domain}>"
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(f"{item.instructions.de}\n\n---\n\n{item.instructions.en}\n")
        return msg


__all__ = ["AppliedRound", "HostTexts", "MailOptions", "MailService"]
