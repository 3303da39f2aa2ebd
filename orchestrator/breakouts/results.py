"""Typed results of the breakout use cases (plan, show, export, apply, move, swap, the job).

Field names and their order are the keys of the ``--json`` answers (see ``orchestrator.results``):
``round`` is a field name here on purpose, it is the key the JSON has always used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal


@dataclass(frozen=True)
class HostInstructions:
    """The host's instruction after an apply, in German and English."""

    de: str
    en: str

    def in_language(self, language: str) -> str:
        """The text in ``language`` (``de``; anything else gets English)."""
        return self.de if language == "de" else self.en

    def texts(self) -> tuple[str, str]:
        return self.de, self.en


@dataclass(frozen=True)
class ApplyOutcome:
    """What an apply did (``zoom_writes`` is 0 when Zoom already held exactly this set)."""

    round: int
    action: Literal["applied", "unchanged"]
    zoom_writes: int
    rooms: int
    participants: int
    verified: bool
    payload_hash: str
    instructions: HostInstructions


@dataclass(frozen=True)
class ApplyResult:
    """``breakouts apply``: the event and what the apply did."""

    event: str
    round: int
    action: Literal["applied", "unchanged"]
    zoom_writes: int
    rooms: int
    participants: int
    verified: bool
    payload_hash: str
    instructions: HostInstructions

    @classmethod
    def of(cls, event: str, outcome: ApplyOutcome) -> ApplyResult:
        o = outcome
        return cls(event, o.round, o.action, o.zoom_writes, o.rooms, o.participants, o.verified,
                   o.payload_hash, o.instructions)  # fmt: skip


@dataclass(frozen=True)
class ZoomApplied:
    """After a move or swap: Zoom held the round and was updated."""

    applied: Literal[True]
    round: int
    action: Literal["applied", "unchanged"]
    zoom_writes: int
    rooms: int
    participants: int
    verified: bool
    payload_hash: str
    instructions: HostInstructions

    @classmethod
    def of(cls, outcome: ApplyOutcome) -> ZoomApplied:
        o = outcome
        return cls(True, o.round, o.action, o.zoom_writes, o.rooms, o.participants, o.verified,
                   o.payload_hash, o.instructions)  # fmt: skip


@dataclass(frozen=True)
class ZoomNotApplied:
    """After a move or swap: Zoom was left alone, and why."""

    applied: Literal[False]
    reason: str


ZoomUpdate = ZoomApplied | ZoomNotApplied


# --- plan ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoomPlanStats:
    round: int
    room: str
    capacity: int
    assigned: int
    first: int
    second: int
    third: int
    none: int


@dataclass(frozen=True)
class WishCounts:
    first: int
    second: int
    third: int
    none: int

    @property
    def total(self) -> int:
        """Placements counted (one per person and round)."""
        return self.first + self.second + self.third + self.none


@dataclass(frozen=True)
class PlanMove:
    """Someone already placed whom a re-plan put into another room."""

    round: int
    email: str
    name: str
    before: str
    after: str


@dataclass(frozen=True)
class RemovedPlacement:
    """A placement dropped by a re-plan: the person cancelled or moderates a room."""

    round: int
    email: str
    name: str
    room: str
    reason: Literal["cancelled", "moderator"]


@dataclass(frozen=True)
class FlaggedRoom:
    """A room whose moderator cancelled."""

    round: int
    room: str
    cancelled_moderators: list[str]


@dataclass(frozen=True)
class PlanReport:
    """What planning did (``breakouts plan``)."""

    event: str
    rounds: list[int]
    method: str
    objective: int
    people: int
    kept: int
    placed_new: int
    rooms: list[RoomPlanStats]
    wishes: WishCounts
    moved: list[PlanMove]
    removed: list[RemovedPlacement]
    versions: dict[int, int]
    flagged_rooms: list[FlaggedRoom]


# --- show ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownModerator:
    name: str
    email: str
    cancelled: bool


@dataclass(frozen=True)
class ShownPerson:
    name: str
    email: str
    organisation: str | None
    source: str  # an AssignmentSource value
    forced: bool


@dataclass(frozen=True)
class ShownRoom:
    room: str
    capacity: int
    assigned: int
    moderators: list[ShownModerator]
    people: list[ShownPerson]


@dataclass(frozen=True)
class RoundShow:
    """``breakouts show``: rooms of a round with capacity, moderators and people; who has no room."""

    event: str
    timezone: str
    round: int
    title: str
    phase: str
    start: datetime
    end: datetime
    rooms: list[ShownRoom]
    unplaced: list[str]
    flagged_rooms: list[FlaggedRoom]


# --- export, move, swap --------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    """``breakouts export``: the files written and how many people they hold."""

    event: str
    round: int
    format: str
    files: list[str]
    people: int


@dataclass(frozen=True)
class MoveOutcome:
    """One person moved (or already there: ``changed`` is false)."""

    round: int
    email: str
    before: str | None
    after: str
    changed: bool
    forced: bool
    warnings: list[str]


@dataclass(frozen=True)
class MoveResult:
    """``breakouts move``: the move and what happened in Zoom (None: nothing changed)."""

    event: str
    round: int
    email: str
    before: str | None
    after: str
    changed: bool
    forced: bool
    warnings: list[str]
    zoom: ZoomUpdate | None

    @classmethod
    def of(cls, event: str, moved: MoveOutcome, zoom: ZoomUpdate | None) -> MoveResult:
        m = moved
        return cls(event, m.round, m.email, m.before, m.after, m.changed, m.forced, m.warnings, zoom)


@dataclass(frozen=True)
class SwappedPerson:
    email: str
    after: str


@dataclass(frozen=True)
class SwapResult:
    """``breakouts swap``: both people's new rooms and what happened in Zoom."""

    event: str
    round: int
    swapped: tuple[SwappedPerson, SwappedPerson]
    zoom: ZoomUpdate


# --- the scheduled job ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedRound:
    round: int
    placed_new: int


@dataclass(frozen=True)
class RoundError:
    round: int
    step: Literal["plan", "apply"]
    message: str


@dataclass(frozen=True)
class DueApplyReport:
    """The breakouts job: rounds planned, applied, already in Zoom, and errors (no join links)."""

    planned: list[PlannedRound]
    applied: list[ApplyOutcome]
    unchanged: list[ApplyOutcome]
    errors: list[RoundError]
    event: str
