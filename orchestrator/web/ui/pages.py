"""Rendering pages: one autoescaping Jinja environment, flash messages, safe response headers."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from orchestrator.i18n import SUPPORTED_LANGUAGES
from orchestrator.web.ui.csrf import FIELD, csrf_token
from orchestrator.web.ui.i18n_web import LANGUAGE_NAMES, date_formatter, request_language, translator
from orchestrator.web.ui.principal import Principal
from orchestrator.web.ui.state import UiState

FLASH_KEY = "flash"
MAX_FLASH_DETAILS = 10
# No inline script or style anywhere: everything comes from /static, so the policy can be strict.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Moderator links carry their secret in the path: never send it on as a referrer.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


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


def with_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response


def flash(request: Request, kind: str, text: str, *, details: list[str] | None = None,
          instruction: str | None = None) -> None:
    """Show a message on the next page (kind: ok, error, info)."""
    messages = list(request.session.get(FLASH_KEY, []))
    messages.append({"kind": kind, "text": text, "details": list(details or [])[:MAX_FLASH_DETAILS],
                     "instruction": instruction})
    request.session[FLASH_KEY] = messages[-5:]


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
    messages = request.session.pop(FLASH_KEY, [])
    html = environment().get_template(template).render(
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
    response = HTMLResponse(html, status_code=status_code)
    with_security_headers(response)
    return response
