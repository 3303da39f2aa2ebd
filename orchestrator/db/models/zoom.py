"""The Zoom meeting of an event and the audit log of every Zoom call that changed something."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.db.base import Base, UTCDateTime, utcnow


class MeetingState:
    """Values of ``ZoomMeeting.state``."""

    CREATING = "creating"  # intent recorded, create call not (known to be) answered yet
    ACTIVE = "active"  # exists in Zoom with ``zoom_meeting_id``
    MISSING = "missing"  # was deleted in Zoom; only ``--recreate`` makes a new one


class ZoomMeeting(Base):
    """The one Zoom meeting of an event."""

    __tablename__ = "zoom_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    state: Mapped[str] = mapped_column(String(20))
    # Written into the meeting's agenda text, so after an ambiguous create we can find our meeting.
    intent_token: Mapped[str] = mapped_column(String(64), unique=True)
    host_user: Mapped[str] = mapped_column(String(200))
    zoom_meeting_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    settings_hash: Mapped[str | None] = mapped_column(String(64))
    registration_url: Mapped[str | None] = mapped_column(Text)
    start_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ZoomAuditEntry(Base):
    """One Zoom call that changed something (or tried to). Holds no secrets and no join URLs."""

    __tablename__ = "zoom_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(300))
    status: Mapped[int | None] = mapped_column(Integer)
    zoom_code: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    message: Mapped[str | None] = mapped_column(Text)
