"""The rehearsal page: the real Zoom App against the Apps SDK emulator, in an ordinary browser.

``GET /zoomapp/rehearsal`` exists only while the service runs against the built-in Zoom emulator
(``ORCHESTRATOR_ZOOM=emulator``) and only for a logged-in organiser. It makes up a meeting from the
store's registrants (most under their registered names, some with edited names, a few unregistered
guests, the host and a co-host; a few arrive late on a button press), starts the SDK emulator with it
and runs the unchanged app (same page, script and JSON API) with a token for a rehearsal meeting of
the event, which the API accepts only in emulator mode. What the app does is recorded like in a real
meeting (the console lists it), so organisers can watch a round being applied before the day.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.breakouts.queries import assignments_for_round
from orchestrator.db.models import Event
from orchestrator.i18n import N_, translate
from orchestrator.web.ui.errors import PageNotFound
from orchestrator.web.ui.principal import Principal, event_for, organiser
from orchestrator.web.ui.state import UiState, ui_state
from orchestrator.web.zoomapp import data
from orchestrator.web.zoomapp.labels import app_labels
from orchestrator.web.zoomapp.pages import app_language, render, zoom_app_headers
from orchestrator.web.zoomapp.tokens import AppTokenClaims, issue_app_token

if TYPE_CHECKING:
    from orchestrator.app import App

router = APIRouter()
State = Annotated[UiState, Depends(ui_state)]
Organiser = Annotated[Principal, Depends(organiser)]
EMULATOR_STATIC = Path(__file__).resolve().parents[2] / "zoom" / "emulator" / "static"
REHEARSAL_FILES = {"emulator.js": "zoomapp_sdk_emulator.js", "rehearsal.js": "zoomapp_rehearsal.js"}
# Signs rehearsal tokens when no Zoom App secret is configured (emulator mode only; new per process).
_PROCESS_SECRET = secrets.token_urlsafe(32)
HINT = N_(
    "Rehearse the Zoom App (breakout rooms for everyone, guests included): log in as an organiser and "
    "open {url} – the real app runs against an emulated Zoom meeting made up from the registrations."
)
LATE_JOINERS = 5


def rehearsal_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/zoomapp/rehearsal"


def rehearsal_hint(base_url: str, language: str = "de") -> str:
    """The demo's hint (German or English) naming the rehearsal page under ``base_url``."""
    return translate(HINT, language, url=rehearsal_url(base_url))


def is_emulated(rt: App) -> bool:
    return rt.settings.zoom == "emulator"


def rehearsal_meeting_uuid(event_id: int) -> str:
    """The made-up meeting UUID of an event's rehearsal (never a Zoom meeting UUID: those are base64)."""
    return f"rehearsal-event-{event_id}"


def token_secret(rt: App) -> str:
    """The key of the app's tokens: the Zoom App's client secret, else (emulator only) a process secret."""
    secret = rt.settings.zoom_app_client_secret
    if secret is not None and secret.get_secret_value():
        return secret.get_secret_value()
    return _PROCESS_SECRET if is_emulated(rt) else ""


def is_rehearsal(rt: App, claims: AppTokenClaims) -> bool:
    """Whether a token belongs to a rehearsal (accepted only while Zoom is emulated)."""
    return is_emulated(rt) and claims.meeting_uuid == rehearsal_meeting_uuid(claims.event_id)


def _edited(first: str, last: str, index: int) -> str:
    """Screen names people really use: some still fit their registration, some are only hints."""
    variants = (
        f"{last}, {first}",
        f"{first} {last[:1]}.",
        f"iPad von {first}",
        f"Dr. {first} {last}",
        first,
    )
    return variants[index % len(variants)]


def scenario(people: list[data.PersonInfo], plan: dict[int, str]) -> dict[str, Any]:
    """A made-up meeting for the round: who is there under which name, and who comes late."""
    participants: list[dict[str, str]] = [
        {"participantUUID": "{REHEARSAL-HOST}", "screenName": "Veranstaltung (Host)", "role": "host"},
        {"participantUUID": "{REHEARSAL-COHOST}", "screenName": "Technik (Co-Host)", "role": "coHost"},
    ]
    late: list[dict[str, str]] = []
    planned = [p for p in people if p.id in plan]
    for index, person in enumerate(planned):
        first, _sep, last = person.name.partition(" ")
        entry = {"participantUUID": f"{{R-{person.id:06d}}}", "role": "attendee"}
        if index % 29 == 7:
            continue  # registered, planned, absent
        if index % 10 == 3:
            entry["screenName"] = _edited(first, last or first, index // 10)
        else:
            entry["screenName"] = person.name
        (late if len(late) < LATE_JOINERS and index % 37 == 5 else participants).append(entry)
    for number in range(1, 4):
        participants.append(
            {"participantUUID": f"{{GUEST-{number}}}", "screenName": f"Gast {number}", "role": "attendee"}
        )
    return {"participants": participants, "late": late, "storageKey": None}


def _event(db: Session, principal: Principal, key: str | None) -> Event:
    if key:
        return event_for(db, principal, key)
    event = db.scalar(select(Event).order_by(Event.id.desc()).limit(1))
    if event is None:
        raise PageNotFound()
    return event


@router.get("/zoomapp/rehearsal")
def rehearsal_page(
    request: Request, state: State, principal: Organiser, event: str | None = None, round: int | None = None
) -> Response:
    """The app with the SDK emulator (emulator mode and organisers only; 404 otherwise)."""
    rt = state.runtime
    if not is_emulated(rt):
        raise PageNotFound()
    lang = app_language(request, state.default_language)
    now = rt.clock.now()
    with rt.sessions() as db:
        row = _event(db, principal, event)
        numbers = {r.number for r in row.rounds}
        number = round if round in numbers else data.default_round(row, now)
        if number is None:
            raise PageNotFound()
        plan = assignments_for_round(db, row.id, number)
        people = [
            data.PersonInfo(p.id, f"{p.first_name} {p.last_name}".strip(), p.organisation)
            for p in data.active_people(db, row.id)
        ]
        event_id, title = row.id, row.title
    token = issue_app_token(
        event_id=event_id,
        meeting_uuid=rehearsal_meeting_uuid(event_id),
        zoom_user_id=f"rehearsal:{principal.label or principal.role}"[:100],
        secret=token_secret(rt),
        now=now,
    )
    return render(
        "rehearsal.html",
        lang,
        token=token,
        event_title=title,
        round_number=number,
        labels=app_labels(lang),
        scenario=scenario(people, plan),
    )


@router.get("/zoomapp/rehearsal/{name}")
def rehearsal_file(name: str, request: Request, state: State) -> Response:
    """The SDK emulator and the rehearsal's starter script (emulator mode only)."""
    if not is_emulated(state.runtime) or name not in REHEARSAL_FILES:
        return zoom_app_headers(Response(status_code=404))
    response = FileResponse(
        EMULATOR_STATIC / REHEARSAL_FILES[name], media_type="text/javascript; charset=utf-8"
    )
    zoom_app_headers(response)
    response.headers["Cache-Control"] = "no-store"
    return response
