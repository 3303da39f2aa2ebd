"""The organiser's mails page: every mail as the participant sees it, test mail, schedule, hold.

The page calls the mail service the ``orchestrator mail ...`` commands call (render, schedule,
hold/release). Previews never carry a real join link: the service replaces it by a placeholder.
The mail's HTML is shown in a sandboxed frame served by its own route with a strict policy
(no script, no form, nothing loaded but images), so a template cannot reach the page around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from orchestrator.db.models import Event, Person
from orchestrator.db.models.person import PersonStatus
from orchestrator.errors import OrchestratorError
from orchestrator.i18n import N_, _, language
from orchestrator.jobs.mail import mail_service
from orchestrator.mail.preview import MailPreview, PreviewRequest
from orchestrator.mail.render import MAIL_KINDS, Language
from orchestrator.mail.results import HoldResult, ScheduleLine
from orchestrator.web.ui.audit import actor_of, record
from orchestrator.web.ui.csrf import checked_form
from orchestrator.web.ui.i18n_web import request_language
from orchestrator.web.ui.labels import MAIL_STATES, PHASES, label, occasion_label
from orchestrator.web.ui.pages import flash, redirect, render, with_security_headers
from orchestrator.web.ui.principal import Principal, event_for, organiser
from orchestrator.web.ui.state import UiState, ui_state

router = APIRouter()
State = Annotated[UiState, Depends(ui_state)]
Organiser = Annotated[Principal, Depends(organiser)]
Form = Annotated[FormData, Depends(checked_form)]

LANGUAGES: tuple[Language, ...] = ("de", "en")
PEOPLE_CHOICES = 300  # people offered in the recipient list (any registered address can be typed)
# The mail's own document: images may load (a logo), nothing else; scripts and forms never run.
FRAME_POLICY = (
    "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; "
    "sandbox; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)
KIND_LABELS = {
    "confirmation": N_("Confirmation"),
    "reminder": N_("Reminders"),
    "breakout_room": N_("Breakout room mails"),
    "thank_you": N_("Thank-you"),
}


@dataclass(frozen=True)
class Selection:
    """Which mail the page shows: an occasion ("reminder:1d"), a language, optionally a person."""

    occasion: str
    lang: Language
    to: str

    @property
    def kind(self) -> str:
        head = self.occasion.partition(":")[0]
        return "breakout_room" if head == "breakout" else head

    def request(self) -> PreviewRequest:
        specific = self.occasion if ":" in self.occasion else None
        return PreviewRequest(self.kind, self.lang, self.to or None, hide_link=True, occasion=specific)

    def query(self, **extra: str) -> str:
        values = {"mail": self.occasion, "lang": self.lang, **({"to": self.to} if self.to else {}), **extra}
        return urlencode(values)


def _selection(values: Any, default_occasion: str) -> Selection:
    occasion = str(values.get("mail") or default_occasion).strip()[:40]
    lang: Language = "en" if values.get("lang") == "en" else "de"
    to = str(values.get("to") or "").strip()[:320]
    return Selection(occasion, lang, to)


def _offered(lines: tuple[ScheduleLine, ...]) -> list[ScheduleLine]:
    """The mails the agenda asks for (not the occasions it no longer has)."""
    return [line for line in lines if line.phase != "removed"]


@router.get("/events/{key}/mails")
def mails_page(key: str, request: Request, state: State, principal: Organiser) -> Response:
    """Preview (HTML, text, .ics), test mail, schedule with due times and deadlines, hold/release."""
    rt = state.runtime
    lang = request_language(request, state.default_language)
    with rt.sessions() as db:
        event = event_for(db, principal, key)
        event_info = {"key": event.key, "title": event.title, "timezone": event.timezone}
        people = db.execute(
            select(Person.email, Person.first_name, Person.last_name)
            .where(Person.event_id == event.id, Person.status == PersonStatus.ACTIVE)
            .order_by(Person.email)
            .limit(PEOPLE_CHOICES)
        ).all()
    service = mail_service(rt)
    with language(lang):
        schedule = service.schedule(key)
        offered = _offered(schedule.mails)
        selection = _selection(request.query_params, offered[0].occasion if offered else "confirmation")
        preview: MailPreview | None = None
        problem: str | None = None
        if offered:
            try:
                preview = service.render_mail(key, selection.request())
            except OrchestratorError as exc:
                problem = exc.message
        holds = {h.kind: h for h in service.holds(key)}
        kinds = [(kind, _(KIND_LABELS[kind])) for kind in MAIL_KINDS]
    return render(
        request,
        state,
        "mails.html",
        principal=principal,
        timezone=event_info["timezone"],
        event=event_info,
        schedule=schedule.mails,
        offered=offered,
        selection=selection,
        preview=preview,
        problem=problem,
        people=people,
        holds=holds,
        kinds=kinds,
        languages_offered=LANGUAGES,
        label=label,
        occasion_label=occasion_label,
        MAIL_STATES=MAIL_STATES,
        PHASES=PHASES,
    )


def _preview_for(key: str, request: Request, state: UiState, principal: Principal) -> MailPreview:
    with state.runtime.sessions() as db:
        event_for(db, principal, key)
    selection = _selection(request.query_params, "confirmation")
    with language(request_language(request, state.default_language)):
        return mail_service(state.runtime).render_mail(key, selection.request())


@router.get("/events/{key}/mails/preview.html")
def preview_html(key: str, request: Request, state: State, principal: Organiser) -> Response:
    """The mail's HTML part alone, for the page's sandboxed frame (no script, no real link)."""
    try:
        html = _preview_for(key, request, state, principal).html
    except OrchestratorError as exc:
        html = f"<p>{_escape(exc.message)}</p>"
    response = HTMLResponse(html)
    with_security_headers(response)
    response.headers["Content-Security-Policy"] = FRAME_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@router.get("/events/{key}/mails/preview.ics")
def preview_ics(key: str, request: Request, state: State, principal: Organiser) -> Response:
    """The calendar entry of the previewed mail as a download (placeholder link)."""
    preview = _preview_for(key, request, state, principal)
    if preview.ics is None:
        return redirect(f"/events/{key}/mails?{urlencode({'mail': preview.kind})}")
    name = f"{key}-{preview.kind}-{preview.language}.ics"
    response = Response(preview.ics, media_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return with_security_headers(response)


@router.post("/events/{key}/mails/test")
def send_test(key: str, request: Request, state: State, principal: Organiser, form: Form) -> Response:
    """Send the chosen mail with sample data to the logged-in organiser's own address."""
    rt = state.runtime
    selection = _selection(form, "confirmation")
    back = f"/events/{key}/mails?{selection.query()}#preview"
    with rt.sessions() as db:
        event_for(db, principal, key)
    with language(request_language(request, state.default_language)):
        if "@" not in principal.label:
            flash(request, "error", _("Your account has no e-mail address to send a test mail to."))
            return redirect(back)
        try:
            result = mail_service(rt).send_test(key, selection.request(), principal.label)
        except OrchestratorError as exc:
            flash(request, "error", _("The test mail was not sent: {reason}", reason=exc.message))
            return redirect(back)
        with rt.sessions() as db:
            event = event_for(db, principal, key)
            detail = {"kind": result.kind, "occasion": selection.occasion, "language": result.language}
            record(db, principal, "mail.test", at=rt.clock.now(), event=event, detail=detail)
            db.commit()
        flash(request, "ok", _("Test mail sent to {address}.", address=result.to))
    return redirect(back)


@router.post("/events/{key}/mails/hold")
def hold(key: str, request: Request, state: State, principal: Organiser, form: Form) -> Response:
    """Hold back one mail kind (``held=1``) or release it (``held=0``)."""
    rt = state.runtime
    kind = str(form.get("kind") or "")
    held = form.get("held") == "1"
    selection = _selection(form, "confirmation")
    with rt.sessions() as db:
        event_for(db, principal, key)

    def audit(db: Session, event: Event, result: HoldResult) -> None:
        action = "mail.hold" if held else "mail.release"
        detail = {"kind": result.kind, "changed": result.changed, "queued": result.queued}
        record(db, principal, action, at=rt.clock.now(), event=event, detail=detail)

    with language(request_language(request, state.default_language)):
        try:
            result = mail_service(rt).set_hold(key, kind, held=held, by=actor_of(principal), audit=audit)
        except OrchestratorError as exc:
            flash(request, "error", exc.message)
            return redirect(f"/events/{key}/mails?{selection.query()}#holds")
        if held:
            text = _(
                "{kind} mails are held: none is sent until released ({queued} queued).",
                kind=_(KIND_LABELS[result.kind]),
                queued=result.queued,
            )
        else:
            text = _(
                "{kind} mails are released: the next dispatch sends what is due ({queued} queued).",
                kind=_(KIND_LABELS[result.kind]),
                queued=result.queued,
            )
        flash(request, "ok", text)
    return redirect(f"/events/{key}/mails?{selection.query()}#holds")


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
