"""Typed results of the registrant use cases (``--json`` is their fields, in order).

Join links are credentials: only :class:`PersonDetail` carries one, and only when the organiser
asked for it (``show --reveal-link``); everywhere else a person says whether a link exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from orchestrator.results import OMIT, _Omit


@dataclass(frozen=True)
class ImportCounts:
    """How many rows and people an import read, and what it did with them."""

    rows_read: int
    empty_rows: int
    rows_rejected: int
    people: int
    merged_rows: int
    merges: int
    warnings: int
    added: int
    updated: int
    unchanged: int
    still_cancelled: int
    missing: int
    cancelled_missing: int


@dataclass(frozen=True)
class ImportIssue:
    """A rejected row or a warning (the value preview has control characters escaped)."""

    row: int
    line: int | None
    field: str | None
    column: str | None
    code: str
    reason: str
    value: str
    message: str


@dataclass(frozen=True)
class ImportMerge:
    """Rows sharing one e-mail address, merged into one person."""

    email: str
    rows: list[int]
    kept_row: int
    message: str


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, with ``dry_run``, would do): counts, every row not used, merges."""

    event: str
    file: str
    encoding: str | None
    delimiter: str | None
    dry_run: bool
    counts: ImportCounts
    columns: dict[str, str]
    unmapped_headers: list[str]
    rejected: list[ImportIssue]
    merges: list[ImportMerge]
    warnings: list[ImportIssue]
    added: list[str]
    updated: list[str]
    missing: list[str]
    cancelled_missing: list[str]
    still_cancelled: list[str]


@dataclass(frozen=True)
class SyncFailure:
    """A person Zoom refused, and why."""

    email: str
    reason: str | None


@dataclass(frozen=True)
class SyncResult:
    """What one sync pass did (no join links)."""

    event: str
    zoom_meeting_id: int | None
    rounds: int
    registered: int
    resolved_after_interruption: int
    requeued_after_interruption: int
    adopted: int
    pulled_in_from_zoom: list[str]
    cancelled_in_zoom_by_others: list[str]
    approved: int
    cancelled: list[str]
    failed: list[SyncFailure]
    held_back_cap: int
    held_back_daily: int
    unresolved: int
    warnings: list[str]
    states: dict[str, int]
    zoom_calls: dict[str, int]
    elapsed_seconds: float


@dataclass(frozen=True)
class SyncSkipped:
    """A scheduled sync that did not run because another sync of the event was running."""

    skipped: bool
    reason: str
    holder: str


@dataclass(frozen=True)
class RetryResult:
    """Failed registrations put back to "pending", and the sync pass that sent them again."""

    requeued: int
    sync: SyncResult


@dataclass(frozen=True)
class CancelResult:
    """Per e-mail address, what cancelling did."""

    event: str
    cancelled_in_zoom: list[str]
    cancelled_locally: list[str]
    in_flight: list[str]
    already_cancelled: list[str]
    unknown: list[str]


@dataclass(frozen=True)
class CancelDecision:
    """What a cancel stores before Zoom hears of it (handed to ``before_commit``).

    ``cancelled``: the addresses this call cancels in the store (not those cancelled already);
    ``to_zoom``: of them, those whose Zoom registration is cancelled next.
    """

    event: str
    cancelled: list[str]
    to_zoom: list[str]


@dataclass(frozen=True)
class PersonRow:
    """A person for tables and ``--json``: no join link, only whether one exists."""

    email: str
    first_name: str
    last_name: str
    organisation: str | None
    language: str
    wishes: list[str]
    source: str
    state: str
    zoom_status: str | None
    zoom_registrant_id: str | None
    has_join_link: bool
    error: str | None
    registered_at: datetime | None
    cancelled_at: datetime | None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class PersonDetail(PersonRow):
    """One person in full; ``attempts``/``intent_at`` only with a registration, ``join_url`` on request."""

    job_title: str | None
    external_ref: str | None
    notes: str | None
    consent: bool | None
    attempts: int | _Omit = OMIT
    intent_at: datetime | _Omit | None = OMIT
    join_url: str | _Omit | None = OMIT


@dataclass(frozen=True)
class RegistrantList:
    """The people of an event."""

    event: str
    people: list[PersonRow]


@dataclass(frozen=True)
class Problem:
    """A person not (yet) registered with Zoom, and why."""

    email: str
    name: str
    state: str
    reason: str


@dataclass(frozen=True)
class FailedCall:
    """A Zoom call about registrations that did not succeed (from the audit)."""

    at: datetime
    action: str
    status: int | None
    zoom_code: int | None
    outcome: str
    message: str | None


@dataclass(frozen=True)
class RegistrationReport:
    """Counts per state and source, everyone not registered and why, and recent failed Zoom calls."""

    event: str
    people: int
    states: dict[str, int]
    sources: dict[str, int]
    problems: list[Problem]
    zoom_calls: dict[str, int]
    failed_zoom_calls: list[FailedCall]
