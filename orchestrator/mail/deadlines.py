"""When each mail of an event is due and its latest useful send time (deadline).

Declared rules (all times UTC, all derived from the agenda, so a moved event moves its mails):

* ``confirmation``: due when the person's Zoom registration completed; deadline = event end.
* ``reminder:<offset>``: due at start − offset; deadline = the next reminder's due time (it
  supersedes this one), for the last reminder the event start. A person registered after a
  reminder's due time does not get it (the confirmation already says everything).
* ``breakout:<n>``: due at round start − ``breakout_lead_minutes``; deadline = round start.
* ``thank_you``: due at end + ``thank_you_delay``; deadline = :data:`THANK_YOU_VALID` later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from orchestrator.agenda import Agenda

THANK_YOU_VALID = timedelta(days=14)

CONFIRMATION = "confirmation"
THANK_YOU = "thank_you"
_REMINDER_PREFIX = "reminder:"
_BREAKOUT_PREFIX = "breakout:"
_LABEL = re.compile(r"^(\d+)([dhm])$")
_UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}


@dataclass(frozen=True)
class MailSlot:
    """One mail the agenda asks for (per person it may still be skipped, see the planner)."""

    kind: str
    occasion: str
    due_at: datetime
    deadline: datetime


def offset_label(offset: timedelta) -> str:
    """``7d`` / ``1h`` / ``90m``: the largest whole unit that expresses ``offset`` exactly."""
    seconds = int(offset.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds // 60}m"


def label_offset(label: str) -> timedelta:
    """Inverse of :func:`offset_label`."""
    match = _LABEL.match(label)
    if match is None:
        raise ValueError(f"not a reminder offset label: {label!r}")
    return int(match.group(1)) * _UNITS[match.group(2)]


def reminder_occasion(offset: timedelta) -> str:
    return f"{_REMINDER_PREFIX}{offset_label(offset)}"


def breakout_occasion(round_number: int) -> str:
    return f"{_BREAKOUT_PREFIX}{round_number}"


def reminder_offset_of(occasion: str) -> timedelta:
    """The offset of a ``reminder:…`` occasion."""
    return label_offset(occasion.removeprefix(_REMINDER_PREFIX))


def round_of(occasion: str) -> int:
    """The round number of a ``breakout:…`` occasion."""
    return int(occasion.removeprefix(_BREAKOUT_PREFIX))


def confirmation_slot(agenda: Agenda, registered_at: datetime) -> MailSlot:
    return MailSlot("confirmation", CONFIRMATION, registered_at, agenda.end_utc)


def reminder_slots(agenda: Agenda) -> list[MailSlot]:
    """The reminders, earliest first; each one's deadline is the next one's due time."""
    times = agenda.reminder_times_utc()
    slots = []
    for index, (offset, due) in enumerate(times):
        deadline = times[index + 1][1] if index + 1 < len(times) else agenda.start_utc
        slots.append(MailSlot("reminder", reminder_occasion(offset), due, deadline))
    return slots


def breakout_slots(agenda: Agenda) -> list[MailSlot]:
    lead = timedelta(minutes=agenda.mails.breakout_lead_minutes)
    return [
        MailSlot(
            "breakout_room", breakout_occasion(r.number), r.start_utc(agenda) - lead, r.start_utc(agenda)
        )
        for r in agenda.breakout_rounds
    ]


def thank_you_slot(agenda: Agenda) -> MailSlot:
    due = agenda.thank_you_at_utc
    return MailSlot("thank_you", THANK_YOU, due, due + THANK_YOU_VALID)
