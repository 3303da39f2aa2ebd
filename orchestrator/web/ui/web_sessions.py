"""Server-side login sessions (table ``web_session``); the cookie carries only a random token.

A session ends when its row is gone or out of time: logout deletes the row, a password change or
disabling deletes every row of the account, revoking a moderator link deletes the link's rows.
Lifetimes: at most ``lifetime`` after login (12 h by default, ``session_max_age_seconds``) and
``idle`` (2 h) after the last request. Expired rows are removed whenever someone logs in.

``flash`` holds the messages for the next page (JSON), so message texts, which may name
participants, never travel in the cookie.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from orchestrator.db.models import WebSession

TOKEN_BYTES = 32
DEFAULT_IDLE = timedelta(hours=2)
DEFAULT_LIFETIME = timedelta(hours=12)
# last_seen_at is written at most this often (every page would otherwise write to the store).
TOUCH_EVERY = timedelta(minutes=1)
MAX_FLASH_MESSAGES = 5


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lasts: ``lifetime`` from login, ``idle`` from the last request."""

    lifetime: timedelta = DEFAULT_LIFETIME
    idle: timedelta = DEFAULT_IDLE


def token_hash(token: str) -> str:
    """SHA-256 of a session token (256 random bits: a fast hash is enough)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(
    db: Session,
    now: datetime,
    policy: SessionPolicy,
    *,
    user_id: int | None = None,
    link_id: int | None = None,
) -> str:
    """A new session for an account or a moderator link; returns the token for the cookie."""
    purge_expired(db, now, policy)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.add(
        WebSession(
            token_hash=token_hash(token),
            user_id=user_id,
            link_id=link_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + policy.lifetime,
        )
    )
    db.flush()
    return token


def find_session(db: Session, token: object, now: datetime, policy: SessionPolicy) -> WebSession | None:
    """The live session of ``token`` (its last use is recorded), or ``None``; expired rows are deleted."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    row = db.scalar(select(WebSession).where(WebSession.token_hash == token_hash(token)))
    if row is None:
        return None
    if now >= row.expires_at or now - row.last_seen_at >= policy.idle:
        db.delete(row)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return row


def end_session(db: Session, token: object) -> None:
    """Delete the session of ``token`` (logout)."""
    if isinstance(token, str) and token:
        db.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))


def end_user_sessions(db: Session, user_id: int) -> int:
    """Delete every session of an account (password change, disabling); returns how many."""
    result = db.execute(delete(WebSession).where(WebSession.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)


def end_link_sessions(db: Session, link_ids: list[int]) -> int:
    """Delete every session opened with one of these moderator links."""
    if not link_ids:
        return 0
    result = db.execute(delete(WebSession).where(WebSession.link_id.in_(link_ids)))
    return int(getattr(result, "rowcount", 0) or 0)


def purge_expired(db: Session, now: datetime, policy: SessionPolicy) -> int:
    """Delete sessions past their lifetime or idle for too long."""
    result = db.execute(
        delete(WebSession).where(
            or_(WebSession.expires_at <= now, WebSession.last_seen_at <= now - policy.idle)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def push_flash(row: WebSession, message: dict[str, Any]) -> None:
    """Add a message for the next page (the last few are kept)."""
    messages = _messages(row)
    messages.append(message)
    row.flash = json.dumps(messages[-MAX_FLASH_MESSAGES:], ensure_ascii=False)


def pop_flash(row: WebSession) -> list[dict[str, Any]]:
    """The pending messages; they are removed from the session."""
    messages = _messages(row)
    if row.flash is not None:
        row.flash = None
    return messages


def _messages(row: WebSession) -> list[dict[str, Any]]:
    if not row.flash:
        return []
    try:
        loaded = json.loads(row.flash)
    except ValueError:
        return []
    return [m for m in loaded if isinstance(m, dict)] if isinstance(loaded, list) else []
