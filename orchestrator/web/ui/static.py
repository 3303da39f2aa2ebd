"""``GET /static/NAME``: the stylesheet and script of the pages (no data, so no login needed)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from orchestrator.web.ui.errors import PageNotFound

router = APIRouter()
STATIC_DIR = Path(__file__).parent / "static"
FILES = {
    "app.css": "text/css; charset=utf-8",
    "console.js": "text/javascript; charset=utf-8",
    "day.js": "text/javascript; charset=utf-8",
    "people.css": "text/css; charset=utf-8",
    "mails.css": "text/css; charset=utf-8",
    "agenda.css": "text/css; charset=utf-8",
}


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    """One of the known files; anything else is 404 (no path walking)."""
    if name not in FILES:
        raise PageNotFound()
    response = FileResponse(STATIC_DIR / name, media_type=FILES[name])
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
