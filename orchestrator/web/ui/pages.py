"""Rendering pages: one autoescaping Jinja environment, flash messages, safe response headers."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from orchestrator.i18n import SUPPORTED_LANGUAGES
from orchestrator.web.security_headers import SECURITY_HEADERS, with_security_headers
from orchestrator.web.ui.csrf import FIELD, csrf_token
from orchestrator.web.ui.i18n_web import LANGUAGE_NAMES, date_formatter, request_language, translator
from orchestrator.web.ui.principal import SESSION_TOKEN, Principal
from orchestrator.web.ui.state import UiState
from orchestrator.web.ui.web_sessions import find_session, pop_flash, push_flash

__all__ = ["SECURITY_HEADERS", "flash", "redirect", "render", "with_security_headers"]

MAX_FLASH_DETAILS = 10
MAX_FLASH_TEXT = 2000


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The template environment (autoescape on for every template)."""
    return Environment(
        loader=PackageLoader("orchestrator.web.ui", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def flash(
    request: Request,
    kind: str,
    text: str,
    *,
    details: list[str] | None = None,
    instruction: str | None = None,
) -> None:
    """Show a message on the next page (kind: ok, error, info).

    Messages are kept in the server-side session, never in the cookie (they may name participants,
    and a long one would make the cookie too large for the browser). Without a session: dropped.
    """
    state: UiState = request.app.state.ui
    message = {
        "kind": kind,
        "text": text[:MAX_FLASH_TEXT],
        "details": [d[:MAX_FLASH_TEXT] for d in list(details or [])[:MAX_FLASH_DETAILS]],
        "instruction": instruction[:MAX_FLASH_TEXT] if instruction else instruction,
    }
    with state.runtime.sessions() as db:
        now = state.runtime.clock.now()
        row = find_session(db, request.session.get(SESSION_TOKEN), now, state.session_policy)
        if row is not None:
            push_flash(row, message)
        db.commit()


def _pop_flash(request: Request, state: UiState) -> list[dict[str, Any]]:
    token = request.session.get(SESSION_TOKEN)
    if token is None:
        return []
    with state.runtime.sessions() as db:
        row = find_session(db, token, state.runtime.clock.now(), state.session_policy)
        messages = pop_flash(row) if row is not None else []
        db.commit()
    return messages


def redirect(url: str) -> Response:
    """303 See Other (POST → redirect → GET)."""
    return with_security_headers(RedirectResponse(url, status_code=303))


def render(
    request: Request,
    state: UiState,
    template: str,
    *,
    principal: Principal | None,
    timezone: str = "Europe/Berlin",
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` in the request's language with the common context."""
    language = request_language(request, state.default_language)
    messages = _pop_flash(request, state)
    html = (
        environment()
        .get_template(template)
        .render(
            _=translator(language),
            lang=language,
            languages=[(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LANGUAGES],
            csrf_field=FIELD,
            csrf_token=csrf_token(request),
            principal=principal,
            messages=messages,
            fmt=date_formatter(language, timezone),
            current_path=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status_code)
    with_security_headers(response)
    return response
