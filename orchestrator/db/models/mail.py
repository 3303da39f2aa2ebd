"""The mail outbox: one row per (person, mail kind, occasion), the source of truth for sending."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.db.base import Base, UTCDateTime, utcnow


class OutboxState:
    """Values of ``OutboxMessage.state`` (see ``orchestrator.mail.outbox`` for the transitions)."""

    QUEUED = "queued"  # waiting for its due time (or for a retry after a 4xx)
    CLAIMED = "claimed"  # held by a dispatcher pass (lease) until it records the outcome
    SENDING = "sending"  # written by older versions only; recovered like an expired claim
    SENT = "sent"
    FAILED = "failed"  # refused for good (5xx, unbuildable, too many 4xx); ``last_error`` says why
    SKIPPED = "skipped"  # its latest useful send time passed before it could go out; ``reason``
    CANCELLED = "cancelled"  # no longer wanted (person cancelled, mail switched off, room gone)

    ALL = (QUEUED, CLAIMED, SENDING, SENT, FAILED, SKIPPED, CANCELLED)
    IN_FLIGHT = (CLAIMED, SENDING)


class OutboxMessage(Base):
    """One participant mail; unique per (person, kind, occasion) so nothing is queued twice."""

    __tablename__ = "mail_outbox"
    __table_args__ = (UniqueConstraint("person_id", "kind", "occasion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    # confirmation | reminder | breakout_room | thank_you
    kind: Mapped[str] = mapped_column(String(30))
    # "confirmation", "reminder:7d", "breakout:1", "thank_you"
    occasion: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20), default=OutboxState.QUEUED, index=True)
    # Both recomputed from the agenda while the row is unsent, so a moved event moves its mails.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The server's reason for the last failure (never message content: no join URLs).
    last_error: Mapped[str | None] = mapped_column(Text)
    # Why the row was skipped or cancelled (a short code, see orchestrator.mail.outbox.Reason).
    reason: Mapped[str | None] = mapped_column(String(40))
    message_id: Mapped[str | None] = mapped_column(String(300))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sending_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # How often the row was queued again because its dispatcher crashed while holding it (see the
    # crash rule in orchestrator.mail.outbox: at most one such resend per crash is a duplicate).
    crash_resends: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
