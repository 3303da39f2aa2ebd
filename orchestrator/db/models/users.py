"""Accounts of the web interface (organisers, moderators) and per-event moderator links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.db.base import Base, UTCDateTime, utcnow


class UserRole:
    """Values of ``WebUser.role``."""

    ORGANISER = "organiser"  # every event: dashboard, import, retries, moderator console
    MODERATOR = "moderator"  # the console of one event only

    ALL = (ORGANISER, MODERATOR)


class WebUser(Base):
    """A person who logs in to the dashboard or console; ``email`` is normalised (lower case)."""

    __tablename__ = "web_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    # argon2id hash in PHC format; the password itself is never stored.
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    # A moderator's event (required for moderators; organisers see every event).
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ModeratorLink(Base):
    """A secret link giving a moderator session for one event; only its SHA-256 is stored."""

    __tablename__ = "moderator_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when a newer link replaced it or it was revoked: sessions opened with it end at once.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Optional end of validity: after it the link opens nothing and its sessions end.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebSession(Base):
    """A server-side login session; the cookie carries only the random token (its SHA-256 is stored).

    Logout deletes the row, a password change deletes every row of the account: a cookie saved
    earlier then opens nothing. ``flash`` holds short messages for the next page (JSON list), so
    no message text (and no personal data) travels in the cookie.
    """

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("web_user.id", ondelete="CASCADE"), index=True)
    link_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderator_link.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    flash: Mapped[str | None] = mapped_column(Text)


class LoginAttempt(Base):
    """Failed logins per key (``account:<email>`` or ``address:<ip>``), kept across restarts.

    The delay before the next attempt grows with ``failures``; a success resets the account key.
    """

    __tablename__ = "login_attempt"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
