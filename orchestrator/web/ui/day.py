""" "Der Tag": the event day's timeline, updating itself.

``GET /events/{key}/day`` renders the page (complete without JavaScript); ``static/day.js`` polls
``GET /events/{key}/day.json`` every few seconds and swaps in the sections it returns (rendered on
the server from the same template, so both always agree). The JSON also carries the data itself.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from orchestrator.i18n import language
from orchestrator.results import to_jsonable
from orchestrator.web.security_headers import with_security_headers
from orchestrator.web.ui.csrf import FIELD, csrf_token
from orchestrator.web.ui.dashboard import label_helpers
from orchestrator.web.ui.day_data import DayView, day_view
from orchestrator.web.ui.i18n_web import date_formatter, request_language, translator
from orchestrator.web.ui.pages import environment, render
from orchestrator.web.ui.people import event_info
from orchestrator.web.ui.principal import Principal, event_for, organiser
from orchestrator.web.ui.state import UiState, ui_state

router = APIRouter()
State = Annotated[UiState, Depends(ui_state)]
Organiser = Annotated[Principal, Depends(organiser)]
POLL_SECONDS = 5


def _load(state: UiState, principal: Principal, key: str, lang: str) -> tuple[dict[str, Any], DayView]:
    rt = state.runtime
    with rt.sessions() as db, language(lang):
        event = event_for(db, principal, key)
        view = day_view(db, event, rt.clock.now(), rt.sessions)
        info = event_info(event)
    return info, view


@router.get("/events/{key}/day")
def day_page(key: str, request: Request, state: State, principal: Organiser) -> Response:
    """The timeline page (refreshed by ``day.js``; reloading the page does the same)."""
    lang = request_language(request, state.default_language)
    info, view = _load(state, principal, key, lang)
    return render(
        request,
        state,
        "day.html",
        principal=principal,
        timezone=info["timezone"],
        event=info,
        day=view,
        poll_seconds=POLL_SECONDS,
        **label_helpers(),
    )


@router.get("/events/{key}/day.json")
def day_json(key: str, request: Request, state: State, principal: Organiser) -> Response:
    """The day's data and its sections as HTML (for ``day.js``)."""
    lang = request_language(request, state.default_language)
    info, view = _load(state, principal, key, lang)
    html = (
        environment()
        .get_template("_day_sections.html")
        .render(
            _=translator(lang),
            lang=lang,
            csrf_field=FIELD,
            csrf_token=csrf_token(request),
            fmt=date_formatter(lang, info["timezone"]),
            event=info,
            day=view,
            **label_helpers(),
        )
    )
    fmt = date_formatter(lang, info["timezone"])
    stamp = translator(lang)("As of {time}", time=fmt(view.now, "time"))
    body = {
        "event": info["key"],
        "now": to_jsonable(view.now),
        "stamp": stamp,
        "html": html,
        "day": to_jsonable(view),
    }
    return with_security_headers(JSONResponse(body))
