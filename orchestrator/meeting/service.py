"""The meeting use cases: set the event's Zoom meeting up from the agenda, and show it.

Idempotent meeting setup: intent stored before the Zoom call, result after.

- no meeting yet: record intent (a token also written into the meeting's agenda text), commit,
  then create. If the create answer is lost (timeout, 5xx, crash before our commit), the next
  run finds the meeting by that token instead of creating a second one.
- meeting exists and our settings hash is unchanged: zero Zoom write calls.
- agenda changed: exactly one PATCH.
- meeting deleted in Zoom: reported; only ``recreate=True`` makes a new one.
- registration form (agenda ``registration.questions``): read from Zoom, one PATCH only if it differs.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.agenda import Agenda, LoadedAgenda
from orchestrator.clock import Clock
from orchestrator.db.models import Event, ZoomMeeting
from orchestrator.db.models.zoom import MeetingState
from orchestrator.db.store import Store
from orchestrator.errors import BadInput, OperationFailed
from orchestrator.events import agenda_hash, agenda_of, resolve_event, upsert_event
from orchestrator.i18n import _
from orchestrator.meeting.body import intent_marker, meeting_body, settings_hash
from orchestrator.meeting.questions import registration_questions, same_questions
from orchestrator.zoom.errors import NotFound, ZoomError, ZoomTimeout, ZoomUnavailable
from orchestrator.zoom_audit import ZoomWriteContext

if TYPE_CHECKING:
    from orchestrator.zoom.client import ZoomClient

log = logging.getLogger(__name__)

Action = Literal["created", "adopted", "updated", "unchanged", "recreated"]


@dataclass
class SetupOutcome:
    """What ``setup_meeting`` did."""

    action: Action
    zoom_meeting_id: int
    registration_url: str | None
    start_time: datetime | None
    zoom_writes: int
    notes: list[str] = field(default_factory=list)


@dataclass
class MeetingSetup(ZoomWriteContext):
    """Collaborators for meeting setup. ``commit`` makes a step durable (intent before a call)."""

    commit: Callable[[], None]
    host_user: str = "me"


@dataclass(frozen=True)
class SetupResult:
    """What ``meeting setup`` did: the stored event, and the Zoom meeting brought in line."""

    event: str
    agenda_changed: bool
    action: Action
    zoom_meeting_id: int
    start_time: datetime | None
    registration_url: str | None
    zoom_writes: int
    notes: list[str]
    warnings: list[str]


@dataclass(frozen=True)
class MeetingStatus:
    """The event and its Zoom meeting as the store knows it, plus Zoom's live status."""

    event: str
    title: str
    start: datetime
    end: datetime
    timezone: str
    state: str
    zoom_meeting_id: int | None
    registration_url: str | None
    zoom_status: str | None


def run_setup(
    store: Store,
    zoom: ZoomClient,
    clock: Clock,
    loaded: LoadedAgenda,
    *,
    recreate: bool,
    default_host: str = "me",
    overwrite_browser_edits: bool = False,
) -> SetupResult:
    """Store the agenda and bring the Zoom meeting in line with it (the CLI, the demo, tests).

    ``default_host`` is the Zoom user who hosts the meeting unless the agenda names one. A file
    that differs from an agenda last saved in the browser is refused (nothing changes) unless
    ``overwrite_browser_edits``: the organiser's edits must not vanish under an old file.
    """
    registration_questions(loaded.agenda)  # an agenda Zoom's form cannot take is refused before storing it
    with store.session() as session:
        if not overwrite_browser_edits:
            refuse_overwriting_browser_edits(session, loaded)
        event, agenda_changed = upsert_event(session, loaded)
        session.commit()
        host = loaded.agenda.zoom.host_user or default_host
        ctx = MeetingSetup(session=session, zoom=zoom, clock=clock, commit=session.commit, host_user=host)
        outcome = setup_meeting(ctx, event, loaded.agenda, recreate=recreate)
        return SetupResult(
            event=event.key,
            agenda_changed=agenda_changed,
            action=outcome.action,
            zoom_meeting_id=outcome.zoom_meeting_id,
            start_time=outcome.start_time,
            registration_url=outcome.registration_url,
            zoom_writes=outcome.zoom_writes,
            notes=list(outcome.notes),
            warnings=list(loaded.warnings),
        )


BROWSER_SOURCE = "browser:"


def refuse_overwriting_browser_edits(session: Session, loaded: LoadedAgenda) -> None:
    """:class:`BadInput` when ``loaded`` (a file) would replace an agenda last saved in the browser."""
    if str(loaded.source).startswith(BROWSER_SOURCE):
        return
    event = session.scalar(select(Event).where(Event.key == loaded.agenda.key))
    if event is None or not event.agenda_source.startswith(BROWSER_SOURCE):
        return
    if event.agenda_hash == agenda_hash(loaded.agenda):
        return
    raise BadInput(
        _(
            "The agenda of {key} was last changed in the browser ({version}); the file {file} differs and "
            "would overwrite those changes. Copy the text from the agenda page's text view into the file, "
            "or run again with --overwrite-browser-edits.",
            key=event.key,
            version=event.agenda_source.removeprefix(BROWSER_SOURCE),
            file=str(loaded.source),
        )
    )


def meeting_status(store: Store, zoom: ZoomClient, event_key: str | None) -> MeetingStatus:
    """The event's meeting from the store, and its status in Zoom ("deleted", or why unknown)."""
    with store.session() as session:
        event = resolve_event(session, event_key)
        agenda = agenda_of(event)
        meeting = session.scalar(select(ZoomMeeting).where(ZoomMeeting.event_id == event.id))
        return MeetingStatus(
            event=event.key,
            title=event.title,
            start=event.start_utc.astimezone(agenda.tz),
            end=event.end_utc.astimezone(agenda.tz),
            timezone=event.timezone,
            state=meeting.state if meeting else "none",
            zoom_meeting_id=meeting.zoom_meeting_id if meeting else None,
            registration_url=meeting.registration_url if meeting else None,
            zoom_status=_live_status(zoom, meeting),
        )


def _live_status(zoom: ZoomClient, meeting: ZoomMeeting | None) -> str | None:
    if meeting is None or not meeting.zoom_meeting_id:
        return None
    try:
        status = zoom.get_meeting(meeting.zoom_meeting_id).get("status")
    except NotFound:
        return "deleted"
    except ZoomError as exc:
        return f"unknown ({exc.message})"
    return None if status is None else str(status)


def setup_meeting(ctx: MeetingSetup, event: Event, agenda: Agenda, *, recreate: bool = False) -> SetupOutcome:
    """Bring the event's Zoom meeting, and its registration form, in line with ``agenda``."""
    questions = registration_questions(agenda)  # refuses a bad agenda before any Zoom call
    outcome = _setup_meeting_itself(ctx, event, agenda, recreate=recreate)
    if questions is not None:
        outcome.zoom_writes += _sync_questions(ctx, event, outcome.zoom_meeting_id, questions)
    return outcome


def _sync_questions(ctx: MeetingSetup, event: Event, zoom_meeting_id: int, wanted: dict[str, Any]) -> int:
    """Make Zoom's registration form ``wanted``: one read, and one PATCH only if it differs.

    No hash is stored for the form: Zoom's own answer is the reference, so a form edited by hand in
    Zoom is put back too. Returns the number of Zoom writes (0 or 1).
    """
    path = "/meetings/{meetingId}/registrants/questions"
    try:
        current = ctx.zoom.get_registration_questions(zoom_meeting_id)
    except ZoomError as exc:
        raise OperationFailed(
            _("Could not read the meeting's registration questions from Zoom: {reason}", reason=exc.message)
        ) from exc
    if same_questions(current, wanted):
        return 0
    try:
        ctx.zoom.update_registration_questions(zoom_meeting_id, wanted)
    except ZoomError as exc:
        ctx.audit(event, "update_registration_questions", "PATCH", path, exc.status, "failed", error=exc)
        ctx.commit()
        raise OperationFailed(
            _("Zoom refused to update the registration questions: {reason}", reason=exc.message)
        ) from exc
    ctx.audit(
        event,
        "update_registration_questions",
        "PATCH",
        path,
        204,
        "ok",
        {"zoom_meeting_id": zoom_meeting_id, "custom_questions": len(wanted["custom_questions"])},
    )
    ctx.commit()
    return 1


def _setup_meeting_itself(ctx: MeetingSetup, event: Event, agenda: Agenda, *, recreate: bool) -> SetupOutcome:
    meeting = ctx.session.scalar(select(ZoomMeeting).where(ZoomMeeting.event_id == event.id))
    if meeting is None:
        meeting = ZoomMeeting(
            event_id=event.id,
            state=MeetingState.CREATING,
            intent_token=uuid.uuid4().hex,
            host_user=ctx.host_user,
        )
        ctx.session.add(meeting)
        ctx.commit()  # intent is durable before Zoom hears of it
        return _create(ctx, event, agenda, meeting, "created")

    if meeting.state == MeetingState.CREATING:
        found = _find_by_marker(ctx, agenda, meeting)
        if found is not None:
            _adopt(ctx, meeting, found, agenda)
            ctx.audit(
                event,
                "adopt_meeting",
                "GET",
                "/users/{userId}/meetings",
                200,
                "adopted",
                {"zoom_meeting_id": meeting.zoom_meeting_id},
            )
            ctx.commit()
            outcome = _update_if_changed(ctx, event, agenda, meeting, "adopted")
            outcome.notes.insert(
                0, _("An earlier run had created the meeting but was interrupted; it was adopted.")
            )
            return outcome
        return _create(ctx, event, agenda, meeting, "created")

    if meeting.state == MeetingState.MISSING and not recreate:
        raise OperationFailed(_missing_message(meeting))

    if meeting.state == MeetingState.ACTIVE:
        assert meeting.zoom_meeting_id is not None
        try:
            current = ctx.zoom.get_meeting(meeting.zoom_meeting_id)
        except NotFound:
            meeting.state = MeetingState.MISSING
            ctx.audit(event, "check_meeting", "GET", "/meetings/{meetingId}", 404, "missing")
            ctx.commit()
            if not recreate:
                raise OperationFailed(_missing_message(meeting)) from None
        else:
            meeting.last_checked_at = ctx.clock.now()
            _remember(meeting, current)
            return _update_if_changed(ctx, event, agenda, meeting, "unchanged")

    # Recreate: a fresh intent token so the old (deleted) meeting's marker cannot match.
    meeting.intent_token = uuid.uuid4().hex
    meeting.zoom_meeting_id = None
    meeting.settings_hash = None
    meeting.state = MeetingState.CREATING
    ctx.commit()
    return _create(ctx, event, agenda, meeting, "recreated")


def _missing_message(meeting: ZoomMeeting) -> str:
    return _(
        "The Zoom meeting {meeting_id} no longer exists in Zoom (deleted there?). "
        "Run 'orchestrator meeting setup AGENDA --recreate' to create a new one; "
        "registrants will then have to be registered again.",
        meeting_id=meeting.zoom_meeting_id,
    )


def _create(
    ctx: MeetingSetup, event: Event, agenda: Agenda, meeting: ZoomMeeting, action: Action
) -> SetupOutcome:
    body = meeting_body(agenda, meeting.intent_token)
    try:
        created = ctx.zoom.create_meeting(meeting.host_user, body)
    except (ZoomTimeout, ZoomUnavailable) as exc:
        # Ambiguous: Zoom may have created it. Look before anyone tries again.
        found = _find_by_marker(ctx, agenda, meeting)
        if found is None:
            ctx.audit(event, "create_meeting", "POST", "/users/{userId}/meetings", None, "unknown", error=exc)
            ctx.commit()
            raise OperationFailed(
                _(
                    "Zoom did not answer the request to create the meeting ({reason}). "
                    "Nothing was created; please run the command again.",
                    reason=exc.message,
                )
            ) from exc
        created = found
    except ZoomError as exc:
        ctx.audit(
            event, "create_meeting", "POST", "/users/{userId}/meetings", exc.status, "failed", error=exc
        )
        ctx.commit()
        raise OperationFailed(_("Zoom refused to create the meeting: {reason}", reason=exc.message)) from exc
    _adopt(ctx, meeting, created, agenda)
    ctx.audit(
        event,
        "create_meeting",
        "POST",
        "/users/{userId}/meetings",
        201,
        "ok",
        {"zoom_meeting_id": meeting.zoom_meeting_id},
    )
    ctx.commit()
    assert meeting.zoom_meeting_id is not None
    return SetupOutcome(action, meeting.zoom_meeting_id, meeting.registration_url, meeting.start_time, 1)


def _patch_body(agenda: Agenda, meeting: ZoomMeeting) -> dict[str, Any]:
    return meeting_body(agenda, meeting.intent_token, include_breakouts_enable=False)


def _adopt(ctx: MeetingSetup, meeting: ZoomMeeting, zoom_meeting: dict[str, Any], agenda: Agenda) -> None:
    meeting.zoom_meeting_id = int(zoom_meeting["id"])
    meeting.state = MeetingState.ACTIVE
    meeting.last_checked_at = ctx.clock.now()
    _remember(meeting, zoom_meeting)
    # The hash is set only when the meeting was made from *this* agenda; an adopted meeting
    # from an older agenda gets compared (and patched) right after.
    if _created_from(zoom_meeting, agenda, meeting):
        meeting.settings_hash = settings_hash(_patch_body(agenda, meeting))


def _created_from(zoom_meeting: dict[str, Any], agenda: Agenda, meeting: ZoomMeeting) -> bool:
    return (
        str(zoom_meeting.get("agenda", "")) == meeting_body(agenda, meeting.intent_token)["agenda"]
        and zoom_meeting.get("topic") == meeting_body(agenda, meeting.intent_token)["topic"]
        and zoom_meeting.get("duration") == agenda.duration_minutes
    )


def _remember(meeting: ZoomMeeting, zoom_meeting: dict[str, Any]) -> None:
    meeting.registration_url = zoom_meeting.get("registration_url") or meeting.registration_url
    start = zoom_meeting.get("start_time")
    if isinstance(start, str) and start:
        meeting.start_time = datetime.fromisoformat(start.replace("Z", "+00:00"))


def _update_if_changed(
    ctx: MeetingSetup, event: Event, agenda: Agenda, meeting: ZoomMeeting, unchanged_action: Action
) -> SetupOutcome:
    assert meeting.zoom_meeting_id is not None
    body = _patch_body(agenda, meeting)
    digest = settings_hash(body)
    if meeting.settings_hash == digest:
        ctx.commit()
        return SetupOutcome(
            unchanged_action, meeting.zoom_meeting_id, meeting.registration_url, meeting.start_time, 0
        )
    try:
        ctx.zoom.update_meeting(meeting.zoom_meeting_id, body)
    except ZoomError as exc:
        ctx.audit(event, "update_meeting", "PATCH", "/meetings/{meetingId}", exc.status, "failed", error=exc)
        ctx.commit()
        raise OperationFailed(_("Zoom refused to update the meeting: {reason}", reason=exc.message)) from exc
    meeting.settings_hash = digest
    meeting.start_time = agenda.start_utc
    ctx.audit(
        event,
        "update_meeting",
        "PATCH",
        "/meetings/{meetingId}",
        204,
        "ok",
        {"zoom_meeting_id": meeting.zoom_meeting_id, "fields": sorted(body)},
    )
    ctx.commit()
    action: Action = "updated" if unchanged_action == "unchanged" else unchanged_action
    return SetupOutcome(action, meeting.zoom_meeting_id, meeting.registration_url, meeting.start_time, 1)


def _find_by_marker(ctx: MeetingSetup, agenda: Agenda, meeting: ZoomMeeting) -> dict[str, Any] | None:
    """Look through the host's scheduled meetings for the one carrying our intent token."""
    marker = intent_marker(agenda.key, meeting.intent_token)
    try:
        for listed in ctx.zoom.iter_meetings(meeting.host_user, type="scheduled"):
            # The list view may truncate the agenda text; confirm with a full read.
            if (
                marker in str(listed.get("agenda", ""))
                or listed.get("topic") == meeting_body(agenda, meeting.intent_token)["topic"]
            ):
                full = ctx.zoom.get_meeting(int(listed["id"]))
                if marker in str(full.get("agenda", "")):
                    return full
    except ZoomError as exc:
        raise OperationFailed(
            _(
                "Could not check in Zoom whether the meeting already exists: {reason}. "
                "Please run the command again.",
                reason=exc.message,
            )
        ) from exc
    return None
