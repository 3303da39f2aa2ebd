"""Typed results of the mail use cases (see :mod:`orchestrator.mail.service`).

Field order is the key order of the ``--json`` answers (:func:`orchestrator.results.to_jsonable`),
so the fields below must stay in the order the commands have always printed them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from orchestrator.results import OMIT

if TYPE_CHECKING:
    from orchestrator.mail.dispatch import DispatchReport
    from orchestrator.mail.planner import PlanReport
    from orchestrator.results import _Omit


@dataclass(frozen=True)
class PlanResult:
    """What one planning pass changed in the outbox of ``event``."""

    event: str
    created: int
    rescheduled: int
    requeued: int
    cancelled: int
    skipped: int
    cancelled_reasons: dict[str, int]

    @classmethod
    def of(cls, event: str, report: PlanReport) -> PlanResult:
        return cls(
            event=event,
            created=report.created,
            rescheduled=report.rescheduled,
            requeued=report.requeued,
            cancelled=report.cancelled,
            skipped=report.skipped,
            cancelled_reasons=dict(report.cancelled_reasons),
        )


@dataclass(frozen=True)
class DispatchFailure:
    """A mail of a dispatch pass that failed for good, with the server's reason."""

    id: int
    reason: str
    code: int | None


@dataclass(frozen=True)
class SendDueResult:
    """One ``send-due`` pass: the planning before it, then what was sent, deferred, failed."""

    planned: PlanResult
    event: str
    resent_after_crash: int
    skipped_overdue: dict[str, int]
    sent: int
    deferred: int
    failed: int
    cancelled: int
    lease_ran_short: int
    released: int
    sent_by_occasion: dict[str, int]
    failures: tuple[DispatchFailure, ...]
    seconds: float

    @classmethod
    def of(cls, planned: PlanResult, report: DispatchReport) -> SendDueResult:
        return cls(
            planned=planned,
            event=report.event,
            resent_after_crash=report.resent_after_crash,
            skipped_overdue=dict(report.skipped_overdue),
            sent=report.sent,
            deferred=report.deferred,
            failed=report.failed,
            cancelled=report.cancelled,
            lease_ran_short=report.lease_ran_short,
            released=report.released,
            sent_by_occasion=dict(report.sent_by_occasion),
            failures=tuple(report.failures),
            seconds=round(report.seconds, 3),
        )

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped_overdue.values())


@dataclass(frozen=True)
class PreviewResult:
    """The files ``mail preview`` wrote."""

    event: str
    kind: str
    language: str
    files: tuple[Path, ...]


@dataclass(frozen=True)
class ScheduleLine:
    """One mail occasion: when it is due, its deadline, counts per state and its phase.

    ``due_at`` is None for the confirmation (sent on registration) and for occasions the agenda
    no longer has (``phase`` "removed", ``deadline`` None as well).
    """

    occasion: str
    kind: str
    due_at: datetime | None
    deadline: datetime | None
    states: dict[str, int]
    phase: str

    @property
    def waiting(self) -> int:
        """Queued, claimed or being sent."""
        return self.states["queued"] + self.states["claimed"] + self.states["sending"]


@dataclass(frozen=True)
class ScheduleResult:
    event: str
    timezone: str
    now: datetime
    mails: tuple[ScheduleLine, ...]


@dataclass(frozen=True)
class MailFailure:
    """A failed mail (or a queued one whose last attempt failed) with the server's reason."""

    id: int
    email: str
    occasion: str
    attempts: int
    reason: str | None
    state: str


@dataclass(frozen=True)
class StatusResult:
    event: str
    by_kind: dict[str, dict[str, int]]
    reasons: dict[str, int]
    failures: tuple[MailFailure, ...]
    crash_resends: int


@dataclass(frozen=True)
class HostMailResult:
    """The host-instruction mail of one breakout round (``round`` None: the transport did not open)."""

    round: int | None
    sent: bool
    reason: str | _Omit = OMIT


@dataclass(frozen=True)
class HoldResult:
    """``mail hold`` / ``mail release``: the kind, whether it is held now, and whether that changed."""

    event: str
    kind: str
    held: bool
    changed: bool
    queued: int


@dataclass(frozen=True)
class HeldKind:
    """A mail kind held back for an event: who held it and when."""

    kind: str
    held_at: datetime
    held_by: str


@dataclass(frozen=True)
class TestMailResult:
    """A test mail of one kind and language sent to one address (sample data, no real link)."""

    event: str
    kind: str
    language: str
    to: str
    message_id: str


__all__ = [
    "DispatchFailure",
    "HeldKind",
    "HoldResult",
    "HostMailResult",
    "MailFailure",
    "PlanResult",
    "PreviewResult",
    "ScheduleLine",
    "ScheduleResult",
    "SendDueResult",
    "StatusResult",
    "TestMailResult",
]
