"""What the host's Zoom App reads from and writes to the store.

The store does not keep the meeting's UUID on ``zoom_meeting`` (only the numeric meeting id). The
UUID of each meeting *instance* is stored in ``meeting_run.zoom_uuid`` when ``meeting.started``
arrives, and that is what the app context's ``mid`` names; so a meeting is known once its start
webhook has been processed.

Host choices and app actions have no table of their own: both are rows of ``zoom_audit``
(``zoomapp.choice``, ``zoomapp.<action>``), so the console's audit view shows them and the latest
choice per participant is read back from there.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.agenda.model import ZoomRoomOptions
from orchestrator.breakouts.queries import assignments_for_round
from orchestrator.db.models import AttendanceMark, Event, MeetingRun, Person, ZoomAuditEntry, ZoomMeeting
from orchestrator.db.models.person import PersonStatus
from orchestrator.events import agenda_of
from orchestrator.live.matching import CHOOSES_OWN_ROOM, HostChoice, RegisteredPerson, normalise_uuid

CHOICE_ACTION = "zoomapp.choice"
ACTION_PREFIX = "zoomapp."
SDK_METHOD = "SDK"


@dataclass(frozen=True)
class KnownMeeting:
    event_id: int
    meeting_uuid: str
    host_user: str | None


def find_meeting(session: Session, meeting_uuid: str) -> KnownMeeting | None:
    """The event whose meeting ran (or runs) under ``meeting_uuid``, if the store has seen it start."""
    run = session.scalar(
        select(MeetingRun).where(MeetingRun.zoom_uuid == meeting_uuid).order_by(MeetingRun.id.desc())
    )
    if run is None:
        return None
    host = session.scalar(select(ZoomMeeting.host_user).where(ZoomMeeting.event_id == run.event_id))
    return KnownMeeting(run.event_id, meeting_uuid, host)


def host_user_ids(meeting: KnownMeeting) -> set[str]:
    """The meeting's host as a Zoom user id, when the store has one ("me" and e-mails are not ids)."""
    host = (meeting.host_user or "").strip()
    return {host} if host and host != "me" and "@" not in host else set()


@dataclass(frozen=True)
class RoomOptions:
    """How "Räume öffnen" configures Zoom's rooms for the round (from the agenda's ``zoom_rooms``)."""

    countdown_seconds: int
    allow_return: bool
    move_automatically: bool
    allow_choose_room: bool
    close_at_end: bool


@dataclass(frozen=True)
class RoundInfo:
    number: int
    title: str
    start: datetime
    end: datetime
    rooms: tuple[str, ...]
    options: RoomOptions


@dataclass(frozen=True)
class PersonInfo:
    """What the app may show about a person: never e-mail or join link."""

    id: int
    name: str
    organisation: str | None


@dataclass(frozen=True)
class RoundState:
    event_key: str
    event_title: str
    round: RoundInfo
    rounds: tuple[RoundInfo, ...]
    plan_version: str
    plan: dict[int, str]
    people: tuple[PersonInfo, ...]
    choices: dict[str, Any]


def room_options(event: Event, round_number: int) -> RoomOptions:
    """The agenda's options for opening the round's rooms (defaults when the agenda names none)."""
    agenda_round = next((r for r in agenda_of(event).breakout_rounds if r.number == round_number), None)
    options = agenda_round.room_options if agenda_round is not None else ZoomRoomOptions()
    return RoomOptions(
        countdown_seconds=options.countdown_seconds,
        allow_return=options.allow_return,
        move_automatically=options.move_automatically,
        allow_choose_room=options.allow_choose_room,
        close_at_end=options.close_at_end,
    )


def _round_info(row: Any, options: RoomOptions) -> RoundInfo:
    return RoundInfo(
        number=row.number,
        title=row.title,
        start=row.start_utc,
        end=row.end_utc,
        rooms=tuple(room.name for room in sorted(row.rooms, key=lambda r: r.position)),
        options=options,
    )


def default_round(event: Event, now: datetime) -> int | None:
    """The round running now, else the next one, else the last one."""
    rounds = sorted(event.rounds, key=lambda r: r.start_utc)
    if not rounds:
        return None
    for row in rounds:
        if now < row.end_utc:
            return row.number
    return rounds[-1].number


def active_people(session: Session, event_id: int) -> list[Person]:
    query = select(Person).where(Person.event_id == event_id, Person.status == PersonStatus.ACTIVE)
    return list(session.scalars(query.order_by(Person.id)))


def round_state(session: Session, event_id: int, round_number: int, meeting_uuid: str) -> RoundState | None:
    """The round's rooms and plan, the event's people and the host's choices; None if no such round."""
    event = session.get(Event, event_id)
    assert event is not None  # meeting runs cascade with their event
    rows = {row.number: row for row in event.rounds}
    if round_number not in rows:
        return None
    people = active_people(session, event_id)
    plan = assignments_for_round(session, event_id, round_number)
    return RoundState(
        event_key=event.key,
        event_title=event.title,
        round=_round_info(rows[round_number], room_options(event, round_number)),
        rounds=tuple(_round_info(rows[n], room_options(event, n)) for n in sorted(rows)),
        plan_version=plan_digest(plan),
        plan=plan,
        people=tuple(
            PersonInfo(p.id, f"{p.first_name} {p.last_name}".strip(), p.organisation) for p in people
        ),
        choices=dict(host_choices(session, event_id, meeting_uuid)),
    )


def plan_digest(plan: dict[int, str]) -> str:
    """A short fingerprint of a round's plan (person id → room): changes whenever anybody moves."""
    canonical = json.dumps(sorted(plan.items()), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def seen_participant_uuids(session: Session, event_id: int, meeting_uuid: str) -> dict[int, frozenset[str]]:
    """Person id → the ``participant_uuid`` values Zoom's join webhooks named for them in this meeting.

    Only registered people have them (guests are stored without). Whether Zoom's webhook value equals
    the Apps SDK's ``participantUUID`` is not documented; the matching uses it only when they agree.
    """
    query = select(AttendanceMark.person_id, AttendanceMark.participant_uuid).where(
        AttendanceMark.event_id == event_id,
        AttendanceMark.meeting_uuid == meeting_uuid,
        AttendanceMark.person_id.is_not(None),
        AttendanceMark.participant_uuid.is_not(None),
    )
    seen: dict[int, set[str]] = {}
    for person_id, uuid in session.execute(query):
        if person_id is not None and uuid:
            seen.setdefault(person_id, set()).add(uuid)
    return {person_id: frozenset(uuids) for person_id, uuids in seen.items()}


def registered_people(
    session: Session, event_id: int, meeting_uuid: str | None = None
) -> list[RegisteredPerson]:
    """The event's active people for matching, with the Zoom participant UUIDs seen for them."""
    seen = seen_participant_uuids(session, event_id, meeting_uuid) if meeting_uuid else {}
    return [
        RegisteredPerson(
            p.id, p.first_name, p.last_name, p.organisation, participant_uuids=seen.get(p.id, frozenset())
        )
        for p in active_people(session, event_id)
    ]


def host_choices(session: Session, event_id: int, meeting_uuid: str) -> dict[str, HostChoice]:
    """The latest host choice per participant UUID in this meeting (a cleared choice is dropped)."""
    query = (
        select(ZoomAuditEntry.detail)
        .where(ZoomAuditEntry.event_id == event_id, ZoomAuditEntry.action == CHOICE_ACTION)
        .order_by(ZoomAuditEntry.id)
    )
    choices: dict[str, HostChoice] = {}
    for detail in session.scalars(query):
        if not isinstance(detail, dict) or detail.get("meeting_uuid") != meeting_uuid:
            continue
        uuid = normalise_uuid(str(detail.get("participant_uuid", "")))
        choice = detail.get("choice")
        if isinstance(choice, int) and not isinstance(choice, bool):
            choices[uuid] = choice
        elif choice == CHOOSES_OWN_ROOM:
            choices[uuid] = CHOOSES_OWN_ROOM
        else:
            choices.pop(uuid, None)
    return choices


def person_exists(session: Session, event_id: int, person_id: int) -> bool:
    person = session.get(Person, person_id)
    return person is not None and person.event_id == event_id and person.status == PersonStatus.ACTIVE


@dataclass(frozen=True)
class AppAction:
    """Something the app did in Zoom (or a choice the host made), as one audit row."""

    action: str
    sdk_function: str
    outcome: str
    detail: dict[str, Any]
    message: str | None = None


def record(session: Session, event_id: int, entry: AppAction, at: datetime) -> None:
    """Add one ``zoom_audit`` row for ``entry`` (the caller commits)."""
    session.add(
        ZoomAuditEntry(
            at=at,
            event_id=event_id,
            action=entry.action[:60],
            method=SDK_METHOD,
            path=f"zoomSdk.{entry.sdk_function}"[:300],
            status=None,
            zoom_code=None,
            outcome=entry.outcome[:20],
            detail=entry.detail,
            message=entry.message[:2000] if entry.message else None,
        )
    )
