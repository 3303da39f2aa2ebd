"""The mail use cases: preview, plan, schedule, send what is due, status, host instructions.

:class:`MailService` takes its collaborators (the store, the clock, a factory of mail transports,
one per send worker) and plain :class:`MailOptions`; the entry points (``orchestrator mail ...``,
the scheduled dispatch job, the rehearsal) build it from the settings and render its typed
results (:mod:`orchestrator.mail.results`).

Due-ness lives in the outbox (computed from the agenda), not in the caller: whenever a pass runs
— on time, late after a downtime, twice — it sends exactly what is due and skips what is overdue.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from orchestrator.clock import Clock
from orchestrator.db.store import Store
from orchestrator.events import agenda_of, resolve_event
from orchestrator.mail import outbox
from orchestrator.mail.dispatch_config import DispatchConfig
from orchestrator.mail.outbox import domain_of
from orchestrator.mail.plan_memo import PlanMemo, plan_inputs
from orchestrator.mail.planner import PlanReport, plan_outbox
from orchestrator.mail.prepared import PreparedMessage
from orchestrator.mail.results import (
    HeldKind,
    HoldResult,
    HostMailResult,
    PlanResult,
    PreviewResult,
    ScheduleResult,
    SendDueResult,
    StatusResult,
    TestMailResult,
)
from orchestrator.mail.status import schedule, status
from orchestrator.mail.transports.base import Transport, TransportError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from orchestrator.db.models import Event
    from orchestrator.mail.dispatch import Dispatcher
    from orchestrator.mail.preview import MailPreview, PreviewRequest
    from orchestrator.mail.render import MailRenderer
    from orchestrator.mail.render_pool import RenderPool
    from orchestrator.mail.resend import ResendResult


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
    # The process's memo of the latest plan per event (None: plan on every pass).
    plan_memo: PlanMemo | None = None
    # Worker processes that render the mails of a send pass (None: the send threads render).
    render_pool: RenderPool | None = None

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

    def render_mail(self, event_key: str | None, request: PreviewRequest) -> MailPreview:
        """Render one mail kind in one language in memory (the browser's preview); sends nothing."""
        from orchestrator.mail.preview import build_preview

        with self.store.session() as session:
            event = resolve_event(session, event_key)
            return build_preview(
                session,
                event,
                self.renderer(),
                request,
                sender=self.options.dispatch.sender,
                date=self.clock.now(),
            )

    def send_test(self, event_key: str | None, request: PreviewRequest, to: str) -> TestMailResult:
        """Send one mail of ``request``'s kind and language to ``to`` with sample data.

        The join link is always the placeholder and the subject starts with "[Test]"; no outbox
        row is written. A refused or unreachable server raises ``TransportError`` with its reason.
        """
        from orchestrator.mail.preview import TestAddress, build_preview

        sender = self.options.dispatch.sender
        message_id = f"<test-{request.kind}-{request.language}-{uuid.uuid4().hex[:16]}@{domain_of(sender)}>"
        with self.store.session() as session:
            event = resolve_event(session, event_key)
            preview = build_preview(
                session,
                event,
                self.renderer(),
                dataclasses.replace(request, to=None, hide_link=True),
                sender=sender,
                date=self.clock.now(),
                test=TestAddress(to, message_id),
            )
            key = event.key
        _name, address = parseaddr(to)
        message = PreparedMessage(
            data=preview.eml, sender=parseaddr(sender)[1], recipients=(address,), message_id=message_id
        )
        transport = self.transport_factory()
        try:
            transport.open()
            transport.send(message)
        finally:
            transport.close()
        return TestMailResult(key, request.kind, request.language, address, message_id)

    def set_hold(
        self,
        event_key: str | None,
        kind: str,
        *,
        held: bool,
        by: str,
        audit: Callable[[Session, Event, HoldResult], object] | None = None,
    ) -> HoldResult:
        """Hold back (``held``) or release one mail kind of an event; safe to repeat.

        ``audit`` is called in the same transaction (the browser's audit log) before the commit.
        """
        from orchestrator.mail.holds import set_hold

        with self.store.session() as session:
            event = resolve_event(session, event_key)
            changed = set_hold(session, event, kind, held=held, by=by, now=self.clock.now())
            result = HoldResult(event.key, kind, held, changed, outbox.queued_count(session, event.id, kind))
            if audit is not None:
                audit(session, event, result)
            session.commit()
            return result

    def resend_link(
        self,
        event_key: str | None,
        email: str,
        *,
        audit: Callable[[Session, Event, ResendResult], object] | None = None,
    ) -> ResendResult:
        """Queue the person's confirmation (with their personal join link) once more; safe to repeat.

        The next dispatch sends it; the link itself is never returned. ``audit`` is called in the
        same transaction (the browser's audit log) before the commit, only when a mail was queued.
        """
        from orchestrator.mail.resend import person_id_of, resend_confirmation

        with self.store.session() as session:
            event = resolve_event(session, event_key)
            person_id = person_id_of(session, event, email)
            result = resend_confirmation(session, event, person_id, self.clock.now())
            if audit is not None and result.outcome == "queued":
                audit(session, event, result)
            session.commit()
            return result

    def holds(self, event_key: str | None) -> tuple[HeldKind, ...]:
        """The mail kinds held back for the event, with who held them and when."""
        from orchestrator.mail.holds import held_kinds

        with self.store.session() as session:
            event = resolve_event(session, event_key)
            rows = held_kinds(session, event.id)
            return tuple(HeldKind(kind, row.held_at, row.held_by) for kind, row in rows.items())

    def plan(self, event_key: str | None) -> PlanResult:
        """Bring the outbox in line with agenda and people (no sending)."""
        with self.store.session() as session:
            event = resolve_event(session, event_key)
            report = self._plan(session, event)
            return PlanResult.of(event.key, report)

    def schedule(self, event_key: str | None) -> ScheduleResult:
        """Plan the outbox (idempotent), then list each mail occasion with its times and counts."""
        with self.store.session() as session:
            event = resolve_event(session, event_key)
            self._plan(session, event)
            return schedule(session, event, self.clock.now())

    def _plan(self, session: Session, event: Event) -> PlanReport:
        """Plan and commit, unless the memo knows that nothing planning reads has changed."""
        if self.plan_memo is None:
            report = plan_outbox(session, event, self.clock.now())
            session.commit()
            return report
        inputs = plan_inputs(session, event)
        if self.plan_memo.unchanged(event.id, inputs):
            return PlanReport()
        report = plan_outbox(session, event, self.clock.now())
        session.commit()
        self.plan_memo.remember(event.id, inputs)
        return report

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
            self.render_pool or self.renderer(),
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
