"""People of an event: the searchable list, one person's page and what an organiser does there.

Every action calls the use case the command line calls (``registrants cancel``, ``breakouts move``,
``person forget``, ``person resend-link``) and is written to the browser's audit log in the
transaction that makes the change (the use cases' ``before_commit``/``audit`` callbacks), so an
action that fails writes no audit row.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from orchestrator.breakouts import service as breakouts
from orchestrator.breakouts.results import MoveOutcome, ZoomApplied
from orchestrator.db.models import Event
from orchestrator.errors import OrchestratorError
from orchestrator.i18n import _, language
from orchestrator.ids import parse_store_id
from orchestrator.jobs.breakouts import work
from orchestrator.jobs.mail import mail_service
from orchestrator.jobs.registrants import zoom_access
from orchestrator.mail.resend import ResendResult
from orchestrator.privacy.service import ForgetRequest, ForgetResult, person_forget
from orchestrator.registrants.results import CancelDecision
from orchestrator.registrants.service import cancel_registrations
from orchestrator.web.ui import audit
from orchestrator.web.ui.csrf import checked_form
from orchestrator.web.ui.dashboard import label_helpers
from orchestrator.web.ui.errors import PageNotFound
from orchestrator.web.ui.i18n_web import request_language
from orchestrator.web.ui.pages import flash, redirect, render
from orchestrator.web.ui.people_data import MAIL_FILTERS, PeopleFilter, people_page
from orchestrator.web.ui.person_data import PersonView, person_view
from orchestrator.web.ui.principal import Principal, event_for, organiser
from orchestrator.web.ui.state import UiState, ui_state

router = APIRouter()
State = Annotated[UiState, Depends(ui_state)]
Organiser = Annotated[Principal, Depends(organiser)]
Form = Annotated[FormData, Depends(checked_form)]


def event_info(event: Event) -> dict[str, Any]:
    return {
        "key": event.key,
        "title": event.title,
        "start": event.start_utc,
        "end": event.end_utc,
        "timezone": event.timezone,
    }


def _person_path(key: str, person_id: int) -> str:
    return f"/events/{key}/people/{person_id}"


@router.get("/events/{key}/people")
def people_list(key: str, request: Request, state: State, principal: Organiser) -> Response:
    """Search, filter and page through the people of the event."""
    wanted = PeopleFilter.from_query(request.query_params)
    with state.runtime.sessions() as db:
        event = event_for(db, principal, key)
        data = people_page(db, event, wanted)
        info = event_info(event)
    return render(
        request,
        state,
        "people.html",
        principal=principal,
        timezone=info["timezone"],
        event=info,
        data=data,
        mail_filters=MAIL_FILTERS,
        **label_helpers(),
    )


def _load(state: UiState, principal: Principal, key: str, raw_id: str) -> tuple[dict[str, Any], PersonView]:
    person_id = parse_store_id(raw_id)
    if person_id is None:
        raise PageNotFound()
    with state.runtime.sessions() as db:
        event = event_for(db, principal, key)
        view = person_view(db, event, person_id, state.runtime.clock.now())
        info = event_info(event)
    if view is None:
        raise PageNotFound()
    return info, view


@router.get("/events/{key}/people/{person_id}")
def person_page(key: str, person_id: str, request: Request, state: State, principal: Organiser) -> Response:
    """Everything about one person, with the actions an organiser may take."""
    info, view = _load(state, principal, key, person_id)
    return render(
        request,
        state,
        "person.html",
        principal=principal,
        timezone=info["timezone"],
        event=info,
        person=view,
        **label_helpers(),
    )


@router.post("/events/{key}/people/{person_id}/resend")
def resend(
    key: str, person_id: str, request: Request, state: State, principal: Organiser, form: Form
) -> Response:
    """Send the person's confirmation with their personal link once more (never shown here).

    The same use case as ``person resend-link``; the audit row commits with the queued mail.
    """
    _info, view = _load(state, principal, key, person_id)
    rt = state.runtime

    def log(db: Session, event: Event, result: ResendResult) -> None:
        detail = {"person_id": view.id, "outbox_id": result.outbox_id}
        audit.record(db, principal, "person.resend_link", at=rt.clock.now(), event=event, detail=detail)

    with language(request_language(request, state.default_language)):
        try:
            result = mail_service(rt).resend_link(key, view.email, audit=log)
        except OrchestratorError as exc:
            flash(request, "error", exc.message, details=exc.details)
            return redirect(_person_path(key, view.id))
        if result.outcome == "queued":
            text = _(
                "The confirmation with the personal link goes to {email} again with the next mail dispatch.",
                email=result.email,
            )
        else:
            text = _("The confirmation to {email} is already waiting to be sent.", email=result.email)
        flash(request, "ok" if result.outcome == "queued" else "info", text)
    return redirect(_person_path(key, view.id))


@router.post("/events/{key}/people/{person_id}/cancel")
def cancel(
    key: str, person_id: str, request: Request, state: State, principal: Organiser, form: Form
) -> Response:
    """Cancel the registration, in Zoom too (the same use case as ``registrants cancel``)."""
    _info, view = _load(state, principal, key, person_id)
    rt = state.runtime

    def log(db: Session, event: Event, decision: CancelDecision) -> None:
        # With the commit that cancels the person in the store, before Zoom is told: a cancellation
        # Zoom does not confirm stays stored (the next run repeats it), so it is logged either way.
        detail = {"person_id": view.id, "zoom": bool(decision.to_zoom)}
        audit.record(db, principal, "person.cancel", at=rt.clock.now(), event=event, detail=detail)

    with language(request_language(request, state.default_language)):
        try:
            with state.zoom_lock:
                result = cancel_registrations(zoom_access(rt), key, [view.email], before_commit=log)
        except OrchestratorError as exc:
            flash(request, "error", exc.message, details=exc.details)
            return redirect(_person_path(key, view.id))
        if result.in_flight:
            text = _(
                "{email} is being registered with Zoom right now; please cancel again in a minute.",
                email=view.email,
            )
            flash(request, "error", text)
            return redirect(_person_path(key, view.id))
        if result.already_cancelled:
            flash(request, "info", _("{email} was cancelled already.", email=view.email))
            return redirect(_person_path(key, view.id))
        text = (
            _("{email} is cancelled, also in Zoom: their personal link no longer works.", email=view.email)
            if result.cancelled_in_zoom
            else _("{email} is cancelled.", email=view.email)
        )
        flash(request, "ok", text)
    return redirect(_person_path(key, view.id))


@router.post("/events/{key}/people/{person_id}/move")
def move(
    key: str, person_id: str, request: Request, state: State, principal: Organiser, form: Form
) -> Response:
    """Put the person into another room of a round (the same use case as the console's move)."""
    _info, view = _load(state, principal, key, person_id)
    number = parse_store_id(form.get("round"))
    room = str(form.get("room") or "")
    lang = request_language(request, state.default_language)
    now = state.runtime.clock.now

    def log(db: Session, event: Event, moved: MoveOutcome) -> None:
        # With the move's own commit; a re-apply to Zoom afterwards commits separately.
        detail = {"person_id": view.id, "round": moved.round, "before": moved.before, "after": moved.after}
        audit.record(db, principal, "person.move", at=now(), event=event, detail=detail)

    with language(lang):
        if number is None or not room:
            flash(request, "error", _("Please choose a room."))
            return redirect(_person_path(key, view.id))
        try:
            with state.zoom_lock:
                result = breakouts.move(
                    work(state.runtime),
                    key,
                    email=view.email,
                    room=room,
                    round_number=number,
                    force=form.get("force") == "1",
                    limits=state.limits,
                    before_commit=log,
                )
        except OrchestratorError as exc:
            message = exc.message.replace(
                _("Nothing was changed; use --force to place the person anyway."),
                _("Nothing was changed; tick “Place even if the room is full” to place the person anyway."),
            )
            flash(request, "error", message, details=exc.details)
            return redirect(_person_path(key, view.id))
        if not result.changed:
            flash(request, "info", _("{email} is in {room} already.", email=result.email, room=room))
            return redirect(_person_path(key, view.id))
        text = _(
            "{email} moved from {before} to {after}.",
            email=result.email,
            before=result.before or "–",
            after=result.after,
        )
        zoom, note, instruction = result.zoom, "", None
        if isinstance(zoom, ZoomApplied):
            note, instruction = _("Zoom was updated."), zoom.instructions.in_language(lang)
        elif zoom is not None:
            note = zoom.reason
        flash(request, "ok", f"{text} {note}".strip(), details=result.warnings, instruction=instruction)
    return redirect(_person_path(key, view.id))


@router.get("/events/{key}/people/{person_id}/forget")
def forget_confirm(
    key: str, person_id: str, request: Request, state: State, principal: Organiser
) -> Response:
    """Ask before deleting everything about the person."""
    info, view = _load(state, principal, key, person_id)
    return render(
        request,
        state,
        "person_forget.html",
        principal=principal,
        timezone=info["timezone"],
        event=info,
        person=view,
        **label_helpers(),
    )


@router.post("/events/{key}/people/{person_id}/forget")
def forget(
    key: str, person_id: str, request: Request, state: State, principal: Organiser, form: Form
) -> Response:
    """Delete the person everywhere (the same use case as ``person forget``), then back to the list."""
    _info, view = _load(state, principal, key, person_id)
    rt = state.runtime
    lang = request_language(request, state.default_language)
    with language(lang):
        if form.get("confirm") != "1":
            flash(
                request, "error", _("Please tick the box to confirm that all data of the person is deleted.")
            )
            return redirect(f"{_person_path(key, view.id)}/forget")
        settings = rt.settings
        mail_dir = settings.mail_eml_dir if settings.mail_transport == "eml" else None

        def log(db: Session, result: ForgetResult) -> None:
            # In the transaction of the deletion. The log keeps no name or address of a forgotten
            # person: only the former id and counts.
            detail = {
                "person_id": view.id,
                "rows": sum(result.rows.values()),
                "zoom_cancelled": result.zoom_cancelled,
            }
            event = event_for(db, principal, key)
            audit.record(db, principal, "person.forget", at=rt.clock.now(), event=event, detail=detail)

        try:
            with state.zoom_lock:
                wanted = ForgetRequest(view.email, key, mail_dir)
                result = person_forget(rt.store, rt.zoom, rt.clock, wanted, before_commit=log)
        except OrchestratorError as exc:
            flash(request, "error", exc.message, details=exc.details)
            return redirect(_person_path(key, view.id))
        flash(
            request,
            "ok",
            _(
                "All data of the person was deleted ({rows} stored rows, {mails} mail files); "
                "Zoom registrations cancelled: {zoom}.",
                rows=sum(result.rows.values()),
                mails=result.mail_files,
                zoom=result.zoom_cancelled,
            ),
        )
    return redirect(f"/events/{key}/people")
