"""Who is logged in: an organiser or moderator account, or a moderator link scoped to one event.

The signed session cookie only names the account or link; every request re-reads it from the
store, so disabling an account or issuing a new moderator link ends existing sessions at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.db.models import Event, ModeratorLink, UserRole, WebUser
from orchestrator.web.ui.errors import Forbidden, LoginRequired, PageNotFound
from orchestrator.web.ui.state import UiState, ui_state

SESSION_USER = "uid"
SESSION_LINK = "link"


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


def log_in_user(request: Request, user: WebUser) -> None:
    """Start a fresh session for ``user`` (old session content is dropped: no fixation)."""
    _fresh(request)
    request.session[SESSION_USER] = user.id


def log_in_link(request: Request, link: ModeratorLink) -> None:
    """Start a fresh moderator session from a moderator link."""
    _fresh(request)
    request.session[SESSION_LINK] = link.id


def log_out(request: Request) -> None:
    _fresh(request)


def _fresh(request: Request) -> None:
    language = request.session.get("lang")
    request.session.clear()
    if language:
        request.session["lang"] = language


def load_principal(db: Session, data: dict[str, Any]) -> Principal | None:
    """The principal named by the session ``data``, if the account or link is still valid."""
    user_id = data.get(SESSION_USER)
    if isinstance(user_id, int):
        user = db.get(WebUser, user_id)
        if user is None or not user.active:
            return None
        if user.role == UserRole.MODERATOR and user.event_id is None:
            return None
        return Principal(user.role, user.email, user.event_id if user.role == UserRole.MODERATOR else None,
                         user_id=user.id)
    link_id = data.get(SESSION_LINK)
    if isinstance(link_id, int):
        link = db.get(ModeratorLink, link_id)
        if link is None or link.revoked_at is not None:
            return None
        return Principal(UserRole.MODERATOR, "", link.event_id, link_id=link.id)
    return None


def optional_principal(request: Request, state: Annotated[UiState, Depends(ui_state)]) -> Principal | None:
    """FastAPI dependency: the principal, or ``None`` when nobody is logged in."""
    if SESSION_USER not in request.session and SESSION_LINK not in request.session:
        return None
    with state.runtime.sessions() as db:
        principal = load_principal(db, dict(request.session))
    if principal is None:
        request.session.pop(SESSION_USER, None)
        request.session.pop(SESSION_LINK, None)
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
