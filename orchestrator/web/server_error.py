"""The page for an unexpected error (HTTP 500): short, translated, with the security headers.

It deliberately touches neither the store nor the templates (either may be what failed) and
shows no detail of the error; the traceback goes to the log (uvicorn logs the exception).
"""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from orchestrator.i18n import N_, SUPPORTED_LANGUAGES, translate
from orchestrator.web.security_headers import with_security_headers

TITLE = N_("Sorry")
MESSAGE = N_(
    "Something went wrong on our side. Please try again in a moment; if it keeps happening, "
    "tell the organisers."
)
START_PAGE = N_("To the start page")


def error_language(request: Request) -> str:
    """The session's language if the session middleware ran, else the service's default."""
    session = request.scope.get("session")
    chosen = session.get("lang") if isinstance(session, dict) else None
    if isinstance(chosen, str) and chosen in SUPPORTED_LANGUAGES:
        return chosen
    context = getattr(request.app.state, "web", None)
    default = getattr(context, "default_language", "de")
    return default if default in SUPPORTED_LANGUAGES else "de"


async def server_error_page(request: Request, exc: Exception) -> Response:
    """Exception handler for ``Exception``: the 500 page."""
    language = error_language(request)
    html = (
        f'<!doctype html>\n<html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{escape(translate(TITLE, language))}</title></head>"
        f"<body><h1>{escape(translate(TITLE, language))}</h1><p>{escape(translate(MESSAGE, language))}</p>"
        f'<p><a href="/">{escape(translate(START_PAGE, language))}</a></p></body></html>\n'
    )
    return with_security_headers(HTMLResponse(html, status_code=500))
