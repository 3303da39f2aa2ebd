"""Import of a registration export into the store: parse, apply, and a row-by-row report.

The caller owns the transaction: the whole import is applied in one session and committed once
(or rolled back for ``--dry-run``), so a crash or a fatal error leaves the store as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from orchestrator.db.models import Event
from orchestrator.events import agenda_of
from orchestrator.registrants.records import ImportBatch, RowIssue, parse_registrations
from orchestrator.registrants.results import ImportCounts, ImportIssue, ImportMerge, ImportResult
from orchestrator.registrants.store import ImportOutcome, apply_import


def import_into(
    session: Session,
    event: Event,
    path: Path,
    *,
    now: datetime,
    overrides: Mapping[str, str] | None = None,
    encoding: str | None = None,
    cancel_missing: bool = False,
) -> tuple[ImportBatch, ImportOutcome]:
    """Parse ``path`` against the event's workshops and apply it to the store (flushed, not committed).

    Raises ``BadInput`` when the file as a whole is unusable (nothing is changed then).
    """
    agenda = agenda_of(event)
    batch = parse_registrations(
        path, workshops=agenda.workshops(), overrides=overrides, encoding=encoding, timezone=agenda.tz
    )
    outcome = apply_import(
        session,
        event,
        batch,
        default_language=agenda.default_language,
        cancel_missing=cancel_missing,
        now=now,
    )
    return batch, outcome


def import_issue(issue: RowIssue) -> ImportIssue:
    """A rejected row or warning for the report (the value preview has control characters escaped)."""
    return ImportIssue(
        row=issue.row,
        line=issue.line,
        field=issue.field,
        column=issue.column,
        code=issue.code,
        reason=issue.reason,
        value=issue.value_preview_safe,
        message=issue.message,
    )


def import_report(event: Event, batch: ImportBatch, outcome: ImportOutcome, *, dry_run: bool) -> ImportResult:
    """The report of an import: counts, every rejected row, merges, warnings, columns."""
    stats = batch.stats
    return ImportResult(
        event=event.key,
        file=str(batch.source),
        encoding=batch.encoding,
        delimiter=batch.delimiter,
        dry_run=dry_run,
        counts=ImportCounts(
            rows_read=stats.rows_read,
            empty_rows=stats.empty_rows,
            rows_rejected=stats.rows_rejected,
            people=stats.people,
            merged_rows=stats.merged_rows,
            merges=len(batch.merges),
            warnings=stats.warnings,
            added=len(outcome.added),
            updated=len(outcome.updated),
            unchanged=len(outcome.unchanged),
            still_cancelled=len(outcome.still_cancelled),
            missing=len(outcome.missing),
            cancelled_missing=len(outcome.cancelled_missing),
        ),
        columns={name: batch.header_map.header(name) for name in batch.header_map.columns},
        unmapped_headers=list(batch.unmapped_headers),
        rejected=[import_issue(r) for r in batch.rejected],
        merges=[ImportMerge(m.email, list(m.rows), m.kept_row, m.message) for m in batch.merges],
        warnings=[import_issue(w) for w in batch.warnings],
        added=list(outcome.added),
        updated=list(outcome.updated),
        missing=list(outcome.missing),
        cancelled_missing=list(outcome.cancelled_missing),
        still_cancelled=list(outcome.still_cancelled),
    )
