"""The Zoom App's HTML pages: language, templates and the security headers Zoom requires."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from orchestrator.i18n import SUPPORTED_LANGUAGES
from orchestrator.web.security_headers import with_security_headers
from orchestrator.web.ui.i18n_web import translator

# Zoom's documented browser build of the Apps SDK (``@zoom/appssdk``); no copy lives in the repo.
ZOOM_SDK_URL = "https://appssdk.zoom.us/sdk.min.js"
ZOOM_SDK_ORIGIN = "https://appssdk.zoom.us"
# Like the dashboard's policy, plus Zoom's SDK script; JSON calls go to this origin only.
APP_CONTENT_SECURITY_POLICY = (
    f"default-src 'self'; script-src 'self' {ZOOM_SDK_ORIGIN}; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# Zoom requires HSTS on the Home URL (OWASP headers); browsers ignore it on plain http.
HSTS = "max-age=31536000; includeSubDomains"


def app_language(request: Request, default: str) -> str:
    """``?lang=`` first, then the client's Accept-Language, else ``default`` (German)."""
    chosen = request.query_params.get("lang", "")
    if chosen in SUPPORTED_LANGUAGES:
        return chosen
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(request.headers.get("accept-language", "").split(",")[:20]):
        tag, _sep, params = item.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary in SUPPORTED_LANGUAGES and weight > 0:
            ranked.append((-weight, position, primary))
    if ranked:
        return min(ranked)[2]
    return default if default in SUPPORTED_LANGUAGES else "de"


def zoom_app_headers(response: Response) -> Response:
    """The project's security headers with the app's CSP and HSTS (Zoom checks these)."""
    with_security_headers(response)
    response.headers["Content-Security-Policy"] = APP_CONTENT_SECURITY_POLICY
    response.headers["Strict-Transport-Security"] = HSTS
    return response


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("orchestrator.web.zoomapp", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, language: str, *, status_code: int = 200, **values: Any) -> Response:
    """A page of the app in ``language`` with the app's security headers."""
    html = (
        environment()
        .get_template(template)
        .render(_=translator(language), lang=language, sdk_url=ZOOM_SDK_URL, **values)
    )
    return zoom_app_headers(HTMLResponse(html, status_code=status_code))


def json_answer(data: Any, status_code: int = 200) -> Response:
    return zoom_app_headers(JSONResponse(data, status_code=status_code))


def json_error(message: str, status_code: int, reason: str) -> Response:
    return json_answer({"error": message, "reason": reason}, status_code)
