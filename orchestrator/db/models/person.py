"""People registered for an event and their Zoom registration."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from orchestrator.db.base import Base, UTCDateTime, utcnow


class PersonStatus:
    ACTIVE = "active"
    CANCELLED = "cancelled"


class PersonSource:
    IMPORT = "import"  # from the organiser's registration export
    ZOOM = "zoom"  # registered directly on Zoom's registration page
    MANUAL = "manual"


class Person(Base):
    """A participant (or moderator) of one event; ``email`` is normalised (stripped, lower case)."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("event_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    email_display: Mapped[str] = mapped_column(String(320))
    first_name: Mapped[str] = mapped_column(String(200))
    last_name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(300))
    job_title: Mapped[str | None] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(5), default="de")
    wishes: Mapped[list[str]] = mapped_column(JSON, default=list)
    consent: Mapped[bool | None] = mapped_column(Boolean)
    external_ref: Mapped[str | None] = mapped_column(String(100))
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20), default=PersonSource.IMPORT)
    status: Mapped[str] = mapped_column(String(20), default=PersonStatus.ACTIVE, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Imported as "pending" from Zoom's registration report while the meeting approves manually:
    # registered with Zoom but left for the organiser (or Zoom's page) to approve.
    approval_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Hash of the imported fields: re-importing an unchanged row is a no-op.
    data_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    registration: Mapped[ZoomRegistration | None] = relationship(
        back_populates="person", uselist=False, cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_active(self) -> bool:
        return self.status == PersonStatus.ACTIVE


class RegistrationState:
    """Values of ``ZoomRegistration.state`` (our side of the exactly-once protocol)."""

    PENDING = "pending"  # not yet sent to Zoom
    INTENT = "intent"  # a Zoom call that may register this person is (or was) in flight
    REGISTERED = "registered"  # Zoom registrant id and join URL known
    FAILED = "failed"  # Zoom refused; ``last_error`` says why
    CANCEL_INTENT = "cancel_intent"
    CANCELLED = "cancelled"


class ZoomRegistration(Base):
    """A person's registration for the event's Zoom meeting: at most one per person and meeting."""

    __tablename__ = "zoom_registration"
    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id"),
        UniqueConstraint("meeting_id", "zoom_registrant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("zoom_meeting.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=RegistrationState.PENDING, index=True)
    zoom_registrant_id: Mapped[str | None] = mapped_column(String(100))
    # pending / approved / denied / cancelled as Zoom reports it
    zoom_status: Mapped[str | None] = mapped_column(String(20))
    # The personal join link is a credential: never logged, never shown in tables.
    join_url: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # add-registrant calls in total
    last_error: Mapped[str | None] = mapped_column(Text)
    intent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Which sync pass claimed this row for its in-flight Zoom call (conditional claim: two concurrent
    # syncs never send the same person in the same moment).
    claim_token: Mapped[str | None] = mapped_column(String(32))
    # Zoom allows 3 add-registrant calls per person and UTC day; we count ours to stop before that.
    adds_day: Mapped[str | None] = mapped_column(String(10))
    adds_on_day: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the store last learned from Zoom (an answer, a webhook, a listing) that this
    # registration exists: a listing started before it cannot prove the registration gone.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship(back_populates="registration")
