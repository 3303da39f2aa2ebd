"""What organisers do in the browser: saved agenda versions, held mail kinds, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.db.base import Base, UTCDateTime, utcnow


class AgendaVersion(Base):
    """One saved version of an event's agenda file (who, when, what changed), oldest first."""

    __tablename__ = "agenda_version"
    __table_args__ = (UniqueConstraint("event_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    saved_by: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    source_hash: Mapped[str] = mapped_column(String(64))
    # The changed fields as readable paths ("date", "breakouts.rounds[1].rooms[2].capacity").
    changes: Mapped[list[str]] = mapped_column(JSON, default=list)


class MailHold(Base):
    """A mail kind the organiser holds back for one event: nothing of it is sent until released."""

    __tablename__ = "mail_hold"
    __table_args__ = (UniqueConstraint("event_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    held_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    held_by: Mapped[str] = mapped_column(String(200))


class WebAuditEntry(Base):
    """One change a logged-in user made in the browser (who, what, when); never personal links."""

    __tablename__ = "web_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
