"""The agenda of one event: a frozen pydantic model.

Times in the file are local to ``timezone`` and naive; ``HH:MM`` is read as that time on the event
``date`` (write ``2025-08-28T00:30`` for a time after midnight). The model stores full naive local
datetimes so that :meth:`Agenda.shifted` can move an event across a date boundary; the ``*_utc``
helpers give aware UTC datetimes.

The model checks the shape of each field (types, unknown keys, timezone names, offsets, e-mail
addresses). Rules that relate fields to each other (overlaps, capacities, DST gaps, ...) live in
:mod:`orchestrator.agenda.validation`; :func:`orchestrator.agenda.loader.load_agenda` runs both.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, available_timezones

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from orchestrator.agenda.durations import format_offset, parse_offset
from orchestrator.i18n import _

BlockKind = Literal["welcome", "keynote", "talk", "practice", "break", "breakout", "outlook", "other"]
Language = Literal["de", "en"]
_ALL_LANGUAGES: tuple[Language, ...] = ("de", "en")

#: Zoom's OpenAPI document gives no maxLength for ``settings.breakout_room.rooms[].name``; 50 is our
#: own conservative limit so names stay readable in the Zoom client and in mails.
ROOM_NAME_MAX_LENGTH = 50
#: Zoom allows at most 100 breakout rooms in a meeting.
MAX_ROOMS_PER_ROUND = 100
#: Zoom's limits for a meeting's ``topic`` and ``agenda`` (meetings-api.json, POST /users/{userId}/meetings).
ZOOM_TOPIC_MAX_LENGTH = 200
ZOOM_AGENDA_MAX_LENGTH = 2000
#: Zoom's limit for one answer of a registration question (a workshop name as a wish choice).
ZOOM_ANSWER_MAX_LENGTH = 128
#: Zoom's ``duration`` is at most 1440 minutes.
MAX_EVENT_DURATION = dt.timedelta(hours=24)

_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
_CLOCK_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


@cache
def _zone_names() -> frozenset[str]:
    # available_timezones() walks the tz database on every call; the set does not change at runtime.
    return frozenset(available_timezones())


def _local_datetime(value: Any) -> Any:
    # Pydantic would read a number as a Unix timestamp; in an agenda that is always a mistake.
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise PydanticCustomError(
            "agenda_time", _("expected a time like 09:30 or a date and time like 2025-08-27T09:30")
        )
    return value


def _naive(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        raise PydanticCustomError(
            "agenda_time_offset",
            _("write the local time without a UTC offset; the agenda's timezone applies"),
        )
    return value


def _email(value: Any) -> Any:
    if not isinstance(value, str):
        return value  # the str type check reports it
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise PydanticCustomError(
            "agenda_email", _("{value} is not a valid e-mail address: {reason}", value=value, reason=str(exc))
        ) from None


def _offset(value: Any) -> Any:
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, str):
        try:
            return parse_offset(value)
        except ValueError:
            pass
    raise PydanticCustomError(
        "agenda_offset", _("expected a duration like 7d, 1d12h, 2h or 30m, got '{value}'", value=value)
    )


def _positive(value: dt.timedelta) -> dt.timedelta:
    if value <= dt.timedelta(0):
        raise PydanticCustomError("agenda_offset_positive", _("must be longer than zero"))
    return value


def _not_negative(value: dt.timedelta) -> dt.timedelta:
    if value < dt.timedelta(0):
        raise PydanticCustomError("agenda_offset_negative", _("must not be negative"))
    return value


def _descending(values: list[dt.timedelta]) -> list[dt.timedelta]:
    return sorted(set(values), reverse=True)


LocalDateTime = Annotated[dt.datetime, BeforeValidator(_local_datetime), AfterValidator(_naive)]
Email = Annotated[str, BeforeValidator(_email)]
Text = Annotated[str, Field(min_length=1)]
# Serialised in the file's own notation ("7d"), so the stored agenda JSON loads back unchanged.
_AS_OFFSET_TEXT = PlainSerializer(format_offset, return_type=str, when_used="json")
Offset = Annotated[dt.timedelta, BeforeValidator(_offset), AfterValidator(_not_negative), _AS_OFFSET_TEXT]
PositiveOffset = Annotated[dt.timedelta, BeforeValidator(_offset), AfterValidator(_positive), _AS_OFFSET_TEXT]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Contact(_Frozen):
    """A person organisers name for questions (shown in mails)."""

    name: Text
    phone: str | None = None


class Organiser(_Frozen):
    name: Text
    contact_email: Email
    contact_phone: str | None = None
    website: str | None = None
    contacts: list[Contact] = Field(default_factory=list)


class Moderator(_Frozen):
    name: Text
    email: Email


class Room(_Frozen):
    """A breakout room (a workshop); ``name`` is what participants' wishes refer to."""

    name: Text
    capacity: int = Field(ge=1)
    moderators: list[Moderator] = Field(default_factory=list)
    description: str | None = None


class Block(_Frozen):
    """One item of the programme, with naive local start and end."""

    title: Text
    start: LocalDateTime
    end: LocalDateTime
    kind: BlockKind = "other"
    speakers: list[Text] = Field(default_factory=list)
    organisation: str | None = None
    description: str | None = None

    def start_utc(self, agenda: Agenda) -> dt.datetime:
        return agenda.to_utc(self.start)

    def end_utc(self, agenda: Agenda) -> dt.datetime:
        return agenda.to_utc(self.end)


class ZoomRoomOptions(_Frozen):
    """How the host's Zoom App opens a round's rooms ("Räume öffnen"); Zoom's own option names in brackets."""

    # Seconds of countdown when the rooms close (countDown); Zoom offers these values.
    countdown_seconds: Literal[0, 10, 15, 30, 60, 120] = 60
    # Participants may return to the main room by themselves (allowParticipantsReturnToMainSession).
    allow_return: bool = True
    # Move assigned participants into their rooms without asking (automaticallyMoveParticipantsIntoRooms).
    move_automatically: bool = True
    # Participants may choose a room themselves (allowParticipantsChooseRoom).
    allow_choose_room: bool = False
    # Close the rooms automatically at the round's end (closeAfter = minutes left of the round).
    close_at_end: bool = True


class BreakoutRound(_Frozen):
    """One breakout round; its assignment is applied to Zoom ``apply_lead_minutes`` before ``start``."""

    number: int = Field(ge=1)
    title: Text
    start: LocalDateTime
    end: LocalDateTime
    apply_lead_minutes: int = 10
    rooms: list[Room] = Field(default_factory=list)
    # Optional; left out, the Zoom App opens rooms with ZoomRoomOptions' defaults.
    zoom_rooms: ZoomRoomOptions | None = None

    @model_serializer(mode="wrap")
    def _without_unset_options(self, handler: SerializerFunctionWrapHandler) -> Any:
        """Leave ``zoom_rooms`` out when unset, so stored agendas (and their hashes) stay as they were."""
        data = handler(self)
        if isinstance(data, dict) and data.get("zoom_rooms") is None:
            data.pop("zoom_rooms", None)
        return data

    @property
    def room_options(self) -> ZoomRoomOptions:
        """The options the Zoom App uses to open this round's rooms."""
        return self.zoom_rooms or ZoomRoomOptions()

    @property
    def capacity(self) -> int:
        """Seats in all rooms of this round."""
        return sum(room.capacity for room in self.rooms)

    def room(self, name: str) -> Room:
        for candidate in self.rooms:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def start_utc(self, agenda: Agenda) -> dt.datetime:
        return agenda.to_utc(self.start)

    def end_utc(self, agenda: Agenda) -> dt.datetime:
        return agenda.to_utc(self.end)

    def apply_at_utc(self, agenda: Agenda) -> dt.datetime:
        """When the room assignment should be pushed to Zoom."""
        return self.start_utc(agenda) - dt.timedelta(minutes=self.apply_lead_minutes)


#: Wishes per registrant the import and the breakout planner understand (wish_1 .. wish_3).
MAX_WISH_RANKS = 3


class Registration(_Frozen):
    """How people register; ``questions`` makes ``meeting setup`` write Zoom's registration form."""

    approval: Literal["automatic", "manual"] = "manual"
    auto_approve_imported: bool = True
    close_at: LocalDateTime | None = None
    #: Ask organisation, job title, one workshop wish per rank (and consent) in Zoom's form.
    questions: bool = False
    wish_ranks: int = Field(default=MAX_WISH_RANKS, ge=1, le=MAX_WISH_RANKS)
    #: Where the privacy notice is; with ``questions`` the form asks for consent to it.
    privacy_url: str | None = Field(default=None, min_length=1, max_length=200)
    #: Zoom's own registration mails (confirmation, approval, cancellation). Unset, they follow
    #: ``mails.confirmation``: off while we send our own confirmation, so nobody gets two.
    zoom_confirmation_mail: bool | None = None


class Mails(_Frozen):
    """Which mails are sent, and when (offsets before the event start, longest first)."""

    confirmation: bool = True
    reminders: Annotated[list[PositiveOffset], AfterValidator(_descending)] = Field(default_factory=list)
    breakout_room: bool = True
    breakout_lead_minutes: int = Field(default=30, ge=0, le=24 * 60)
    thank_you: bool = True
    thank_you_delay: Offset = dt.timedelta(hours=2)


class ZoomOptions(_Frozen):
    topic: str | None = Field(default=None, max_length=ZOOM_TOPIC_MAX_LENGTH)
    host_user: str | None = None
    waiting_room: bool = True
    join_before_host: bool = False
    mute_upon_entry: bool = True
    auto_recording: Literal["none", "local", "cloud"] = "none"
    meeting_authentication: bool = False
    breakout_rooms_enabled: bool = True


def _is_clock_time(value: Any) -> bool:
    return isinstance(value, str) and _CLOCK_TIME.match(value.strip()) is not None


def _on_day(day: dt.date, value: Any) -> Any:
    """``"09:30"`` (or a ``time``) on ``day``; anything else is left for the field's own check."""
    if isinstance(value, dt.time):
        return dt.datetime.combine(day, value)
    if _is_clock_time(value):
        match = _CLOCK_TIME.match(value.strip())
        assert match is not None
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60:
            return dt.datetime.combine(day, dt.time(hour, minute))
    return value


def _event_day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _with_times(item: Any, day: dt.date, keys: tuple[str, ...]) -> Any:
    if not isinstance(item, dict):
        return item
    return {k: (_on_day(day, v) if k in keys else v) for k, v in item.items()}


class Agenda(_Frozen):
    """One event: one Zoom meeting, its programme, breakout rounds, registration and mail settings."""

    key: str
    title: Text
    subtitle: str | None = None
    description: str | None = None
    organiser: Organiser
    timezone: str
    date: dt.date
    start: LocalDateTime
    end: LocalDateTime
    blocks: list[Block] = Field(default_factory=list)
    breakout_rounds: list[BreakoutRound] = Field(default_factory=list)
    registration: Registration = Field(default_factory=Registration)
    mails: Mails = Field(default_factory=Mails)
    languages: list[Language] = Field(default_factory=lambda: list(_ALL_LANGUAGES), min_length=1)
    default_language: Language = "de"
    zoom: ZoomOptions = Field(default_factory=ZoomOptions)

    @model_validator(mode="before")
    @classmethod
    def _resolve_clock_times(cls, data: Any) -> Any:
        # "HH:MM" in the file means that time on the event date; resolve before field validation so
        # every stored time is a full local datetime (and shifting can cross midnight).
        if not isinstance(data, dict):
            return data
        # Without a usable date, the date's own error is enough: resolve clock times on a stand-in
        # day (never kept, validation of `date` fails) instead of reporting every time as broken.
        day = _event_day(data.get("date")) or dt.date(2000, 1, 1)
        resolved = dict(data)
        for name in ("start", "end"):
            if name in resolved:
                resolved[name] = _on_day(day, resolved[name])
        for name in ("blocks", "breakout_rounds"):
            if isinstance(resolved.get(name), list):
                resolved[name] = [_with_times(item, day, ("start", "end")) for item in resolved[name]]
        return resolved

    @field_validator("key")
    @classmethod
    def _check_key(cls, value: str) -> str:
        if not _KEY.match(value):
            raise PydanticCustomError(
                "agenda_key",
                _(
                    "must be a short key of 2 to 40 lowercase letters, digits and hyphens, "
                    "like fachtag-2025-2 (got '{value}')",
                    value=value,
                ),
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        # Abbreviations like CET or EST name a fixed rule, not a place; Zoom and organisers mean a
        # place ("Europe/Berlin"). Only Region/City names (and UTC) are accepted.
        plain_utc = value in ("UTC", "Etc/UTC")
        is_region = "/" in value and not value.startswith("Etc/")
        if not (plain_utc or is_region) or value not in _zone_names():
            raise PydanticCustomError(
                "agenda_timezone",
                _(
                    "unknown timezone '{value}'; use an IANA name like Europe/Berlin "
                    "(abbreviations like CET are ambiguous)",
                    value=value,
                ),
            )
        return value

    # --- time helpers -------------------------------------------------------------------------

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def to_utc(self, local: dt.datetime) -> dt.datetime:
        """A naive local time of this event as an aware UTC datetime."""
        return local.replace(tzinfo=self.tz).astimezone(dt.UTC)

    def to_local(self, moment: dt.datetime) -> dt.datetime:
        """An aware datetime as naive local time of this event (keeps ``fold`` for DST repeats)."""
        return moment.astimezone(self.tz).replace(tzinfo=None)

    @property
    def start_utc(self) -> dt.datetime:
        return self.to_utc(self.start)

    @property
    def end_utc(self) -> dt.datetime:
        return self.to_utc(self.end)

    @property
    def duration_minutes(self) -> int:
        return int((self.end_utc - self.start_utc).total_seconds() // 60)

    @property
    def zoom_topic(self) -> str:
        return self.zoom.topic or self.title[:ZOOM_TOPIC_MAX_LENGTH]

    @property
    def registration_close_utc(self) -> dt.datetime | None:
        close_at = self.registration.close_at
        return self.to_utc(close_at) if close_at is not None else None

    def reminder_times_utc(self) -> list[tuple[dt.timedelta, dt.datetime]]:
        """``(offset, when)`` for each reminder, earliest first."""
        return [(offset, self.start_utc - offset) for offset in self.mails.reminders]

    @property
    def thank_you_at_utc(self) -> dt.datetime:
        return self.end_utc + self.mails.thank_you_delay

    # --- structure helpers --------------------------------------------------------------------

    def workshops(self) -> list[str]:
        """Distinct room names over all rounds, in order of first appearance."""
        names: dict[str, None] = {}
        for breakout_round in self.breakout_rounds:
            for room in breakout_round.rooms:
                names.setdefault(room.name, None)
        return list(names)

    def round(self, number: int) -> BreakoutRound:
        """The breakout round with this number; ``KeyError`` if there is none."""
        for breakout_round in self.breakout_rounds:
            if breakout_round.number == number:
                return breakout_round
        raise KeyError(number)

    def moderators(self) -> Iterator[tuple[BreakoutRound, Room, Moderator]]:
        for breakout_round in self.breakout_rounds:
            for room in breakout_round.rooms:
                for moderator in room.moderators:
                    yield breakout_round, room, moderator

    def shifted(self, delta: dt.timedelta) -> Agenda:
        """The same event moved by ``delta`` (the demo's rehearsal of a past event).

        Every time moves by exactly ``delta`` in UTC, so all gaps between times stay the same even
        when the shift crosses a DST change or a date boundary; ``date`` follows the new start.
        """

        def move(local: dt.datetime) -> dt.datetime:
            return self.to_local(self.to_utc(local) + delta)

        new_start = move(self.start)
        close_at = self.registration.close_at
        return self.model_copy(
            update={
                "date": new_start.date(),
                "start": new_start,
                "end": move(self.end),
                "blocks": [
                    b.model_copy(update={"start": move(b.start), "end": move(b.end)}) for b in self.blocks
                ],
                "breakout_rounds": [
                    r.model_copy(update={"start": move(r.start), "end": move(r.end)})
                    for r in self.breakout_rounds
                ],
                "registration": self.registration.model_copy(
                    update={"close_at": move(close_at) if close_at is not None else None}
                ),
            }
        )
