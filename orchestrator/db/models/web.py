"""Zoom webhook inbox, meeting runs, attendance, certificates and the anonymous privacy log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.db.base import Base, UTCDateTime, utcnow


class WebhookState:
    """Values of ``WebhookEvent.state``."""

    PENDING = "pending"  # stored, not processed yet
    DONE = "done"  # processed (or deliberately ignored); personal payload fields dropped
    FAILED = "failed"  # processing raised; retried by the next drain up to a limit


class WebhookEvent(Base):
    """One Zoom notification, stored before it is acknowledged; ``dedup_key`` makes retries no-ops.

    The payload holds personal data (names, e-mails): it is cleared once the event is processed,
    and events mentioning a forgotten person are deleted.
    """

    __tablename__ = "webhook_event"
    __table_args__ = (Index("ix_webhook_event_state_id", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(64), unique=True)
    event_type: Mapped[str] = mapped_column(String(100))
    event_ts: Mapped[int | None] = mapped_column(BigInteger)
    zoom_meeting_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(20), default=WebhookState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(60))
    error: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class MeetingRun(Base):
    """One instance of the event's Zoom meeting (``meeting.started`` … ``meeting.ended``)."""

    __tablename__ = "meeting_run"
    __table_args__ = (UniqueConstraint("event_id", "zoom_uuid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    zoom_uuid: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AttendanceMark(Base):
    """A join or leave of one Zoom participant; sessions are paired from these when computing minutes.

    ``participant_key`` is a hash of Zoom's participant identity (never a name). ``person_id`` is
    empty for guests without a registration: they count in totals but nothing names them.
    """

    __tablename__ = "attendance_mark"
    __table_args__ = (UniqueConstraint("event_id", "participant_key", "kind", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    participant_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(5))  # "join" | "leave"
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Zoom's identity of this participant and meeting instance, kept only for registered people
    # (``person_id`` set), so the Zoom App can recognise them in the meeting; empty for guests.
    participant_uuid: Mapped[str | None] = mapped_column(String(64))
    meeting_uuid: Mapped[str | None] = mapped_column(String(64))


class CertificateState:
    WRITTEN = "written"
    SENDING = "sending"  # intent recorded before the transport is called
    SENT = "sent"
    FAILED = "failed"


class AttendanceCertificate(Base):
    """A Teilnahmebescheinigung issued to one person; at most one per person and event."""

    __tablename__ = "attendance_certificate"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    minutes: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default=CertificateState.WRITTEN)
    message_id: Mapped[str | None] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)


class PrivacyAudit(Base):
    """An anonymous record of a privacy action (forget, purge): no name, no e-mail, no hash of either."""

    __tablename__ = "privacy_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
