"""Web accounts and moderator links: create, list, disable, authenticate, resolve (caller commits)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from orchestrator.db.models import Event, ModeratorLink, UserRole, WebUser
from orchestrator.errors import BadInput
from orchestrator.i18n import _
from orchestrator.web.ui.passwords import hash_password, needs_rehash, verify_password
from orchestrator.web.ui.web_sessions import end_link_sessions, end_user_sessions

LINK_TOKEN_BYTES = 32


def normalise_email(email: str) -> str:
    return email.strip().lower()


def token_digest(token: str) -> str:
    """SHA-256 of a link token: the token has 256 random bits, so a fast hash is enough."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def find_user(session: Session, email: str) -> WebUser | None:
    return session.scalar(select(WebUser).where(WebUser.email == normalise_email(email)))


def create_user(session: Session, email: str, password: str, role: str, event: Event | None) -> WebUser:
    """A new account; moderators need their event. ``BadInput`` for a taken e-mail or a bad role."""
    address = normalise_email(email)
    if "@" not in address or len(address) > 320 or any(c.isspace() for c in address):
        raise BadInput(_("'{email}' is not an e-mail address.", email=email))
    if role not in UserRole.ALL:
        raise BadInput(_("Unknown role '{role}'; use organiser or moderator.", role=role))
    if role == UserRole.MODERATOR and event is None:
        raise BadInput(_("A moderator account needs its event (--event KEY)."))
    if find_user(session, address) is not None:
        raise BadInput(_("There is already an account for {email}.", email=address))
    user = WebUser(
        email=address,
        password_hash=hash_password(password),
        role=role,
        event_id=event.id if role == UserRole.MODERATOR and event is not None else None,
        active=True,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, email: str, password: str) -> WebUser:
    """A new password; every open session of the account ends (a saved cookie opens nothing)."""
    user = _existing(session, email)
    user.password_hash = hash_password(password)
    end_user_sessions(session, user.id)
    return user


def set_active(session: Session, email: str, active: bool) -> WebUser:
    """Enable or disable an account; disabling ends its open sessions."""
    user = _existing(session, email)
    user.active = active
    if not active:
        end_user_sessions(session, user.id)
    return user


def list_users(session: Session) -> list[dict[str, Any]]:
    """Every account (no hashes)."""
    events = {e.id: e.key for e in session.scalars(select(Event))}
    return [
        {
            "email": u.email,
            "role": u.role,
            "event": events.get(u.event_id) if u.event_id is not None else None,
            "active": u.active,
            "last_login_at": u.last_login_at,
        }
        for u in session.scalars(select(WebUser).order_by(WebUser.email))
    ]


def authenticate(session: Session, email: str, password: str, now: datetime) -> WebUser | None:
    """The active account with this e-mail and password, else ``None`` (same work either way)."""
    user = find_user(session, email)
    ok = verify_password(user.password_hash if user is not None else None, password)
    if user is None or not ok or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    return user


@dataclass(frozen=True)
class IssuedLink:
    """A new moderator link; ``token`` is shown once and never stored."""

    event_key: str
    token: str
    revoked: int
    expires_at: datetime | None = None

    def url(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}/m/{self.token}"


def issue_moderator_link(
    session: Session, event: Event, now: datetime, expires_at: datetime | None = None
) -> IssuedLink:
    """A new link for ``event``, valid until ``expires_at`` if given; earlier links and their sessions end."""
    if expires_at is not None and expires_at <= now:
        raise BadInput(_("The link would expire in the past; choose a later time."))
    revoked = revoke_moderator_links(session, event, now)
    token = secrets.token_urlsafe(LINK_TOKEN_BYTES)
    session.add(
        ModeratorLink(
            event_id=event.id, token_hash=token_digest(token), created_at=now, expires_at=expires_at
        )
    )
    session.flush()
    return IssuedLink(event.key, token, revoked, expires_at)


def revoke_moderator_links(session: Session, event: Event, now: datetime) -> int:
    """Revoke every active link of ``event`` and end the sessions opened with them; returns how many."""
    ids = list(
        session.scalars(
            select(ModeratorLink.id).where(
                ModeratorLink.event_id == event.id, ModeratorLink.revoked_at.is_(None)
            )
        )
    )
    if not ids:
        return 0
    session.execute(update(ModeratorLink).where(ModeratorLink.id.in_(ids)).values(revoked_at=now))
    end_link_sessions(session, ids)
    return len(ids)


def resolve_moderator_link(session: Session, token: str, now: datetime) -> ModeratorLink | None:
    """The link for ``token`` if it is neither revoked nor expired."""
    if not token or len(token) > 200:
        return None
    link = session.scalar(select(ModeratorLink).where(ModeratorLink.token_hash == token_digest(token)))
    if link is None or link.revoked_at is not None:
        return None
    if link.expires_at is not None and now >= link.expires_at:
        return None
    return link


def _existing(session: Session, email: str) -> WebUser:
    user = find_user(session, email)
    if user is None:
        raise BadInput(_("There is no account for {email}.", email=normalise_email(email)))
    return user
