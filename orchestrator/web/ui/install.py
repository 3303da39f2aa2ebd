"""Putting the dashboard and moderator console into the FastAPI app of ``orchestrator run``.

``app = create_app(WebContext.from_runtime(rt), routers=ui_routers())`` then ``install_ui(app, rt)``
(or simply ``create_ui_app(rt)``). ``install_ui`` adds the signed session cookie (it carries only
the session token, the language and the CSRF token; sessions live in the store), the runtime the
pages work with, and the error pages.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from starlette.middleware.sessions import SessionMiddleware

from orchestrator.i18n import N_, translate
from orchestrator.settings import Settings
from orchestrator.web.body_limit import BodyLimits
from orchestrator.web.context import WebContext
from orchestrator.web.ui import console, dashboard, routes_auth, static
from orchestrator.web.ui.errors import CsrfFailed, Forbidden, LoginRequired, PayloadTooLarge, UiError
from orchestrator.web.ui.i18n_web import request_language
from orchestrator.web.ui.pages import redirect, render
from orchestrator.web.ui.state import UiState
from orchestrator.web.ui.uploads import remove_stale_uploads
from orchestrator.web.ui.web_sessions import DEFAULT_IDLE, SessionPolicy

if TYPE_CHECKING:
    from orchestrator.app import App

log = logging.getLogger(__name__)
SESSION_COOKIE = "orchestrator_session"

ERROR_TEXTS = {
    LoginRequired: N_("Please log in first."),
    Forbidden: N_("This page is for organisers only."),
    CsrfFailed: N_("The form was sent from an outdated page. Please reload the page and try again."),
    PayloadTooLarge: N_("The file is too large (at most 10 MB)."),
}
NOT_FOUND_TEXT = N_("There is no such page, or you may not see it.")


def ui_routers() -> list[APIRouter]:
    """The routers of the login, dashboard, moderator console and their static files."""
    from orchestrator.web.ui import agenda_pages, breakouts_page, day, mails, people, zoom_page
    from orchestrator.web.zoomapp import routes as zoomapp

    return [
        routes_auth.router,
        dashboard.router,
        console.router,
        static.router,
        zoomapp.router,
        mails.router,
        breakouts_page.router,
        people.router,
        day.router,
        agenda_pages.router,
        zoom_page.router,
    ]


def cookie_secure(settings: Settings) -> bool:
    """Whether the session cookie gets the Secure flag (see ``session_cookie_secure``)."""
    if settings.session_cookie_secure != "auto":
        return settings.session_cookie_secure == "true"
    if settings.public_url:
        return urlsplit(settings.public_url).scheme == "https"
    return not _is_loopback(settings.http_host)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def session_secret(settings: Settings) -> str:
    """The cookie signing secret; without ``ORCHESTRATOR_SESSION_SECRET`` one per process (logged)."""
    if settings.session_secret is not None and settings.session_secret.get_secret_value():
        return settings.session_secret.get_secret_value()
    log.warning("ORCHESTRATOR_SESSION_SECRET is not set: logins end when the service restarts")
    return secrets.token_urlsafe(48)


def install_ui(
    app: FastAPI,
    rt: App,
    *,
    secure_cookies: bool | None = None,
    max_upload_bytes: int = 10 * 1024 * 1024,
    upload_dir: Path | None = None,
) -> None:
    """Add the session middleware, the pages' state and error handling to ``app`` (before it starts).

    Uploads left behind by an import that was killed before this start are removed now.
    """
    settings = rt.settings
    policy = SessionPolicy(
        lifetime=timedelta(seconds=settings.session_max_age_seconds),
        idle=min(DEFAULT_IDLE, timedelta(seconds=settings.session_max_age_seconds)),
    )
    state = UiState(
        runtime=rt,
        default_language=settings.language,
        max_upload_bytes=max_upload_bytes,
        session_policy=policy,
    )
    if upload_dir is not None:
        state.upload_dir = upload_dir
    remove_stale_uploads(state.upload_dir, datetime.now(UTC))
    app.state.ui = state
    body_limits: BodyLimits | None = getattr(app.state, "body_limits", None)
    if body_limits is not None:
        body_limits.upload_bytes = max_upload_bytes
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=cookie_secure(settings) if secure_cookies is None else secure_cookies,
    )
    app.add_exception_handler(UiError, _ui_error)


def create_ui_app(
    rt: App, *, secure_cookies: bool | None = None, upload_dir: Path | None = None, **create_app_options: Any
) -> FastAPI:
    """The whole app: webhooks and health (``create_app``) plus dashboard and console."""
    from orchestrator.web.app import create_app

    app = create_app(WebContext.from_runtime(rt), routers=ui_routers(), **create_app_options)
    install_ui(app, rt, secure_cookies=secure_cookies, upload_dir=upload_dir)
    return app


async def _ui_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UiError)
    state: UiState = request.app.state.ui
    if isinstance(exc, LoginRequired) and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(f"/login?next={quote(target, safe='/')}")
    language = request_language(request, state.default_language)
    text = ERROR_TEXTS.get(type(exc), NOT_FOUND_TEXT)
    return render(
        request,
        state,
        "error.html",
        principal=None,
        status_code=exc.status_code,
        message=translate(text, language),
    )
