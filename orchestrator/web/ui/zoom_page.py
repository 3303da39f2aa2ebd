"""The Zoom page of an event: what ``meeting setup`` would send, then sending it; the meeting's links.

The preview is :func:`orchestrator.meeting.plan.plan_setup` (reads only), the action is
:func:`orchestrator.meeting.service.run_setup` (what ``orchestrator meeting setup`` runs), both on
the agenda the store holds. Only organisers reach this page; the host's start link is shown here
and nowhere else.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from orchestrator.agenda import LoadedAgenda
from orchestrator.agenda.service import stored_agenda
from orchestrator.errors import OrchestratorError
from orchestrator.i18n import N_, _, language, translate
from orchestrator.meeting.plan import SetupPlan, host_start_url, plan_setup
from orchestrator.meeting.service import meeting_status, run_setup
from orchestrator.web.ui.audit import record
from orchestrator.web.ui.csrf import checked_form
from orchestrator.web.ui.i18n_web import request_language
from orchestrator.web.ui.pages import flash, redirect, render
from orchestrator.web.ui.principal import Principal, event_for, organiser
from orchestrator.web.ui.state import UiState, ui_state

router = APIRouter()
State = Annotated[UiState, Depends(ui_state)]
Organiser = Annotated[Principal, Depends(organiser)]
Form = Annotated[FormData, Depends(checked_form)]

PLAN_TEXTS = {
    "create": N_("A new Zoom meeting will be created."),
    "resume": N_("An interrupted creation will be completed (the meeting is looked for in Zoom first)."),
    "update": N_("The Zoom meeting will be updated (one change)."),
    "unchanged": N_("The Zoom meeting is up to date."),
    "missing": N_("The Zoom meeting no longer exists in Zoom (deleted there?)."),
    "recreate": N_("The Zoom meeting no longer exists in Zoom; a new one will be created."),
}
DONE_TEXTS = {
    "created": N_("Zoom meeting {id} created."),
    "adopted": N_("Zoom meeting {id} found and adopted."),
    "updated": N_("Zoom meeting {id} updated (one change sent to Zoom)."),
    "unchanged": N_("Zoom meeting {id} is up to date; nothing was changed."),
    "recreated": N_("Zoom meeting {id} created anew."),
}


@router.get("/events/{key}/zoom")
def zoom_page(key: str, request: Request, state: State, principal: Organiser) -> Response:
    """The meeting as the store and Zoom know it, with the button that previews the setup."""
    return _page(request, state, principal, key, plan=None, allow_past=False, recreate=False)


def _page(
    request: Request,
    state: UiState,
    principal: Principal,
    key: str,
    *,
    plan: SetupPlan | None,
    allow_past: bool,
    recreate: bool,
) -> Response:
    rt = state.runtime
    with rt.sessions() as db:
        event = event_for(db, principal, key)
        info = {"key": event.key, "title": event.title, "timezone": event.timezone, "hash": event.agenda_hash}
    status = meeting_status(rt.store, rt.zoom, key)
    start_url = host_start_url(rt.store, rt.zoom, key) if status.zoom_meeting_id else None
    return render(
        request,
        state,
        "zoom.html",
        principal=principal,
        timezone=info["timezone"],
        event=info,
        status=status,
        start_url=start_url,
        plan=plan,
        plan_text=translate(PLAN_TEXTS[plan.action], request_language(request, state.default_language))
        if plan is not None
        else None,
        allow_past=allow_past,
        recreate=recreate,
    )


def _loaded(state: UiState, principal: Principal, key: str, allow_past: bool) -> LoadedAgenda:
    rt = state.runtime
    with rt.sessions() as db:
        event = event_for(db, principal, key)
        loaded = stored_agenda(db, event, now=rt.clock.now(), allow_past=allow_past)
    loaded.ensure_may_change_zoom()
    return loaded


@router.post("/events/{key}/zoom/plan")
def zoom_plan(key: str, request: Request, state: State, principal: Organiser, form: Form) -> Response:
    """Show what the setup would send to Zoom (nothing is changed yet)."""
    allow_past = form.get("allow_past") == "1"
    recreate = form.get("recreate") == "1"
    with language(request_language(request, state.default_language)):
        try:
            loaded = _loaded(state, principal, key, allow_past)
            plan = plan_setup(state.runtime.store, state.runtime.zoom, loaded, recreate=recreate)
        except OrchestratorError as error:
            flash(request, "error", error.message, details=error.details)
            return redirect(f"/events/{key}/zoom")
    return _page(request, state, principal, key, plan=plan, allow_past=allow_past, recreate=recreate)


@router.post("/events/{key}/zoom/apply")
def zoom_apply(key: str, request: Request, state: State, principal: Organiser, form: Form) -> Response:
    """Send the previewed setup to Zoom, if the agenda is still the one that was previewed."""
    rt = state.runtime
    allow_past = form.get("allow_past") == "1"
    recreate = form.get("recreate") == "1"
    with language(request_language(request, state.default_language)):
        with rt.sessions() as db:
            event = event_for(db, principal, key)
            current_hash = event.agenda_hash
        if str(form.get("agenda") or "") != current_hash:
            flash(
                request,
                "error",
                _(
                    "The agenda was changed after the preview. Nothing was sent; "
                    "please look at the preview again."
                ),
            )
            return redirect(f"/events/{key}/zoom")
        try:
            loaded = _loaded(state, principal, key, allow_past)
            with state.zoom_lock:
                result = run_setup(
                    rt.store,
                    rt.zoom,
                    rt.clock,
                    loaded,
                    recreate=recreate,
                    default_host=rt.settings.zoom_host_user,
                )
        except OrchestratorError as error:
            flash(request, "error", error.message, details=error.details)
            return redirect(f"/events/{key}/zoom")
        with rt.sessions() as db:
            event = event_for(db, principal, key)
            record(
                db,
                principal,
                "zoom.setup",
                at=rt.clock.now(),
                event=event,
                detail={
                    "action": result.action,
                    "zoom_meeting_id": result.zoom_meeting_id,
                    "zoom_writes": result.zoom_writes,
                },
            )
            db.commit()
        flash(
            request,
            "ok",
            _(DONE_TEXTS[result.action], id=result.zoom_meeting_id),
            details=[*result.notes, *result.warnings],
        )
    return redirect(f"/events/{key}/zoom")
