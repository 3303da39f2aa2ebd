"""Rules that relate an agenda's fields to each other.

:func:`check_agenda` returns every problem it finds (not just the first) plus warnings, each with
the field path it concerns, so the loader can name the YAML line. Decisions worth knowing:

- Times must exist exactly once on the local clock: a time in a DST gap or in the repeated hour
  is an error (Zoom and people would read it differently).
- Breakout rounds must lie within the event, must not overlap each other, and -- if the agenda has
  blocks of kind ``breakout`` -- each round must lie within one of them, so the printed programme
  and the rooms agree. Blocks must not overlap each other (rounds are not blocks).
- A start in the past is a warning (and none with ``allow_past``, for rehearsals); callers that
  change Zoom look at ``LoadedAgenda.is_past``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TypeVar

from orchestrator.agenda.model import (
    MAX_EVENT_DURATION,
    MAX_ROOMS_PER_ROUND,
    ROOM_NAME_MAX_LENGTH,
    ZOOM_AGENDA_MAX_LENGTH,
    ZOOM_ANSWER_MAX_LENGTH,
    Agenda,
    Block,
    BreakoutRound,
)
from orchestrator.agenda.problems import Loc
from orchestrator.i18n import _

_Span = TypeVar("_Span", Block, BreakoutRound)


@dataclass(frozen=True)
class Finding:
    loc: Loc
    message: str


@dataclass
class CheckResult:
    problems: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    def error(self, loc: Loc, message: str) -> None:
        self.problems.append(Finding(loc, message))

    def warn(self, loc: Loc, message: str) -> None:
        self.warnings.append(Finding(loc, message))


def _hm(value: dt.datetime) -> str:
    return value.strftime("%H:%M")


def _check_local_time(agenda: Agenda, loc: Loc, local: dt.datetime, result: CheckResult) -> None:
    tz = agenda.tz
    early = local.replace(fold=0, tzinfo=tz)
    late = local.replace(fold=1, tzinfo=tz)
    if early.utcoffset() == late.utcoffset():
        return
    round_trip = early.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None)
    if round_trip != local.replace(fold=0):
        message = _(
            "{time} does not exist in {timezone} (the clocks skip this hour for daylight saving time)",
            time=local.strftime("%Y-%m-%d %H:%M"),
            timezone=agenda.timezone,
        )
    else:
        message = _(
            "{time} happens twice in {timezone} (the clocks repeat this hour); choose another time",
            time=local.strftime("%Y-%m-%d %H:%M"),
            timezone=agenda.timezone,
        )
    result.error(loc, message)


def _check_event(agenda: Agenda, result: CheckResult, now: dt.datetime, allow_past: bool) -> None:
    for name in ("start", "end"):
        _check_local_time(agenda, (name,), getattr(agenda, name), result)
    if agenda.start.date() != agenda.date:
        result.error(("start",), _("must be on the event date {date}", date=agenda.date.isoformat()))
    if agenda.end <= agenda.start:
        result.error(("end",), _("the event must end after it starts ({start})", start=_hm(agenda.start)))
    elif agenda.end_utc - agenda.start_utc > MAX_EVENT_DURATION:
        result.error(("end",), _("the event lasts longer than 24 hours; Zoom allows at most 24 hours"))
    if agenda.start_utc < now and not allow_past:
        result.warn(
            ("start",),
            _(
                "the event starts in the past ({start}); Zoom will not be changed for it "
                "unless you pass --allow-past (for a rehearsal)",
                start=agenda.start.strftime("%Y-%m-%d %H:%M"),
            ),
        )
    if agenda.description is not None and len(agenda.description) > ZOOM_AGENDA_MAX_LENGTH:
        result.error(
            ("description",), _("must be at most {limit} characters long", limit=ZOOM_AGENDA_MAX_LENGTH)
        )
    if agenda.default_language not in agenda.languages:
        result.error(
            ("default_language",),
            _(
                "'{language}' is not one of the languages {languages}",
                language=agenda.default_language,
                languages=", ".join(agenda.languages),
            ),
        )
    if len(set(agenda.languages)) != len(agenda.languages):
        result.error(("languages",), _("lists a language twice"))
    close_at = agenda.registration.close_at
    if close_at is not None and close_at > agenda.end:
        result.error(("registration", "close_at"), _("registration must close before the event ends"))


def _furthest_so_far(items: list[_Span]) -> list[_Span]:
    """For each prefix of ``items`` (sorted by start), the item that ends last."""
    furthest: list[_Span] = []
    for item in items:
        furthest.append(item if not furthest or item.end > furthest[-1].end else furthest[-1])
    return furthest


def _outside_event(agenda: Agenda, start: dt.datetime, end: dt.datetime) -> bool:
    return start < agenda.start or end > agenda.end


def _check_blocks(agenda: Agenda, result: CheckResult) -> None:
    window = f"{_hm(agenda.start)}–{_hm(agenda.end)}"
    for index, block in enumerate(agenda.blocks):
        for name in ("start", "end"):
            _check_local_time(agenda, ("blocks", index, name), getattr(block, name), result)
        if block.end <= block.start:
            result.error(("blocks", index, "end"), _("the block must end after it starts"))
        elif _outside_event(agenda, block.start, block.end):
            result.error(
                ("blocks", index),
                _(
                    "block '{title}' ({start}–{end}) lies outside the event ({window})",
                    title=block.title,
                    start=_hm(block.start),
                    end=_hm(block.end),
                    window=window,
                ),
            )
    # Compare each block with the one reaching furthest so far: catches a long block covering several.
    ordered = sorted(enumerate(agenda.blocks), key=lambda pair: (pair[1].start, pair[0]))
    for (index, later), earlier in zip(ordered[1:], _furthest_so_far([b for _i, b in ordered]), strict=False):
        if later.start < earlier.end and later.end > later.start:
            result.error(
                ("blocks", index),
                _(
                    "block '{title}' ({start}–{end}) overlaps block '{other}' ({other_start}–{other_end})",
                    title=later.title,
                    start=_hm(later.start),
                    end=_hm(later.end),
                    other=earlier.title,
                    other_start=_hm(earlier.start),
                    other_end=_hm(earlier.end),
                ),
            )


def _check_rooms(index: int, breakout_round: BreakoutRound, result: CheckResult) -> None:
    loc: Loc = ("breakout_rounds", index, "rooms")
    if not breakout_round.rooms:
        result.error(loc, _("a breakout round needs at least one room"))
    if len(breakout_round.rooms) > MAX_ROOMS_PER_ROUND:
        result.error(
            loc,
            _(
                "{count} rooms in one round; Zoom allows at most {limit} breakout rooms",
                count=len(breakout_round.rooms),
                limit=MAX_ROOMS_PER_ROUND,
            ),
        )
    names: dict[str, int] = {}
    moderators: dict[str, int] = {}
    for room_index, room in enumerate(breakout_round.rooms):
        room_loc: Loc = (*loc, room_index)
        if len(room.name) > ROOM_NAME_MAX_LENGTH:
            result.error(
                (*room_loc, "name"), _("must be at most {limit} characters long", limit=ROOM_NAME_MAX_LENGTH)
            )
        name_key = " ".join(room.name.split()).casefold()
        if name_key in names:
            result.error(
                (*room_loc, "name"),
                _("room '{name}' appears twice in this round", name=room.name),
            )
        else:
            names[name_key] = room_index
        for moderator_index, moderator in enumerate(room.moderators):
            email_key = moderator.email.casefold()
            other = moderators.get(email_key)
            if other is not None and other != room_index:
                result.error(
                    (*room_loc, "moderators", moderator_index, "email"),
                    _(
                        "{email} moderates both '{room}' and '{other}' in the same round",
                        email=moderator.email,
                        room=room.name,
                        other=breakout_round.rooms[other].name,
                    ),
                )
            else:
                moderators.setdefault(email_key, room_index)


def _check_rounds(agenda: Agenda, result: CheckResult) -> None:
    window = f"{_hm(agenda.start)}–{_hm(agenda.end)}"
    breakout_blocks = [block for block in agenda.blocks if block.kind == "breakout"]
    seen_numbers: dict[int, int] = {}
    for index, breakout_round in enumerate(agenda.breakout_rounds):
        loc: Loc = ("breakout_rounds", index)
        if breakout_round.number in seen_numbers:
            result.error(
                (*loc, "number"),
                _("round number {number} is used twice", number=breakout_round.number),
            )
        seen_numbers.setdefault(breakout_round.number, index)
        if not 0 <= breakout_round.apply_lead_minutes <= 180:
            result.error((*loc, "apply_lead_minutes"), _("must be between 0 and 180 minutes"))
        for name in ("start", "end"):
            _check_local_time(agenda, (*loc, name), getattr(breakout_round, name), result)
        if breakout_round.end <= breakout_round.start:
            result.error((*loc, "end"), _("the round must end after it starts"))
        elif _outside_event(agenda, breakout_round.start, breakout_round.end):
            result.error(
                loc,
                _(
                    "breakout round {number} ({start}–{end}) lies outside the event ({window})",
                    number=breakout_round.number,
                    start=_hm(breakout_round.start),
                    end=_hm(breakout_round.end),
                    window=window,
                ),
            )
        elif breakout_blocks and not any(
            block.start <= breakout_round.start and breakout_round.end <= block.end
            for block in breakout_blocks
        ):
            result.error(
                loc,
                _(
                    "breakout round {number} ({start}–{end}) is not inside any programme block of kind "
                    "'breakout'",
                    number=breakout_round.number,
                    start=_hm(breakout_round.start),
                    end=_hm(breakout_round.end),
                ),
            )
        _check_rooms(index, breakout_round, result)
    ordered = sorted(enumerate(agenda.breakout_rounds), key=lambda pair: (pair[1].start, pair[0]))
    for (index, later), earlier in zip(ordered[1:], _furthest_so_far([r for _i, r in ordered]), strict=False):
        if later.start < earlier.end:
            result.error(
                ("breakout_rounds", index),
                _(
                    "breakout round {number} ({start}–{end}) overlaps round {other} "
                    "({other_start}–{other_end})",
                    number=later.number,
                    start=_hm(later.start),
                    end=_hm(later.end),
                    other=earlier.number,
                    other_start=_hm(earlier.start),
                    other_end=_hm(earlier.end),
                ),
            )


def _check_registration_questions(agenda: Agenda, result: CheckResult) -> None:
    registration = agenda.registration
    loc: Loc = ("registration",)
    privacy_url = registration.privacy_url
    if privacy_url is not None and not privacy_url.startswith(("https://", "http://")):
        result.error(
            (*loc, "privacy_url"),
            _("must be a web address starting with https:// (got '{value}')", value=privacy_url),
        )
    if not registration.questions:
        return
    workshops = agenda.workshops()
    if len(workshops) < registration.wish_ranks:
        result.error(
            (*loc, "wish_ranks"),
            _(
                "{ranks} workshop wishes asked, but the agenda offers {count} workshops",
                ranks=registration.wish_ranks,
                count=len(workshops),
            ),
        )
    for name in workshops:
        if len(name) > ZOOM_ANSWER_MAX_LENGTH:
            result.error(
                (*loc, "questions"),
                _(
                    "workshop '{name}' is longer than the {limit} characters Zoom allows for an answer",
                    name=name,
                    limit=ZOOM_ANSWER_MAX_LENGTH,
                ),
            )


def check_agenda(agenda: Agenda, *, now: dt.datetime, allow_past: bool = False) -> CheckResult:
    """All cross-field problems and warnings of ``agenda`` (``now`` is an aware datetime)."""
    result = CheckResult()
    _check_event(agenda, result, now, allow_past)
    _check_blocks(agenda, result)
    _check_rounds(agenda, result)
    _check_registration_questions(agenda, result)
    return result
