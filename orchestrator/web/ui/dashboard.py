"""The organiser dashboard: event, meeting, registrants with Zoom and mail state, failures, import."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from orchestrator.db.lease import LeaseBusy
from orchestrator.db.models import Event
from orchestrator.errors import OrchestratorError
from orchestrator.i18n import _, language
from orchestrator.ids import parse_store_id
from orchestrator.jobs.registrants import zoom_access
from orchestrator.mail import outbox
from orchestrator.registrants.report import STATES
from orchestrator.registrants.service import (
    ImportOptions,
    SyncOptions,
    import_registrations,
    retry_registrations,
    sync_registrants,
)
from orchestrator.web.ui.csrf import checked_form
from orchestrator.web.ui.dashboard_data import dashboard
from orchestrator.web.ui.i18n_web import request_language
from orchestrator.web.ui.import_deadline import check_within
from orchestrator.web.ui.labels import (
    APPLY_STATES,
    MAIL_STATES,
    MEETING_STATES,
    PHASES,
    label,
    occasion_label,
)
from orchestrator.web.ui.pages import flash, redirect, render
from orchestrator.web.ui.principal import Principal, event_for, organiser
from orchestrator.web.ui.state import UiState, ui_state
from orchestrator.web.ui.uploads import upload_workspace

router = APIRouter()
State = Annotated[UiState, Depends(ui_state)]
Organiser = Annotated[Principal, Depends(organiser)]
Form = Annotated[FormData, Depends(checked_form)]
UPLOAD_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls")


def label_helpers() -> dict[str, Any]:
    """Label tables and helpers for the templates."""
    return {
        "label": label,
        "occasion_label": occasion_label,
        "REGISTRATION_STATES": STATES,
        "MAIL_STATES": MAIL_STATES,
        "MEETING_STATES": MEETING_STATES,
        "PHASES": PHASES,
        "APPLY_STATES": APPLY_STATES,
    }


@router.get("/events/{key}")
def dashboard_page(key: str, request: Request, state: State, principal: Organiser) -> Response:
    """The dashboard of one event (``?state=failed`` filters the registrant table)."""
    rt = state.runtime
    with rt.sessions() as db:
        event = event_for(db, principal, key)
        data = dashboard(db, event, rt.clock.now(), request.query_params.get("state"))
        event_info = _event_info(event)
    return render(
        request,
        state,
        "dashboard.html",
        principal=principal,
        timezone=event_info["timezone"],
        event=event_info,
        data=data,
        import_report=None,
        **label_helpers(),
    )


@router.post("/events/{key}/import")
async def import_upload(
    key: str, request: Request, state: State, principal: Organiser, form: Form
) -> Response:
    """Import an uploaded registration export; the row report is shown on the dashboard."""
    upload = form.get("file")
    lang = request_language(request, state.default_language)
    if not isinstance(upload, UploadFile) or not upload.filename:
        with language(lang):
            flash(request, "error", _("Please choose a file to import."))
        return redirect(f"/events/{key}#import")
    content = await upload.read()
    return await run_in_threadpool(
        _import,
        key,
        request,
        state,
        principal,
        upload.filename,
        content,
        ImportOptions(dry_run=form.get("dry_run") == "1", cancel_missing=form.get("cancel_missing") == "1"),
    )


def _import(
    key: str,
    request: Request,
    state: State,
    principal: Principal,
    filename: str,
    content: bytes,
    options: ImportOptions,
) -> Response:
    rt = state.runtime
    lang = request_language(request, state.default_language)
    shown_name = _display_name(filename)
    with rt.sessions() as db:
        event_for(db, principal, key)
    with language(lang), upload_workspace(state.upload_dir) as tmp:
        suffix = Path(shown_name).suffix.lower()
        path = tmp / f"upload{suffix if suffix in UPLOAD_SUFFIXES else '.csv'}"
        path.write_bytes(content)
        try:
            check_within(path, state.import_seconds, state.import_parser)
            report = import_registrations(rt.store, rt.clock, key, path, options)
        except OrchestratorError as exc:
            flash(
                request,
                "error",
                exc.message.replace(str(path), shown_name),
                details=[d.replace(str(path), shown_name) for d in exc.details],
            )
            return redirect(f"/events/{key}#import")
    report = dataclasses.replace(report, file=shown_name)  # the upload's name, not the temporary path
    with rt.sessions() as db:
        event = event_for(db, principal, key)
        data = dashboard(db, event, rt.clock.now(), None)
        event_info = _event_info(event)
    return render(
        request,
        state,
        "dashboard.html",
        principal=principal,
        timezone=event_info["timezone"],
        event=event_info,
        data=data,
        import_report=report,
        **label_helpers(),
    )


@router.post("/events/{key}/registrations/retry")
def retry(key: str, request: Request, state: State, principal: Organiser, form: Form) -> Response:
    """Retry one failed Zoom registration (``email``) or all of them, with one sync pass."""
    email = str(form.get("email") or "").strip()
    lang = request_language(request, state.default_language)
    with state.runtime.sessions() as db:
        event_for(db, principal, key)
    with language(lang):
        try:
            with state.zoom_lock:
                result = retry_registrations(
                    zoom_access(state.runtime),
                    key,
                    [email] if email else None,
                    purpose="dashboard: retry failed registrations",
                )
        except LeaseBusy as busy:
            flash(request, "info", sync_running_message(state, busy))
            return redirect(f"/events/{key}#failures")
        except OrchestratorError as exc:
            flash(request, "error", exc.message, details=exc.details)
            return redirect(f"/events/{key}#failures")
        failed = result.sync.failed
        flash(
            request,
            "ok" if not failed else "error",
            _(
                "{count} registrations sent to Zoom again; {registered} registered, {failed} still refused.",
                count=result.requeued,
                registered=result.sync.registered,
                failed=len(failed),
            ),
            details=[f"{f.email}: {f.reason}" for f in failed],
        )
    return redirect(f"/events/{key}#failures")


@router.post("/events/{key}/mails/retry")
def retry_mails(key: str, request: Request, state: State, principal: Organiser, form: Form) -> Response:
    """Queue failed mails again (one ``outbox_id`` or all); the dispatcher sends them on its next pass."""
    raw_id = str(form.get("outbox_id") or "").strip()
    lang = request_language(request, state.default_language)
    row_id = parse_store_id(raw_id)
    with state.runtime.sessions() as db:
        event = event_for(db, principal, key)
        if raw_id and row_id is None:  # "²", 20 digits: not an id, and never "all" by mistake
            with language(lang):
                flash(request, "error", _("The mail to retry was not recognised; nothing was queued again."))
            return redirect(f"/events/{key}#failures")
        count = outbox.requeue_failed(db, event.id, None if row_id is None else [row_id])
        db.commit()
    with language(lang):
        message = _("{count} failed mails queued again; they go out with the next dispatch.", count=count)
        flash(request, "ok", message)
    return redirect(f"/events/{key}#failures")


@router.post("/events/{key}/registrations/sync")
def sync(key: str, request: Request, state: State, principal: Organiser, form: Form) -> Response:
    """Run one Zoom sync pass now (the service also runs it on its schedule)."""
    lang = request_language(request, state.default_language)
    with state.runtime.sessions() as db:
        event_for(db, principal, key)
    with language(lang):
        try:
            with state.zoom_lock:
                options = SyncOptions(purpose="dashboard: Jetzt mit Zoom abgleichen")
                result = sync_registrants(zoom_access(state.runtime), key, options)
        except LeaseBusy as busy:
            flash(request, "info", sync_running_message(state, busy))
            return redirect(f"/events/{key}#registrants")
        except OrchestratorError as exc:
            flash(request, "error", exc.message, details=exc.details)
            return redirect(f"/events/{key}#registrants")
        flash(
            request,
            "ok" if not result.failed else "error",
            _(
                "Zoom sync done: {registered} registered, {failed} refused.",
                registered=result.registered,
                failed=len(result.failed),
            ),
            details=[str(w) for w in result.warnings],
        )
    return redirect(f"/events/{key}#registrants")


def sync_running_message(state: UiState, busy: LeaseBusy) -> str:
    """What the organiser is told when another Zoom sync of the event is running (honest about when)."""
    minutes = max(1, round(state.runtime.settings.sync_interval_seconds / 60))
    return _(
        "A Zoom sync of this event is already running ({holder}). It also registers the people imported "
        "before it finishes; anyone it misses is registered by the service's next scheduled sync (every "
        "{minutes} minutes). You can also click again once it has finished.",
        holder=busy.info.describe(),
        minutes=minutes,
    )


def _event_info(event: Event) -> dict[str, Any]:
    return {
        "key": event.key,
        "title": event.title,
        "start": event.start_utc,
        "end": event.end_utc,
        "timezone": event.timezone,
    }


def _display_name(filename: str) -> str:
    """The uploaded file's base name, reduced to harmless characters (it is shown back)."""
    base = re.split(r"[\\/]", filename)[-1]
    cleaned = re.sub(r"[^\w.\- ]", "_", base).strip() or "upload.csv"
    return cleaned[:120]
