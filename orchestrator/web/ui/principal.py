"""Who is logged in: an organiser or moderator account, or a moderator link scoped to one event.

The signed session cookie carries only a random session token (plus the language and the CSRF
token); the session itself is a ``web_session`` row (see :mod:`web_sessions`). Every request
re-reads the row, its account or link, so logout, a password change, disabling an account or a
new moderator link end existing sessions at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.db.models import Event, ModeratorLink, UserRole, WebSession, WebUser
from orchestrator.web.ui.errors import Forbidden, LoginRequired, PageNotFound
from orchestrator.web.ui.state import UiState, ui_state
from orchestrator.web.ui.web_sessions import SessionPolicy, end_session, find_session, open_session

SESSION_TOKEN = "sid"  # noqa: S105 - the cookie key, not a secret
# Keys of cookies written before sessions moved to the store; they open nothing any more.
_LEGACY_KEYS = ("uid", "link", "flash")


@dataclass(frozen=True)
class Principal:
    """The logged-in party; ``event_id`` limits a moderator to one event."""

    role: str
    label: str
    event_id: int | None
    user_id: int | None = None
    link_id: int | None = None

    @property
    def is_organiser(self) -> bool:
        return self.role == UserRole.ORGANISER

    def may_moderate(self, event: Event) -> bool:
        return self.is_organiser or self.event_id == event.id


def log_in_user(request: Request, db: Session, user: WebUser, now: datetime, policy: SessionPolicy) -> None:
    """Start a fresh session for ``user``; an earlier session of this browser ends (no fixation)."""
    _fresh(request, db)
    request.session[SESSION_TOKEN] = open_session(db, now, policy, user_id=user.id)


def log_in_link(
    request: Request, db: Session, link: ModeratorLink, now: datetime, policy: SessionPolicy
) -> None:
    """Start a fresh moderator session from a moderator link."""
    _fresh(request, db)
    request.session[SESSION_TOKEN] = open_session(db, now, policy, link_id=link.id)


def log_out(request: Request, db: Session) -> None:
    """End the session on the server (a copy of the cookie opens nothing afterwards)."""
    _fresh(request, db)


def _fresh(request: Request, db: Session) -> None:
    end_session(db, request.session.get(SESSION_TOKEN))
    language = request.session.get("lang")
    request.session.clear()
    if language:
        request.session["lang"] = language


def load_principal(db: Session, row: WebSession, now: datetime) -> Principal | None:
    """The principal of the session ``row``, if its account or link is still valid."""
    if row.user_id is not None:
        user = db.get(WebUser, row.user_id)
        if user is None or not user.active:
            return None
        if user.role == UserRole.MODERATOR and user.event_id is None:
            return None
        return Principal(
            user.role, user.email, user.event_id if user.role == UserRole.MODERATOR else None, user_id=user.id
        )
    if row.link_id is not None:
        link = db.get(ModeratorLink, row.link_id)
        if link is None or not link_is_valid(link, now):
            return None
        return Principal(UserRole.MODERATOR, "", link.event_id, link_id=link.id)
    return None


def link_is_valid(link: ModeratorLink, now: datetime) -> bool:
    """Neither revoked nor past its optional expiry."""
    return link.revoked_at is None and (link.expires_at is None or now < link.expires_at)


def optional_principal(request: Request, state: Annotated[UiState, Depends(ui_state)]) -> Principal | None:
    """FastAPI dependency: the principal, or ``None`` when nobody is logged in."""
    for key in _LEGACY_KEYS:
        request.session.pop(key, None)
    token = request.session.get(SESSION_TOKEN)
    if token is None:
        return None
    now = state.runtime.clock.now()
    with state.runtime.sessions() as db:
        row = find_session(db, token, now, state.session_policy)
        principal = load_principal(db, row, now) if row is not None else None
        if row is not None and principal is None:
            db.delete(row)
        db.commit()
    if principal is None:
        request.session.pop(SESSION_TOKEN, None)
    return principal


def current_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    """FastAPI dependency: the principal; :class:`LoginRequired` when nobody is logged in."""
    if principal is None:
        raise LoginRequired()
    return principal


def organiser(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    """FastAPI dependency: an organiser; :class:`Forbidden` for moderators."""
    if not principal.is_organiser:
        raise Forbidden()
    return principal


def event_for(db: Session, principal: Principal, key: str) -> Event:
    """The event ``key`` if ``principal`` may see it; :class:`PageNotFound` otherwise (no hint it exists)."""
    event = db.scalar(select(Event).where(Event.key == key))
    if event is None or not principal.may_moderate(event):
        raise PageNotFound()
    return event
