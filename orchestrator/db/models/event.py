"""An event (one agenda file) with its programme blocks and breakout rounds/rooms."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from orchestrator.db.base import Base, UTCDateTime, utcnow


class Event(Base):
    """One event day; ``key`` comes from the agenda file and identifies it in commands."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    timezone: Mapped[str] = mapped_column(String(64))
    start_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    end_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    agenda_source: Mapped[str] = mapped_column(Text)
    # The validated agenda as JSON, so every command can act on the event without the file.
    agenda_json: Mapped[dict[str, Any]] = mapped_column(JSON)
    agenda_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    blocks: Mapped[list[AgendaBlock]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="AgendaBlock.position"
    )
    rounds: Mapped[list[BreakoutRoundRecord]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="BreakoutRoundRecord.number"
    )


class AgendaBlock(Base):
    """A programme block (talk, break, breakout session …) as shown in the agenda table and mails."""

    __tablename__ = "agenda_block"
    __table_args__ = (UniqueConstraint("event_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    speakers: Mapped[list[str]] = mapped_column(JSON, default=list)
    start_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    end_utc: Mapped[datetime] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship(back_populates="blocks")


class BreakoutRoundRecord(Base):
    """A breakout round of an event; rooms are replaced in Zoom shortly before ``start_utc``."""

    __tablename__ = "breakout_round"
    __table_args__ = (UniqueConstraint("event_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    start_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    end_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    apply_lead_minutes: Mapped[int] = mapped_column(Integer, default=10)

    event: Mapped[Event] = relationship(back_populates="rounds")
    rooms: Mapped[list[BreakoutRoom]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="BreakoutRoom.position"
    )


class BreakoutRoom(Base):
    """A room (workshop) offered in one round, with its capacity and moderators."""

    __tablename__ = "breakout_room"
    __table_args__ = (UniqueConstraint("round_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("breakout_round.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    capacity: Mapped[int] = mapped_column(Integer)
    # [{"name": ..., "email": ...}]
    moderators: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)

    round: Mapped[BreakoutRoundRecord] = relationship(back_populates="rooms")
