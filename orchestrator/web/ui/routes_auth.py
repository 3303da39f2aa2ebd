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
def login_page(
    request: Request, state: State, principal: Annotated[Principal | None, Depends(optional_principal)]
) -> Response:
    """The login form (already logged in: on to the start page)."""
    if principal is not None:
        return redirect("/")
    target = safe_next(request.query_params.get("next"))
    return render(request, state, "login.html", principal=None, next=target, error=None, email="")


@router.post("/login")
def login(request: Request, state: State, form: Form) -> Response:
    """Check e-mail and password; on success a fresh session, else the form again (same message).

    Each attempt is counted before the password is checked; while the growing delay of the account
    or of the client address runs, the answer is 429 with the seconds to wait.
    """
    email = str(form.get("email") or "")[:320]
    password = str(form.get("password") or "")
    target = safe_next(form.get("next"))
    rt = state.runtime
    now = rt.clock.now()
    key = accounts.normalise_email(email)
    address = request.client.host if request.client else "unknown"
    language = request_language(request, state.default_language)
    refused = state.throttle.claim(key, address, now)
    if refused is not None:
        error = translate(
            N_("Too many failed attempts. Please wait {seconds} seconds and try again."),
            language,
            seconds=refused.seconds,
        )
        response = render(
            request,
            state,
            "login.html",
            principal=None,
            next=target,
            error=error,
            email=email,
            status_code=429,
        )
        response.headers["Retry-After"] = str(refused.seconds)
        return response
    with rt.sessions() as db:
        user = accounts.authenticate(db, email, password, now)
        if user is not None:
            log_in_user(request, db, user, now, state.session_policy)
        db.commit()
    if user is None:
        error = translate(N_("The e-mail address or the password is not correct."), language)
        return render(
            request,
            state,
            "login.html",
            principal=None,
            next=target,
            error=error,
            email=email,
            status_code=400,
        )
    state.throttle.succeeded(key, address, now)
    csrf.rotate(request)
    return redirect(target)


@router.post("/logout")
def logout(request: Request, state: State, form: Form) -> Response:
    """End the session on the server, then back to the login form."""
    with state.runtime.sessions() as db:
        log_out(request, db)
        db.commit()
    csrf.rotate(request)
    return redirect("/login")


@router.get("/m/{token}")
def moderator_link(token: str, request: Request, state: State) -> Response:
    """Open a moderator session from a per-event link, then go to that event's console."""
    now = state.runtime.clock.now()
    with state.runtime.sessions() as db:
        link = accounts.resolve_moderator_link(db, token, now)
        event = db.get(Event, link.event_id) if link is not None else None
        if link is None or event is None:
            raise PageNotFound()
        log_in_link(request, db, link, now, state.session_policy)
        event_key = event.key
        db.commit()
    csrf.rotate(request)
    return redirect(f"/events/{event_key}/console")


@router.post("/language")
def language(request: Request, form: Form) -> Response:
    """Switch the language of the pages for this session."""
    choose_language(request, str(form.get("lang") or ""))
    return redirect(safe_next(form.get("next")))


@router.get("/")
def start(
    request: Request, state: State, principal: Annotated[Principal | None, Depends(optional_principal)]
) -> Response:
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
