"""Held mail kinds: an organiser holds back one kind of mail (e.g. the reminders) for one event.

A held kind stays queued in the outbox: the dispatcher does not claim it (see
:func:`orchestrator.mail.outbox.claim_due`), whoever runs the pass (``orchestrator run``,
``mail send-due``). Released, it goes out with the next pass, unless its deadline has passed
meanwhile (then it is skipped like any overdue mail).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from orchestrator.db.models import Event, MailHold
from orchestrator.errors import BadInput
from orchestrator.i18n import _
from orchestrator.mail.render import MAIL_KINDS


def check_kind(kind: str) -> str:
    """``kind`` if it is a mail kind; ``BadInput`` naming the kinds otherwise."""
    if kind not in MAIL_KINDS:
        kinds = ", ".join(MAIL_KINDS)
        raise BadInput(_("Unknown mail kind {kind}; use one of {kinds}.", kind=kind, kinds=kinds))
    return kind


def held_kinds(session: Session, event_id: int) -> dict[str, MailHold]:
    """The held kinds of an event with who held them and when."""
    rows = session.scalars(select(MailHold).where(MailHold.event_id == event_id).order_by(MailHold.kind))
    return {row.kind: row for row in rows}


def set_hold(session: Session, event: Event, kind: str, *, held: bool, by: str, now: datetime) -> bool:
    """Hold (``held``) or release ``kind`` for ``event``; returns whether anything changed.

    Holding a held kind, or releasing one that is not held, changes nothing (safe to repeat).
    The caller commits.
    """
    check_kind(kind)
    existing = session.scalar(select(MailHold).where(MailHold.event_id == event.id, MailHold.kind == kind))
    if held:
        if existing is not None:
            return False
        # A hold from the command line and one from the mails page may race: the second insert
        # does nothing instead of failing on the unique (event, kind).
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(MailHold)
            .values(event_id=event.id, kind=kind, held_at=now, held_by=by[:200])
            .on_conflict_do_nothing(index_elements=["event_id", "kind"])
            .returning(MailHold.id)
        )
        return session.execute(statement).scalar() is not None
    if existing is None:
        return False
    session.execute(delete(MailHold).where(MailHold.id == existing.id))
    return True
