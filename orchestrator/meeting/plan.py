"""What ``meeting setup`` would do, computed without changing anything (``--dry-run``, the Zoom page).

The plan follows the decisions of :func:`orchestrator.meeting.service.setup_meeting` step by step,
but only reads: the store, the meeting in Zoom and its registration form. Nothing is stored and
no Zoom write is made, so showing the plan twice is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from orchestrator.agenda import LoadedAgenda
from orchestrator.db.models import Event, ZoomMeeting
from orchestrator.db.models.zoom import MeetingState
from orchestrator.db.store import Store
from orchestrator.errors import OperationFailed
from orchestrator.events import agenda_hash
from orchestrator.i18n import _
from orchestrator.meeting.body import meeting_body, settings_hash
from orchestrator.meeting.questions import registration_questions, same_questions
from orchestrator.zoom.errors import NotFound, ZoomError

if TYPE_CHECKING:
    from orchestrator.zoom.client import ZoomClient

PlanAction = Literal["create", "resume", "update", "unchanged", "missing", "recreate"]


@dataclass(frozen=True)
class SetupPlan:
    """What a setup would send to Zoom.

    ``action``: ``create`` (no meeting yet), ``resume`` (an interrupted create is looked for and
    adopted or made), ``update`` (one PATCH of ``fields``), ``unchanged`` (no meeting write),
    ``missing`` (deleted in Zoom; only a recreate helps), ``recreate``.
    """

    event: str
    action: PlanAction
    agenda_changed: bool
    zoom_meeting_id: int | None
    registration_url: str | None
    fields: list[str] = field(default_factory=list)
    questions_change: bool = False

    @property
    def zoom_writes(self) -> int:
        """How many Zoom writes the setup would make (0: nothing to send)."""
        writes = {"create": 1, "resume": 1, "update": 1, "recreate": 1}.get(self.action, 0)
        return writes + (1 if self.questions_change else 0)

    @property
    def nothing_to_send(self) -> bool:
        return self.action == "unchanged" and not self.questions_change


def plan_setup(store: Store, zoom: ZoomClient, loaded: LoadedAgenda, *, recreate: bool) -> SetupPlan:
    """The plan of ``run_setup(store, zoom, clock, loaded, recreate=recreate)``; reads only."""
    agenda = loaded.agenda
    wanted_questions = registration_questions(agenda)
    with store.session() as session:
        event = session.scalar(select(Event).where(Event.key == agenda.key))
        agenda_changed = event is None or event.agenda_hash != agenda_hash(agenda)
        meeting = (
            session.scalar(select(ZoomMeeting).where(ZoomMeeting.event_id == event.id))
            if event is not None
            else None
        )
        if meeting is not None:
            session.expunge(meeting)  # read only: a plain copy of the row, never written back
    key = agenda.key
    questions = wanted_questions is not None
    if meeting is None:
        return SetupPlan(key, "create", agenda_changed, None, None, questions_change=questions)
    url = meeting.registration_url
    if meeting.state == MeetingState.CREATING:
        return SetupPlan(key, "resume", agenda_changed, None, url, questions_change=questions)
    if meeting.state == MeetingState.MISSING:
        action: PlanAction = "recreate" if recreate else "missing"
        return SetupPlan(key, action, agenda_changed, meeting.zoom_meeting_id, url, [], questions)
    assert meeting.zoom_meeting_id is not None
    try:
        current = zoom.get_meeting(meeting.zoom_meeting_id)
    except NotFound:
        action = "recreate" if recreate else "missing"
        return SetupPlan(
            key, action, agenda_changed, meeting.zoom_meeting_id, url, [], wanted_questions is not None
        )
    except ZoomError as exc:
        raise OperationFailed(
            _("Could not read the meeting from Zoom: {reason}", reason=exc.message)
        ) from exc
    body = meeting_body(agenda, meeting.intent_token, include_breakouts_enable=False)
    changed = settings_hash(body) != meeting.settings_hash
    fields = differing_fields(body, current) if changed else []
    questions_change = False
    if wanted_questions is not None:
        try:
            questions_change = not same_questions(
                zoom.get_registration_questions(meeting.zoom_meeting_id), wanted_questions
            )
        except ZoomError as exc:
            raise OperationFailed(
                _(
                    "Could not read the meeting's registration questions from Zoom: {reason}",
                    reason=exc.message,
                )
            ) from exc
    return SetupPlan(
        key,
        "update" if changed else "unchanged",
        agenda_changed,
        meeting.zoom_meeting_id,
        current.get("registration_url") or url,
        fields,
        questions_change,
    )


def differing_fields(body: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """The fields of the PATCH ``body`` whose value differs from the meeting ``current`` in Zoom."""
    found: list[str] = []
    for name, value in body.items():
        if name == "settings":
            now_settings = current.get("settings") or {}
            found += [f"settings.{k}" for k, v in value.items() if now_settings.get(k) != v]
        elif name == "start_time":
            if _instant(value, body.get("timezone")) != _instant(
                current.get("start_time"), current.get("timezone")
            ):
                found.append(name)
        elif name != "type" and current.get(name) != value:
            found.append(name)
    return found


def _instant(value: Any, timezone: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        try:
            moment = moment.replace(tzinfo=ZoneInfo(str(timezone)) if timezone else UTC)
        except (KeyError, ValueError):
            return None
    return moment.astimezone(UTC)


def host_start_url(store: Store, zoom: ZoomClient, event_key: str) -> str | None:
    """The host's start link of the event's meeting, read from Zoom (it expires; never stored)."""
    with store.session() as session:
        event = session.scalar(select(Event).where(Event.key == event_key))
        meeting = (
            session.scalar(select(ZoomMeeting).where(ZoomMeeting.event_id == event.id))
            if event is not None
            else None
        )
        meeting_id = meeting.zoom_meeting_id if meeting is not None else None
    if meeting_id is None:
        return None
    try:
        url = zoom.get_meeting(meeting_id).get("start_url")
    except ZoomError:
        return None
    return str(url) if url else None
