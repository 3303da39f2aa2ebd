"""Veranstaltungen: a new event (upload, sample, copy) and the agenda editor (form and text view).

All texts go through the agenda service (the validation of ``agenda check`` and the store update
of ``meeting setup``); nothing is stored while a problem remains.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

import yaml
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from starlette.datastructures import FormData, UploadFile

from orchestrator.agenda import AgendaError, AgendaProblem
from orchestrator.agenda.service import (
    MAX_AGENDA_BYTES,
    copied_text,
    create_event,
    current_source,
    decode_upload,
    save_agenda,
    versions,
)
from orchestrator.agenda.yamledit import EditUnsupported, set_values
from orchestrator.db.models import Event, ZoomMeeting
from orchestrator.demo import SAMPLE_AGENDA
from orchestrator.errors import BadInput
from orchestrator.i18n import _, language
from orchestrator.web.ui.agenda_form import build_groups, problems_by_field, submitted_changes, with_values
from orchestrator.web.ui.audit import actor_of, record
from orchestrator.web.ui.i18n_web import request_language
from orchestrator.web.ui.large_form import checked_large_form
from orchestrator.web.ui.pages import flash, redirect, render
from orchestrator.web.ui.principal import Principal, event_for, organiser
from orchestrator.web.ui.state import UiState, ui_state

router = APIRouter()
State = Annotated[UiState, Depends(ui_state)]
Organiser = Annotated[Principal, Depends(organiser)]
Form = Annotated[FormData, Depends(checked_large_form)]
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")


# --- a new event ---------------------------------------------------------------------------


@router.get("/new-event")
def new_event_page(request: Request, state: State, principal: Organiser) -> Response:
    """Create an event: upload an agenda file, start from the sample, or copy an earlier event."""
    return _new_event(request, state, principal)


def _new_event(
    request: Request,
    state: UiState,
    principal: Principal,
    *,
    form_name: str | None = None,
    problems: list[AgendaProblem] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    with state.runtime.sessions() as db:
        events = [{"key": e.key, "title": e.title} for e in db.scalars(select(Event).order_by(Event.key))]
    return render(
        request,
        state,
        "new_event.html",
        principal=principal,
        status_code=status_code,
        events=events,
        form_name=form_name,
        problems=problems or [],
        values=values or {},
        max_kb=MAX_AGENDA_BYTES // 1024,
    )


@router.post("/new-event/upload")
async def new_event_upload(request: Request, state: State, principal: Organiser, form: Form) -> Response:
    """A new event from an uploaded agenda file."""
    upload = form.get("file")
    lang = request_language(request, state.default_language)
    if not isinstance(upload, UploadFile) or not upload.filename:
        with language(lang):
            problem = AgendaProblem("", None, _("Please choose an agenda file (YAML)."))
        return _new_event(request, state, principal, form_name="upload", problems=[problem], status_code=422)
    raw = await upload.read(MAX_AGENDA_BYTES + 1)
    name = _display_name(upload.filename)
    with language(lang):
        try:
            text = decode_upload(raw, name)
        except AgendaError as error:
            return _new_event(
                request, state, principal, form_name="upload", problems=error.problems, status_code=422
            )
        return _create(request, state, principal, text, name, "upload", {})


@router.post("/new-event/sample")
def new_event_sample(request: Request, state: State, principal: Organiser, form: Form) -> Response:
    """A new event from the sample agenda, with its own key, title and date."""
    values = _fields(form, ("key", "title", "date"))
    lang = request_language(request, state.default_language)
    with language(lang):
        text = SAMPLE_AGENDA.read_text(encoding="utf-8")
        try:
            text = copied_text(
                text, key=values["key"], title=values["title"] or None, new_date=_date(values["date"])
            )
        except (EditUnsupported, ValueError) as error:
            return _refused(request, state, principal, "sample", values, error)
        return _create(request, state, principal, text, f"{values['key']}.yaml", "sample", values)


@router.post("/new-event/copy")
def new_event_copy(request: Request, state: State, principal: Organiser, form: Form) -> Response:
    """A new event as a copy of an earlier one: new key, new date, every time moved, rooms kept."""
    values = _fields(form, ("source", "key", "title", "date"))
    lang = request_language(request, state.default_language)
    with language(lang):
        with state.runtime.sessions() as db:
            source = db.scalar(select(Event).where(Event.key == values["source"]))
            if source is None:
                problem = AgendaProblem("", None, _("Please choose the event to copy."))
                return _new_event(
                    request,
                    state,
                    principal,
                    form_name="copy",
                    problems=[problem],
                    values=values,
                    status_code=422,
                )
            text = current_source(db, source).text
        try:
            text = copied_text(
                text, key=values["key"], title=values["title"] or None, new_date=_date(values["date"])
            )
        except (EditUnsupported, ValueError) as error:
            return _refused(request, state, principal, "copy", values, error)
        return _create(request, state, principal, text, f"{values['key']}.yaml", "copy", values)


def _refused(
    request: Request,
    state: UiState,
    principal: Principal,
    form_name: str,
    values: dict[str, str],
    error: Exception,
) -> Response:
    if isinstance(error, EditUnsupported):
        problem = AgendaProblem(error.path, None, error.message)
    else:
        problem = AgendaProblem("date", None, _("Please give the date as YYYY-MM-DD."))
    return _new_event(
        request, state, principal, form_name=form_name, problems=[problem], values=values, status_code=422
    )


def _create(
    request: Request,
    state: UiState,
    principal: Principal,
    text: str,
    name: str,
    form_name: str,
    values: dict[str, str],
) -> Response:
    rt = state.runtime
    now = rt.clock.now()
    with rt.sessions() as db:
        try:
            saved = create_event(
                db,
                text,
                name=name,
                saved_by=actor_of(principal),
                now=now,
                default_timezone=rt.settings.timezone,
            )
        except AgendaError as error:
            db.rollback()
            return _new_event(
                request,
                state,
                principal,
                form_name=form_name,
                problems=error.problems,
                values=values,
                status_code=422,
            )
        event = db.scalars(select(Event).where(Event.key == saved.event)).one()
        record(
            db, principal, "event.create", at=now, event=event, detail={"how": form_name, "key": event.key}
        )
        db.commit()
    flash(
        request,
        "ok",
        _("The event {key} was created. Check the agenda, then create the Zoom meeting.", key=saved.event),
        details=saved.warnings,
    )
    return redirect(f"/events/{saved.event}/agenda")


def _fields(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip()[:300] for name in names}


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _display_name(filename: str) -> str:
    base = re.split(r"[\\/]", filename)[-1]
    return (re.sub(r"[^\w.\- ]", "_", base).strip() or "agenda.yaml")[:120]


# --- the agenda editor ---------------------------------------------------------------------


@router.get("/events/{key}/agenda")
def agenda_page(key: str, request: Request, state: State, principal: Organiser) -> Response:
    """The agenda of an event: form for the common fields, the whole file as text, the versions."""
    with state.runtime.sessions() as db:
        event = event_for(db, principal, key)
        source = current_source(db, event)
    return _editor(request, state, principal, key, text=source.text, base=source.digest, origin=source.origin)


def _editor(  # noqa: PLR0913  keyword-only page parts, each with a default
    request: Request,
    state: UiState,
    principal: Principal,
    key: str,
    *,
    text: str,
    base: str,
    origin: str,
    problems: list[AgendaProblem] | None = None,
    form: FormData | None = None,
    status_code: int = 200,
) -> Response:
    rt = state.runtime
    with rt.sessions() as db:
        event = event_for(db, principal, key)
        history = [
            {"version": v.version, "at": v.saved_at, "by": v.saved_by, "changes": list(v.changes or [])}
            for v in versions(db, event)
        ]
        has_meeting = db.scalar(select(ZoomMeeting.id).where(ZoomMeeting.event_id == event.id)) is not None
        info = {"key": event.key, "title": event.title, "timezone": event.timezone}
    with language(request_language(request, state.default_language)):
        groups = build_groups(text)
    if form is not None:
        groups = with_values(groups, form)
    found = problems or []
    by_field, by_group = problems_by_field(groups, found)
    bad_lines = {p.line for p in found if p.line is not None}
    return render(
        request,
        state,
        "agenda.html",
        principal=principal,
        timezone=info["timezone"],
        status_code=status_code,
        event=info,
        page="agenda",
        groups=groups,
        text=text,
        lines=text.splitlines(),
        bad_lines=bad_lines,
        base=base,
        origin=origin,
        problems=found,
        by_field=by_field,
        by_group=by_group,
        history=history,
        has_meeting=has_meeting,
    )


@router.post("/events/{key}/agenda")
def agenda_save_form(key: str, request: Request, state: State, principal: Organiser, form: Form) -> Response:
    """Save the fields changed in the form: only their characters in the file change."""
    lang = request_language(request, state.default_language)
    return _save(request, state, principal, key, lang, form, from_form=True)


@router.post("/events/{key}/agenda/text")
def agenda_save_text(key: str, request: Request, state: State, principal: Organiser, form: Form) -> Response:
    """Save the whole file from the text view."""
    lang = request_language(request, state.default_language)
    return _save(request, state, principal, key, lang, form, from_form=False)


def _save(
    request: Request,
    state: UiState,
    principal: Principal,
    key: str,
    lang: str,
    form: FormData,
    *,
    from_form: bool,
) -> Response:
    rt = state.runtime
    base = str(form.get("base") or "")
    now = rt.clock.now()
    with language(lang):
        with rt.sessions() as db:
            event = event_for(db, principal, key)
            current = current_source(db, event)
        if from_form:
            try:
                text = set_values(current.text, submitted_changes(build_groups(current.text), form))
            except EditUnsupported as error:
                problem = AgendaProblem(error.path, None, error.message)
                return _editor(
                    request,
                    state,
                    principal,
                    key,
                    text=current.text,
                    base=base,
                    origin=current.origin,
                    problems=[problem],
                    form=form,
                    status_code=422,
                )
            except yaml.YAMLError:
                text = current.text
        else:
            text = str(form.get("source") or "").replace("\r\n", "\n")
            if "\r\n" in current.text:
                text = text.replace("\n", "\r\n")
        with rt.sessions() as db:
            event = event_for(db, principal, key)
            try:
                saved = save_agenda(
                    db,
                    event,
                    text,
                    base_digest=base or None,
                    saved_by=actor_of(principal),
                    now=now,
                    default_timezone=rt.settings.timezone,
                )
            except AgendaError as error:
                db.rollback()
                return _editor(
                    request,
                    state,
                    principal,
                    key,
                    text=text,
                    base=base,
                    origin=current.origin,
                    problems=error.problems,
                    form=form if from_form else None,
                    status_code=422,
                )
            except BadInput as error:
                db.rollback()
                flash(request, "error", error.message)
                return redirect(f"/events/{key}/agenda")
            if saved.changes:
                record(
                    db,
                    principal,
                    "agenda.save",
                    at=now,
                    event=event,
                    detail={"version": saved.version, "changes": saved.changes[:50]},
                )
            db.commit()
        if not saved.changes:
            flash(request, "info", _("Nothing was changed; the agenda was not saved again."))
        else:
            flash(
                request,
                "ok",
                _("Version {version} of the agenda was saved.", version=saved.version),
                details=[_("Changed: {fields}", fields=", ".join(saved.changes[:20])), *saved.warnings],
            )
    return redirect(f"/events/{key}/agenda")
