"""Applying a parsed registration export to the store (one transaction, owned by the caller)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from orchestrator.db.models import Event, Person
from orchestrator.db.models.person import PersonSource, PersonStatus, RegistrationState
from orchestrator.registrants.records import ImportBatch, RegistrantRecord


@dataclass
class ImportOutcome:
    """What an import did (or, with ``--dry-run``, would do), person by person."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    still_cancelled: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    cancelled_missing: list[str] = field(default_factory=list)


def record_fields(record: RegistrantRecord, default_language: str) -> dict[str, Any]:
    """The person columns an export row determines.

    ``approval_pending`` is part of them only when set (Zoom's report said "pending"), so the hash
    of every row without an approval status stays what it was before the column existed.
    """
    fields: dict[str, Any] = {
        "email_display": record.email_display,
        "first_name": record.first_name,
        "last_name": record.last_name,
        "organisation": record.organisation,
        "job_title": record.job_title,
        "language": record.language or default_language,
        "wishes": list(record.wishes),
        "consent": record.consent,
        "external_ref": record.external_ref,
        "registered_at": record.registered_at,
        "notes": record.notes,
    }
    if record.approval_pending:
        fields["approval_pending"] = True
    return fields


def fields_hash(fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def apply_import(
    session: Session,
    event: Event,
    batch: ImportBatch,
    *,
    default_language: str,
    cancel_missing: bool,
    now: datetime,
) -> ImportOutcome:
    """Add new people, update changed ones, report (or cancel) those missing from the export.

    Re-importing the same file changes nothing: each person keeps a hash of the imported fields.
    A person cancelled earlier is not silently reactivated by an export that still lists them.
    """
    outcome = ImportOutcome()
    people = {
        p.email: p
        for p in session.scalars(
            select(Person).where(Person.event_id == event.id).options(selectinload(Person.registration))
        )
    }
    seen: set[str] = set()
    for record in batch.records:
        seen.add(record.email)
        fields = record_fields(record, default_language)
        digest = fields_hash(fields)
        person = people.get(record.email)
        if person is None:
            person = Person(
                event_id=event.id,
                email=record.email,
                source=PersonSource.IMPORT,
                status=PersonStatus.ACTIVE,
                data_hash=digest,
                **fields,
            )
            session.add(person)
            people[record.email] = person
            outcome.added.append(record.email)
            continue
        if person.status == PersonStatus.CANCELLED:
            outcome.still_cancelled.append(record.email)
        if person.data_hash == digest:
            outcome.unchanged.append(record.email)
            continue
        for name, value in fields.items():
            setattr(person, name, value)
        person.approval_pending = record.approval_pending
        person.data_hash = digest
        # Someone who registered on the Zoom page and is now in the export is managed by the export.
        person.source = PersonSource.IMPORT
        registration = person.registration
        if registration is not None and registration.state == RegistrationState.FAILED:
            # Zoom refused the old data (e.g. the host's address); the corrected row is tried again.
            registration.state = RegistrationState.PENDING
            registration.last_error = None
        outcome.updated.append(record.email)
    for email, person in sorted(people.items()):
        if email in seen or person.source != PersonSource.IMPORT or person.status != PersonStatus.ACTIVE:
            continue
        outcome.missing.append(email)
        if cancel_missing:
            person.status = PersonStatus.CANCELLED
            person.cancelled_at = now
            outcome.cancelled_missing.append(email)
    session.flush()
    return outcome
