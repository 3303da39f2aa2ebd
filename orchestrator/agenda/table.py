"""The agenda as rows for the CLI table and as a JSON-ready summary (``--json``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from orchestrator.agenda.durations import format_offset
from orchestrator.agenda.model import Agenda, Block, BlockKind, BreakoutRound
from orchestrator.i18n import _


def kind_label(kind: BlockKind) -> str:
    """The translated label of a block kind."""
    labels = {
        "welcome": _("Welcome"),
        "keynote": _("Keynote"),
        "talk": _("Talk"),
        "practice": _("Practice example"),
        "break": _("Break"),
        "breakout": _("Breakout session"),
        "outlook": _("Outlook"),
        "other": _("Other"),
    }
    return labels[kind]


def _time_range(agenda: Agenda, start: dt.datetime, end: dt.datetime) -> str:
    def clock(value: dt.datetime) -> str:
        # Only times on another day than the event date carry their date.
        return value.strftime("%H:%M") if value.date() == agenda.date else value.strftime("%Y-%m-%d %H:%M")

    return f"{clock(start)}–{clock(end)}"


def _rooms_summary(breakout_round: BreakoutRound) -> str:
    rooms = ", ".join(f"{room.name} ({room.capacity})" for room in breakout_round.rooms)
    return _("Round {number}: {rooms}", number=breakout_round.number, rooms=rooms)


def _speakers_summary(block: Block) -> str:
    people = ", ".join(block.speakers)
    if block.organisation and people:
        return f"{people} ({block.organisation})"
    return people or (block.organisation or "")


def programme_rows(agenda: Agenda) -> list[tuple[str, str, str, str]]:
    """``(time range, kind label, title, speakers or rooms)`` in time order.

    A breakout block lists the rooms of the rounds inside it; a round outside every block gets a
    row of its own.
    """
    rows: list[tuple[dt.datetime, int, tuple[str, str, str, str]]] = []
    covered: set[int] = set()
    for block in agenda.blocks:
        summary = _speakers_summary(block)
        if block.kind == "breakout":
            inside = [r for r in agenda.breakout_rounds if block.start <= r.start and r.end <= block.end]
            covered.update(r.number for r in inside)
            summary = (
                "; ".join([summary, *(_rooms_summary(r) for r in inside)])
                if summary
                else "; ".join(_rooms_summary(r) for r in inside)
            )
        rows.append(
            (
                block.start,
                0,
                (_time_range(agenda, block.start, block.end), kind_label(block.kind), block.title, summary),
            )
        )
    for breakout_round in agenda.breakout_rounds:
        if breakout_round.number not in covered:
            row = (
                _time_range(agenda, breakout_round.start, breakout_round.end),
                kind_label("breakout"),
                breakout_round.title,
                _rooms_summary(breakout_round),
            )
            rows.append((breakout_round.start, 1, row))
    return [row for _start, _order, row in sorted(rows, key=lambda item: (item[0], item[1]))]


def _iso_utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def to_summary_dict(agenda: Agenda) -> dict[str, Any]:
    """A JSON-serialisable summary (local times as ISO strings, UTC times with ``Z``)."""
    return {
        "key": agenda.key,
        "title": agenda.title,
        "subtitle": agenda.subtitle,
        "organiser": {"name": agenda.organiser.name, "contact_email": agenda.organiser.contact_email},
        "timezone": agenda.timezone,
        "date": agenda.date.isoformat(),
        "start": agenda.start.isoformat(timespec="minutes"),
        "end": agenda.end.isoformat(timespec="minutes"),
        "start_utc": _iso_utc(agenda.start_utc),
        "end_utc": _iso_utc(agenda.end_utc),
        "duration_minutes": agenda.duration_minutes,
        "blocks": [
            {
                "title": block.title,
                "kind": block.kind,
                "start": block.start.isoformat(timespec="minutes"),
                "end": block.end.isoformat(timespec="minutes"),
                "speakers": list(block.speakers),
                "organisation": block.organisation,
            }
            for block in agenda.blocks
        ],
        "breakout_rounds": [
            {
                "number": r.number,
                "title": r.title,
                "start": r.start.isoformat(timespec="minutes"),
                "end": r.end.isoformat(timespec="minutes"),
                "apply_at_utc": _iso_utc(r.apply_at_utc(agenda)),
                "capacity": r.capacity,
                "rooms": [
                    {
                        "name": room.name,
                        "capacity": room.capacity,
                        "moderators": [m.name for m in room.moderators],
                    }
                    for room in r.rooms
                ],
            }
            for r in agenda.breakout_rounds
        ],
        "workshops": agenda.workshops(),
        "registration": {
            "approval": agenda.registration.approval,
            "auto_approve_imported": agenda.registration.auto_approve_imported,
            "close_at": agenda.registration.close_at.isoformat(timespec="minutes")
            if agenda.registration.close_at
            else None,
        },
        "mails": {
            "confirmation": agenda.mails.confirmation,
            "reminders": [format_offset(offset) for offset in agenda.mails.reminders],
            "breakout_room": agenda.mails.breakout_room,
            "breakout_lead_minutes": agenda.mails.breakout_lead_minutes,
            "thank_you": agenda.mails.thank_you,
            "thank_you_delay": format_offset(agenda.mails.thank_you_delay),
        },
        "languages": list(agenda.languages),
        "default_language": agenda.default_language,
        "zoom": {**agenda.zoom.model_dump(), "topic": agenda.zoom_topic},
    }
