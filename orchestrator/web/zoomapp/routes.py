"""The host's Zoom App: the Home URL ``GET /zoomapp/`` and its JSON API under ``/zoomapp/api/``.

The Home URL checks ``X-Zoom-App-Context`` (the meeting must be one of ours, the user its host or
an allowed Zoom user) and hands the page a short-lived token; every JSON call carries that token in
``X-App-Token``. No cookie is involved, so a cross-site request cannot make these calls (CSRF-safe).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field, ValidationError

from orchestrator.breakouts.queries import assignments_for_round
from orchestrator.db.models import Event
from orchestrator.i18n import N_, language, translate
from orchestrator.live.matching import LiveParticipant, match_participants
from orchestrator.results import to_jsonable
from orchestrator.web.zoomapp import data
from orchestrator.web.zoomapp.labels import app_labels
from orchestrator.web.zoomapp.moves import ZoomMove, record_zoom_moves
from orchestrator.web.zoomapp.pages import app_language, json_answer, json_error, render, zoom_app_headers
from orchestrator.web.zoomapp.rehearsal import is_rehearsal, token_secret
from orchestrator.web.zoomapp.rehearsal import router as rehearsal_router
from orchestrator.web.zoomapp.tokens import (
    TOKEN_HEADER,
    AppTokenClaims,
    AppTokenRefused,
    TokenRefusal,
    issue_app_token,
    verify_app_token,
)
from orchestrator.zoom.app_context import (
    HEADER_NAME,
    AppContextRefused,
    RefusalReason,
    require_allowed_user,
    verify_app_context,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from orchestrator.app import App

router = APIRouter()
router.include_router(rehearsal_router)
M = TypeVar("M", bound=BaseModel)
STATIC_DIR = Path(__file__).parent / "static"
STATIC_FILES = {
    "zoomapp.js": "text/javascript; charset=utf-8",
    "zoomapp.css": "text/css; charset=utf-8",
}
# Requests the client cannot have meant; everything else (stale, wrong app, not allowed) is 403.
BAD_REQUEST_REASONS = {RefusalReason.MISSING, RefusalReason.MALFORMED, RefusalReason.NOT_IN_MEETING}
DISABLED_TEXT = N_(
    "The Zoom App is not set up on this server: ORCHESTRATOR_ZOOM_APP_CLIENT_SECRET is not configured."
)
NO_ROUND_TEXT = N_("The event has no breakout round {number}.")
UNKNOWN_PERSON_TEXT = N_("There is no such registered person in this event.")
BAD_BODY_TEXT = N_("The app sent a request the server cannot read. Please reload the app.")
MAX_PARTICIPANTS = 1000  # Zoom's meeting capacity for our plans; bounds the matching work
MAX_ACTIONS = 500


def _runtime(request: Request) -> App:
    runtime: App = request.app.state.ui.runtime
    return runtime


def _secret(rt: App) -> str:
    secret = rt.settings.zoom_app_client_secret
    return secret.get_secret_value() if secret is not None else ""


def allowed_users(rt: App) -> set[str]:
    """``ORCHESTRATOR_ZOOM_APP_ALLOWED_USERS`` as a set of Zoom user ids."""
    return {item.strip() for item in rt.settings.zoom_app_allowed_users.split(",") if item.strip()}


@router.get("/zoomapp/static/{name}")
def static_file(name: str) -> Response:
    """The app's script and stylesheet (no data in them, so no token needed)."""
    if name not in STATIC_FILES:
        return zoom_app_headers(Response(status_code=404))
    response = FileResponse(STATIC_DIR / name, media_type=STATIC_FILES[name])
    zoom_app_headers(response)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@router.get("/zoomapp/")
def home(request: Request) -> Response:
    """The Home URL Zoom opens in the host's client: the app page, or a page saying why not."""
    rt = _runtime(request)
    lang = app_language(request, rt.settings.language)
    secret = _secret(rt)
    if not secret:
        return render("refused.html", lang, status_code=503, message=translate(DISABLED_TEXT, lang))
    now = rt.clock.now()
    found: dict[str, data.KnownMeeting] = {}

    def is_known(meeting_uuid: str) -> bool:
        with rt.sessions() as session:
            meeting = data.find_meeting(session, meeting_uuid)
        if meeting is not None:
            found["meeting"] = meeting
        return meeting is not None

    try:
        context = verify_app_context(
            request.headers.get(HEADER_NAME),
            client_secret=secret,
            now=now,
            is_known_meeting=is_known,
            client_id=rt.settings.zoom_app_client_id or None,
        )
        meeting = found["meeting"]
        require_allowed_user(
            context, host_user_ids=data.host_user_ids(meeting), allowed_user_ids=allowed_users(rt)
        )
    except AppContextRefused as refused:
        status = 400 if refused.reason in BAD_REQUEST_REASONS else 403
        with language(lang):
            message = refused.message()
        return render("refused.html", lang, status_code=status, message=message, reason=refused.reason.value)
    token = issue_app_token(
        event_id=meeting.event_id,
        meeting_uuid=meeting.meeting_uuid,
        zoom_user_id=context.uid,
        secret=secret,
        now=now,
    )
    with rt.sessions() as session:
        event = session.get(Event, meeting.event_id)
        assert event is not None
        first_round = data.default_round(event, now)
        title = event.title
    return render(
        "app.html",
        lang,
        token=token,
        event_title=title,
        round_number=first_round or 0,
        labels=app_labels(lang),
    )


# --- JSON API -------------------------------------------------------------------------------------


def _claims(request: Request, rt: App) -> AppTokenClaims:
    return verify_app_token(request.headers.get(TOKEN_HEADER), secret=token_secret(rt), now=rt.clock.now())


def _guarded(request: Request) -> tuple[App, AppTokenClaims, str] | Response:
    rt = _runtime(request)
    lang = app_language(request, rt.settings.language)
    # Without the app's secret only rehearsal tokens (emulator mode) are good; everything else: disabled.
    configured = bool(_secret(rt))
    disabled = json_error(translate(DISABLED_TEXT, lang), 503, "disabled")
    if not token_secret(rt):
        return disabled
    try:
        claims = _claims(request, rt)
    except AppTokenRefused as refused:
        if not configured:
            return disabled
        with language(lang):
            return json_error(refused.message(), 401, refused.reason.value)
    if is_rehearsal(rt, claims):
        return rt, claims, lang
    if not configured:
        return disabled
    with rt.sessions() as session:
        meeting = data.find_meeting(session, claims.meeting_uuid)
    if meeting is None or meeting.event_id != claims.event_id:
        with language(lang):
            return json_error(AppTokenRefused(TokenRefusal.WRONG_MEETING).message(), 401, "wrong_meeting")
    return rt, claims, lang


async def _guarded_body(request: Request, model: type[M]) -> tuple[App, AppTokenClaims, str, M] | Response:
    """:func:`_guarded`, then the JSON body read as ``model`` (400 when it does not fit)."""
    guarded = _guarded(request)
    if isinstance(guarded, Response):
        return guarded
    rt, claims, lang = guarded
    try:
        return rt, claims, lang, model.model_validate_json(await request.body())
    except ValidationError:
        return json_error(translate(BAD_BODY_TEXT, lang), 400, "bad_request")


def _unknown_round(session: Session, event_id: int, number: int, lang: str) -> Response | None:
    """The 404 answer when the event has no breakout round ``number`` (else ``None``)."""
    event = session.get(Event, event_id)
    assert event is not None
    if number in {r.number for r in event.rounds}:
        return None
    return json_error(translate(NO_ROUND_TEXT, lang, number=number), 404, "no_round")


@router.get("/zoomapp/api/state")
def api_state(request: Request, round: int | None = None) -> Response:
    """The round's rooms and plan (person id → room) and the people (id, name, organisation)."""
    guarded = _guarded(request)
    if isinstance(guarded, Response):
        return guarded
    rt, claims, lang = guarded
    with rt.sessions() as session:
        number = round
        if number is None:
            event = session.get(Event, claims.event_id)
            assert event is not None
            number = data.default_round(event, rt.clock.now())
        state = data.round_state(session, claims.event_id, number or 0, claims.meeting_uuid)
    if state is None:
        return json_error(translate(NO_ROUND_TEXT, lang, number=number), 404, "no_round")
    return json_answer(to_jsonable(state))


class SdkParticipant(BaseModel):
    participantUUID: Annotated[str, Field(min_length=1, max_length=100)]
    screenName: Annotated[str, Field(max_length=300)] = ""
    role: Annotated[str, Field(max_length=40)] = "attendee"


class SdkRoom(BaseModel):
    name: Annotated[str, Field(max_length=200)]
    participants: Annotated[
        list[Annotated[str, Field(max_length=100)]], Field(max_length=MAX_PARTICIPANTS)
    ] = []


class MatchRequest(BaseModel):
    round: int
    participants: Annotated[list[SdkParticipant], Field(max_length=MAX_PARTICIPANTS)]
    rooms: Annotated[list[SdkRoom], Field(max_length=100)] = []


@router.post("/zoomapp/api/match")
async def api_match(request: Request) -> Response:
    """Who is who, and the assignments still to make, given the SDK's participants and room members."""
    guarded = await _guarded_body(request, MatchRequest)
    if isinstance(guarded, Response):
        return guarded
    rt, claims, lang, body = guarded
    with rt.sessions() as session:
        if (unknown := _unknown_round(session, claims.event_id, body.round, lang)) is not None:
            return unknown
        plan = assignments_for_round(session, claims.event_id, body.round)
        people = data.registered_people(session, claims.event_id, claims.meeting_uuid)
        choices = data.host_choices(session, claims.event_id, claims.meeting_uuid)
    report = match_participants(
        [LiveParticipant(p.participantUUID, p.screenName, p.role) for p in body.participants],
        people,
        plan,
        choices,
        {room.name: room.participants for room in body.rooms},
    )
    return json_answer(to_jsonable(report))


class ActionEntry(BaseModel):
    action: Annotated[str, Field(pattern=r"^[a-z_]{1,40}$")]
    sdk_function: Annotated[str, Field(pattern=r"^[A-Za-z]{1,60}$")]
    outcome: Literal["ok", "failed"]
    round: int | None = None
    participant_uuid: Annotated[str, Field(max_length=100)] | None = None
    person_id: int | None = None
    room: Annotated[str, Field(max_length=200)] | None = None
    count: int | None = None
    error: Annotated[str, Field(max_length=500)] | None = None


class ActionsRequest(BaseModel):
    entries: Annotated[list[ActionEntry], Field(min_length=1, max_length=MAX_ACTIONS)]


def _action_detail(entry: ActionEntry, claims: AppTokenClaims) -> dict[str, Any]:
    detail: dict[str, Any] = {"zoom_user": claims.zoom_user_id, "meeting_uuid": claims.meeting_uuid}
    for name in ("round", "participant_uuid", "person_id", "room", "count"):
        value = getattr(entry, name)
        if value is not None:
            detail[name] = value
    return detail


@router.post("/zoomapp/api/actions")
async def api_actions(request: Request) -> Response:
    """Record what the app did in Zoom (who, what, when) in the Zoom audit log."""
    guarded = await _guarded_body(request, ActionsRequest)
    if isinstance(guarded, Response):
        return guarded
    rt, claims, _lang, body = guarded
    now = rt.clock.now()
    with rt.sessions() as session:
        for entry in body.entries:
            action = data.AppAction(
                action=data.ACTION_PREFIX + entry.action,
                sdk_function=entry.sdk_function,
                outcome=entry.outcome,
                detail=_action_detail(entry, claims),
                message=entry.error,
            )
            data.record(session, claims.event_id, action, now)
        session.commit()
    return json_answer({"recorded": len(body.entries)})


class ChoiceRequest(BaseModel):
    participant_uuid: Annotated[str, Field(min_length=1, max_length=100)]
    choice: int | Literal["own_room"] | None


@router.post("/zoomapp/api/choice")
async def api_choice(request: Request) -> Response:
    """Remember the host's decision for one participant: a person, "own room", or none (cleared)."""
    guarded = await _guarded_body(request, ChoiceRequest)
    if isinstance(guarded, Response):
        return guarded
    rt, claims, lang, body = guarded
    with rt.sessions() as session:
        if isinstance(body.choice, int) and not data.person_exists(session, claims.event_id, body.choice):
            return json_error(translate(UNKNOWN_PERSON_TEXT, lang), 404, "unknown_person")
        choice = data.AppAction(
            action=data.CHOICE_ACTION,
            sdk_function="none",
            outcome="ok",
            detail={
                "zoom_user": claims.zoom_user_id,
                "meeting_uuid": claims.meeting_uuid,
                "participant_uuid": body.participant_uuid,
                "choice": body.choice,
            },
        )
        data.record(session, claims.event_id, choice, rt.clock.now())
        session.commit()
        choices = data.host_choices(session, claims.event_id, claims.meeting_uuid)
    return json_answer({"choices": choices})


@router.get("/zoomapp/api/version")
def api_version(request: Request, round: int | None = None) -> Response:
    """The round's plan fingerprint: the app polls it (every ~2 s) to pick up the console's moves."""
    # ``round`` is optional in the signature so that a request without a token is refused by the
    # guard (401/503), never answered by FastAPI's own 422 before any check.
    guarded = _guarded(request)
    if isinstance(guarded, Response):
        return guarded
    rt, claims, lang = guarded
    if round is None:
        return json_error(translate(BAD_BODY_TEXT, lang), 400, "bad_request")
    with rt.sessions() as session:
        if (unknown := _unknown_round(session, claims.event_id, round, lang)) is not None:
            return unknown
        plan = assignments_for_round(session, claims.event_id, round)
    return json_answer({"round": round, "plan_version": data.plan_digest(plan)})


class ZoomMoveEntry(BaseModel):
    participant_uuid: Annotated[str, Field(min_length=1, max_length=100)]
    person_id: int | None = None
    from_room: Annotated[str, Field(max_length=200)] | None = None
    to_room: Annotated[str, Field(max_length=200)] | None = None


class ZoomMovesRequest(BaseModel):
    round: int
    moves: Annotated[list[ZoomMoveEntry], Field(min_length=1, max_length=MAX_ACTIONS)]


@router.post("/zoomapp/api/zoom-moves")
async def api_zoom_moves(request: Request) -> Response:
    """Moves the host made in Zoom's breakout window: recorded, and the plan follows identified people."""
    guarded = await _guarded_body(request, ZoomMovesRequest)
    if isinstance(guarded, Response):
        return guarded
    rt, claims, lang, body = guarded
    with rt.sessions() as session:
        if (unknown := _unknown_round(session, claims.event_id, body.round, lang)) is not None:
            return unknown
        event = session.get(Event, claims.event_id)
        assert event is not None
        outcome = record_zoom_moves(
            session,
            event,
            body.round,
            [ZoomMove(m.participant_uuid, m.person_id, m.from_room, m.to_room) for m in body.moves],
            zoom_user=claims.zoom_user_id,
            meeting_uuid=claims.meeting_uuid,
            now=rt.clock.now(),
        )
        session.commit()
        plan = assignments_for_round(session, claims.event_id, body.round)
    return json_answer({**to_jsonable(outcome), "plan_version": data.plan_digest(plan)})
