"""The organiser's breakouts page: the plan per round, re-plan, rebalance with a preview, exports.

Every action calls the breakout service the ``orchestrator breakouts ...`` commands call (plan,
export). A rebalance is shown first (a dry run: who would move), then applied by a second POST
that carries a fingerprint of the previewed moves: if the plan would now differ (someone
registered or was moved meanwhile), nothing is stored and the new preview is shown instead.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from orchestrator.breakouts import service
from orchestrator.breakouts.plan import PlanOptions
from orchestrator.breakouts.results import PlanReport
from orchestrator.db.models import Event
from orchestrator.errors import BadInput, OrchestratorError
from orchestrator.i18n import _, language
from orchestrator.web.ui.audit import record
from orchestrator.web.ui.csrf import checked_form
from orchestrator.web.ui.i18n_web import request_language
from orchestrator.web.ui.labels import PHASES, label
from orchestrator.web.ui.pages import flash, redirect, render, with_security_headers
from orchestrator.web.ui.principal import Principal, event_for, organiser
from orchestrator.web.ui.state import UiState, ui_state

router = APIRouter()
State = Annotated[UiState, Depends(ui_state)]
Organiser = Annotated[Principal, Depends(organiser)]
Form = Annotated[FormData, Depends(checked_form)]

EXPORTS = {
    "zoom-csv": "text/csv; charset=utf-8",
    "roster-html": "text/html; charset=utf-8",
    "roster-csv": "text/csv; charset=utf-8",
}


class PlanChanged(BadInput):
    """The rebalance would now move other people than the preview showed."""


def fingerprint(report: PlanReport) -> str:
    """A digest of who a (re)plan moves where, to confirm exactly what was previewed."""
    moves = sorted((m.round, m.email, m.before, m.after) for m in report.moved)
    removed = sorted((r.round, r.email, r.room) for r in report.removed)
    text = json.dumps([report.rounds, moves, removed], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _round_number(form: FormData) -> int | None:
    raw = str(form.get("round") or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 4 else None


def _page(
    key: str, request: Request, state: UiState, principal: Principal, preview: dict[str, Any] | None = None
) -> Response:
    rt = state.runtime
    with rt.sessions() as db:
        event = event_for(db, principal, key)
        event_info = {"key": event.key, "title": event.title, "timezone": event.timezone}
    with language(request_language(request, state.default_language)):
        overview = service.overview(rt.store, rt.clock, key)
    return render(
        request,
        state,
        "breakouts.html",
        principal=principal,
        timezone=event_info["timezone"],
        event=event_info,
        overview=overview,
        preview=preview,
        label=label,
        PHASES=PHASES,
    )


@router.get("/events/{key}/breakouts")
def breakouts_page(key: str, request: Request, state: State, principal: Organiser) -> Response:
    """Per round: rooms, seats taken and wishes met; re-plan, rebalance, exports."""
    return _page(key, request, state, principal)


def _audit(state: UiState, principal: Principal, action: str, expected: str | None = None) -> Any:
    def before_commit(db: Session, event: Event, report: PlanReport) -> None:
        if expected is not None and fingerprint(report) != expected:
            raise PlanChanged(
                _("The plan has changed since the preview; nothing was stored. Please check again.")
            )
        detail = {
            "rounds": report.rounds,
            "moved": len(report.moved),
            "placed_new": report.placed_new,
            "kept": report.kept,
        }
        record(db, principal, action, at=state.runtime.clock.now(), event=event, detail=detail)

    return before_commit


@router.post("/events/{key}/breakouts/plan")
def replan(key: str, request: Request, state: State, principal: Organiser, form: Form) -> Response:
    """Plan the upcoming rounds (or one): placed people stay, newcomers fill free seats."""
    rt = state.runtime
    with rt.sessions() as db:
        event_for(db, principal, key)
    options = PlanOptions(round_number=_round_number(form))
    with language(request_language(request, state.default_language)):
        try:
            report = service.plan(
                rt.store, rt.clock, key, options, before_commit=_audit(state, principal, "breakouts.plan")
            )
        except OrchestratorError as exc:
            flash(request, "error", exc.message, details=exc.details)
            return redirect(f"/events/{key}/breakouts")
        flash(request, "ok", _summary(report), details=_moves(report))
    return redirect(f"/events/{key}/breakouts")


@router.post("/events/{key}/breakouts/rebalance")
def rebalance(key: str, request: Request, state: State, principal: Organiser, form: Form) -> Response:
    """First POST: who would move (nothing stored). Second POST with ``confirm``: apply exactly that."""
    rt = state.runtime
    with rt.sessions() as db:
        event_for(db, principal, key)
    number = _round_number(form)
    options = PlanOptions(round_number=number, rebalance=True)
    expected = str(form.get("confirm") or "").strip()
    with language(request_language(request, state.default_language)):
        try:
            if not expected:
                report = service.plan(rt.store, rt.clock, key, options, dry_run=True)
                preview = {"report": report, "fingerprint": fingerprint(report), "round": number}
                return _page(key, request, state, principal, preview)
            report = service.plan(
                rt.store,
                rt.clock,
                key,
                options,
                before_commit=_audit(state, principal, "breakouts.rebalance", expected),
            )
        except PlanChanged as exc:
            report = service.plan(rt.store, rt.clock, key, options, dry_run=True)
            flash(request, "error", exc.message)
            preview = {"report": report, "fingerprint": fingerprint(report), "round": number}
            return _page(key, request, state, principal, preview)
        except OrchestratorError as exc:
            flash(request, "error", exc.message, details=exc.details)
            return redirect(f"/events/{key}/breakouts")
        flash(request, "ok", _summary(report), details=_moves(report))
    return redirect(f"/events/{key}/breakouts")


@router.get("/events/{key}/breakouts/export")
def export(key: str, request: Request, state: State, principal: Organiser) -> Response:
    """Zoom's pre-assignment CSV or the moderators' roster (HTML or CSV) of one round, as a download."""
    rt = state.runtime
    with rt.sessions() as db:
        event_for(db, principal, key)
    fmt = request.query_params.get("format", "")
    raw = request.query_params.get("round", "")
    with language(request_language(request, state.default_language)):
        try:
            if fmt not in EXPORTS or not raw.isdigit() or len(raw) > 3:
                raise BadInput(_("Unknown export; choose a round and a format on the page."))
            content = service.export_content(rt.store, key, int(raw), cast(service.ExportFormat, fmt))
        except OrchestratorError as exc:
            flash(request, "error", exc.message, details=exc.details)
            return redirect(f"/events/{key}/breakouts")
    exported = content.files[0]
    response = Response(exported.text.encode("utf-8"), media_type=EXPORTS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{exported.name}"'
    return with_security_headers(response)


def _summary(report: PlanReport) -> str:
    wishes = report.wishes
    return (
        _(
            "{people} people planned: {first}× 1st wish, {second}× 2nd, {third}× 3rd, {none}× no wish.",
            people=report.people,
            first=wishes.first,
            second=wishes.second,
            third=wishes.third,
            none=wishes.none,
        )
        + " "
        + _("{kept} placements kept, {new} new.", kept=report.kept, new=report.placed_new)
    )


def _moves(report: PlanReport) -> list[str]:
    lines = [
        _(
            "Round {round}: {name} moves from {before} to {after}.",
            round=m.round,
            name=m.name,
            before=m.before,
            after=m.after,
        )
        for m in report.moved
    ]
    if len(lines) > 9:
        lines = [*lines[:9], _("… and {count} more.", count=len(lines) - 9)]
    return lines
