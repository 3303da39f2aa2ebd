"""Leases: one holder at a time for an operation on an event, across processes and instances."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.db.base import Base, UTCDateTime


class OperationLease(Base):
    """Who holds the operation ``name`` (e.g. ``registrants-sync:3``) until ``expires_at``.

    Taken and renewed in a transaction of its own; an expired lease may be taken over.
    """

    __tablename__ = "operation_lease"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    # Human-readable description of the holder (host, pid, command) for "already running" messages.
    holder_label: Mapped[str] = mapped_column(String(200), default="")
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
