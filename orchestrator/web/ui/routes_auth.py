"""Login, logout, moderator links, language choice and the start page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from orchestrator.db.models import Event
from orchestrator.i18n import N_, translate
from orchestrator.web.ui import accounts, csrf
from orchestrator.web.ui.csrf import checked_form
from orchestrator.web.ui.dashboard_data import events_overview
from orchestrator.web.ui.errors import PageNotFound
from orchestrator.web.ui.i18n_web import choose_language, request_language
from orchestrator.web.ui.pages import redirect, render
from orchestrator.web.ui.principal import (
    Principal,
    log_in_link,
    log_in_user,
    log_out,
    optional_principal,
    organiser,
)
from orchestrator.web.ui.state import UiState, ui_state

router = APIRouter()
State = Annotated[UiState, Depends(ui_state)]
Form = Annotated[FormData, Depends(checked_form)]


def safe_next(target: object, default: str = "/") -> str:
    """A local path to go to after login (never another site: no scheme, no ``//``)."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def home_of(db_event: Event | None, principal: Principal) -> str:
    if not principal.is_organiser and db_event is not None:
        return f"/events/{db_event.key}/console"
    return "/events"


@router.get("/login")
def login_page(request: Request, state: State,
               principal: Annotated[Principal | None, Depends(optional_principal)]) -> Response:
    """The login form (already logged in: on to the start page)."""
    if principal is not None:
        return redirect("/")
    target = safe_next(request.query_params.get("next"))
    return render(request, state, "login.html", principal=None, next=target, error=None, email="")


@router.post("/login")
def login(request: Request, state: State, form: Form) -> Response:
    """Check e-mail and password; on success a fresh session, else the form again (same message)."""
    email = str(form.get("email") or "")[:320]
    password = str(form.get("password") or "")
    target = safe_next(form.get("next"))
    rt = state.runtime
    now = rt.clock.now()
    key = accounts.normalise_email(email)
    language = request_language(request, state.default_language)
    if state.throttle.blocked(key, now):
        error = translate(N_("Too many failed attempts. Please wait 15 minutes and try again."), language)
        return render(request, state, "login.html", principal=None, next=target, error=error, email=email,
                      status_code=429)
    with rt.sessions() as db:
        user = accounts.authenticate(db, email, password, now)
        db.commit()
    if user is None:
        state.throttle.failed(key, now)
        error = translate(N_("The e-mail address or the password is not correct."), language)
        return render(request, state, "login.html", principal=None, next=target, error=error, email=email,
                      status_code=400)
    state.throttle.succeeded(key)
    log_in_user(request, user)
    csrf.rotate(request)
    return redirect(target)


@router.post("/logout")
def logout(request: Request, form: Form) -> Response:
    log_out(request)
    csrf.rotate(request)
    return redirect("/login")


@router.get("/m/{token}")
def moderator_link(token: str, request: Request, state: State) -> Response:
    """Open a moderator session from a per-event link, then go to that event's console."""
    with state.runtime.sessions() as db:
        link = accounts.resolve_moderator_link(db, token)
        event = db.get(Event, link.event_id) if link is not None else None
    if link is None or event is None:
        raise PageNotFound()
    log_in_link(request, link)
    csrf.rotate(request)
    return redirect(f"/events/{event.key}/console")


@router.post("/language")
def language(request: Request, form: Form) -> Response:
    """Switch the language of the pages for this session."""
    choose_language(request, str(form.get("lang") or ""))
    return redirect(safe_next(form.get("next")))


@router.get("/")
def start(request: Request, state: State,
          principal: Annotated[Principal | None, Depends(optional_principal)]) -> Response:
    """Organisers: the event list; moderators: their event's console; others: the login."""
    if principal is None:
        return redirect("/login")
    if principal.is_organiser:
        return redirect("/events")
    with state.runtime.sessions() as db:
        event = db.get(Event, principal.event_id) if principal.event_id is not None else None
    if event is None:
        raise PageNotFound()
    return redirect(home_of(event, principal))


@router.get("/events")
def events(request: Request, state: State, principal: Annotated[Principal, Depends(organiser)]) -> Response:
    """The list of events (one event: straight to its dashboard)."""
    from orchestrator.web.ui.dashboard import label_helpers

    with state.runtime.sessions() as db:
        overview = events_overview(db)
    if len(overview) == 1:
        return redirect(f"/events/{overview[0]['key']}")
    return render(request, state, "events.html", principal=principal, events=overview, **label_helpers())
