"""The moderator console: rooms and people of a round, move/swap, apply to Zoom with the host instruction.

Plain forms do all the work (keyboard and no-JS friendly); ``static/console.js`` adds drag-and-drop
that fills in and submits the same move form.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from orchestrator.breakouts import service
from orchestrator.breakouts.results import ZoomApplied, ZoomUpdate
from orchestrator.errors import BadInput, OrchestratorError
from orchestrator.i18n import _, language
from orchestrator.ids import parse_store_id
from orchestrator.jobs.breakouts import work
from orchestrator.web.ui.console_data import console_view
from orchestrator.web.ui.csrf import checked_form
from orchestrator.web.ui.dashboard import label_helpers
from orchestrator.web.ui.errors import PageNotFound
from orchestrator.web.ui.i18n_web import request_language
from orchestrator.web.ui.pages import flash, redirect, render
from orchestrator.web.ui.principal import Principal, current_principal, event_for
from orchestrator.web.ui.state import UiState, ui_state
from orchestrator.web.zoomapp.activity import recent_app_activity

router = APIRouter()
State = Annotated[UiState, Depends(ui_state)]
Anyone = Annotated[Principal, Depends(current_principal)]
Form = Annotated[FormData, Depends(checked_form)]


def _round_number(value: object, default: int | None = None) -> int:
    number = parse_store_id(value)  # "²" or 20 digits: no such round (not a 500)
    if number is not None:
        return number
    if default is not None:
        return default
    raise PageNotFound()


def _back(key: str, round_number: int) -> str:
    return f"/events/{key}/console?round={round_number}"


@router.get("/events/{key}/console")
def console_page(key: str, request: Request, state: State, principal: Anyone) -> Response:
    """Rooms and people of one round (``?round=N``, default: the first round not over)."""
    rt = state.runtime
    lang = request_language(request, state.default_language)
    with rt.sessions() as db, language(lang):
        event = event_for(db, principal, key)
        now = rt.clock.now()
        numbers = [r.number for r in event.rounds]
        default = next((r.number for r in event.rounds if r.end_utc > now), numbers[-1] if numbers else 0)
        number = _round_number(request.query_params.get("round", default), default)
        view = console_view(db, event, number, now, lang) if number in numbers else None
        event_info = {"key": event.key, "title": event.title, "timezone": event.timezone}
        app_activity = recent_app_activity(db, event.id, lang)
    return render(
        request,
        state,
        "console.html",
        principal=principal,
        timezone=event_info["timezone"],
        event=event_info,
        view=view,
        round_number=number,
        app_activity=app_activity,
        **label_helpers(),
    )


def _zoom_note(zoom: ZoomUpdate | None, lang: str) -> tuple[str, str | None]:
    """A sentence on what happened in Zoom after a change, and the host instruction if it was sent."""
    if zoom is None:
        return "", None
    if isinstance(zoom, ZoomApplied):
        return _("Zoom was updated."), zoom.instructions.in_language(lang)
    return zoom.reason, None


@router.post("/events/{key}/console/move")
def move(key: str, request: Request, state: State, principal: Anyone, form: Form) -> Response:
    """Move one person into a room (``force`` places them into a full room too)."""
    number = _round_number(form.get("round"))
    email = str(form.get("email") or "")
    room = str(form.get("room") or "")
    lang = request_language(request, state.default_language)
    with state.runtime.sessions() as db:
        event_for(db, principal, key)
    with language(lang):
        if not email or not room:
            flash(request, "error", _("Please choose a person and a room."))
            return redirect(_back(key, number))
        try:
            with state.zoom_lock:
                result = service.move(
                    work(state.runtime),
                    key,
                    email=email,
                    room=room,
                    round_number=number,
                    force=form.get("force") == "1",
                    limits=state.limits,
                )
        except OrchestratorError as exc:
            # The service speaks of the CLI's --force; here it is the checkbox.
            message = exc.message.replace(
                _("Nothing was changed; use --force to place the person anyway."),
                _("Nothing was changed; tick “Place even if the room is full” to place the person anyway."),
            )
            flash(request, "error", message, details=exc.details)
            return redirect(_back(key, number))
        if not result.changed:
            flash(request, "info", _("{email} is in {room} already.", email=result.email, room=room))
            return redirect(_back(key, number))
        note, instruction = _zoom_note(result.zoom, lang)
        text = _(
            "{email} moved from {before} to {after}.",
            email=result.email,
            before=result.before or "–",
            after=result.after,
        )
        flash(request, "ok", f"{text} {note}".strip(), details=result.warnings, instruction=instruction)
    return redirect(_back(key, number))


@router.post("/events/{key}/console/swap")
def swap(key: str, request: Request, state: State, principal: Anyone, form: Form) -> Response:
    """Swap the rooms of two people."""
    number = _round_number(form.get("round"))
    first, second = str(form.get("email_a") or ""), str(form.get("email_b") or "")
    lang = request_language(request, state.default_language)
    with state.runtime.sessions() as db:
        event_for(db, principal, key)
    with language(lang):
        try:
            if not first or not second or first == second:
                raise BadInput(_("Please choose two different people."))
            with state.zoom_lock:
                result = service.swap(
                    work(state.runtime),
                    key,
                    email_a=first,
                    email_b=second,
                    round_number=number,
                    limits=state.limits,
                )
        except OrchestratorError as exc:
            flash(request, "error", exc.message, details=exc.details)
            return redirect(_back(key, number))
        a, b = result.swapped
        note, instruction = _zoom_note(result.zoom, lang)
        text = _(
            "Swapped: {first} is now in {first_room}, {second} in {second_room}.",
            first=a.email,
            first_room=a.after,
            second=b.email,
            second_room=b.after,
        )
        flash(request, "ok", f"{text} {note}".strip(), instruction=instruction)
    return redirect(_back(key, number))


@router.post("/events/{key}/console/apply")
def apply(key: str, request: Request, state: State, principal: Anyone, form: Form) -> Response:
    """Send the round's rooms to Zoom now; show the host what to do in the running meeting."""
    number = _round_number(form.get("round"))
    lang = request_language(request, state.default_language)
    with state.runtime.sessions() as db:
        event_for(db, principal, key)
    with language(lang):
        try:
            with state.zoom_lock:
                outcome = service.apply(work(state.runtime), key, number, state.limits)
        except OrchestratorError as exc:
            flash(request, "error", exc.message, details=exc.details)
            return redirect(_back(key, number))
        text = (
            _(
                "Round {round} was sent to Zoom ({rooms} rooms, {people} people).",
                round=number,
                rooms=outcome.rooms,
                people=outcome.participants,
            )
            if outcome.action == "applied"
            else _(
                "Zoom already holds exactly these rooms for round {round}; nothing was sent.", round=number
            )
        )
        flash(request, "ok", text, instruction=outcome.instructions.in_language(lang))
    return redirect(_back(key, number))
