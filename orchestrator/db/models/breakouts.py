"""Breakout plans: who sits in which room per round, each round's plan version, and what Zoom got."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.db.base import Base, UTCDateTime, utcnow


class AssignmentSource:
    """Values of ``BreakoutAssignment.source``."""

    PLANNED = "planned"  # placed by the optimal planner; kept on re-plan unless --rebalance
    MOVED = "moved"  # placed by hand (move/swap); kept even with --rebalance


class BreakoutAssignment(Base):
    """One person's room in one round. The room is stored by name: the name is the workshop."""

    __tablename__ = "breakout_assignment"
    __table_args__ = (UniqueConstraint("round_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("breakout_round.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    room_name: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20), default=AssignmentSource.PLANNED)
    # Placed over the room's capacity with --force (also logged when it happened).
    forced: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class BreakoutPlanVersion(Base):
    """The current plan of one round: a version counter and a hash of its (person, room) pairs."""

    __tablename__ = "breakout_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("breakout_round.id", ondelete="CASCADE"), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    plan_hash: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(20))
    objective: Mapped[int | None] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApplyState:
    """Values of ``BreakoutApply.state``."""

    INTENT = "intent"  # the PATCH is (or was) in flight; a later run sends it again (it is idempotent)
    APPLIED = "applied"  # Zoom accepted it; ``verified`` says whether the read-back matched
    FAILED = "failed"
    # The plan breaks one of Zoom's limits (e.g. more than 1,000 pre-assigned people): nothing was
    # sent, and the same plan is not tried again; a changed plan is.
    OVER_LIMITS = "over_limits"
    NOT_SENT = (FAILED, OVER_LIMITS)


class BreakoutApply(Base):
    """What was last sent to Zoom for one round (hash of the rooms payload), when, and whether verified.

    Zoom keeps one pre-assignment set per meeting: ``current`` marks the round whose set Zoom holds.
    """

    __tablename__ = "breakout_apply"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("breakout_round.id", ondelete="CASCADE"), unique=True)
    state: Mapped[str] = mapped_column(String(20))
    payload_hash: Mapped[str] = mapped_column(String(64))
    rooms: Mapped[int] = mapped_column(Integer)
    participants: Mapped[int] = mapped_column(Integer)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    current: Mapped[bool] = mapped_column(Boolean, default=False)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
