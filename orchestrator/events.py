"""The stored event: an agenda written into the store, and finding the event a command acts on."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.agenda import Agenda, LoadedAgenda
from orchestrator.db.models import AgendaBlock, BreakoutRoom, BreakoutRoundRecord, Event
from orchestrator.errors import BadInput
from orchestrator.i18n import _


def agenda_document(agenda: Agenda) -> dict[str, Any]:
    """The agenda as plain JSON (what the store keeps)."""
    return agenda.model_dump(mode="json")


def agenda_hash(agenda: Agenda) -> str:
    canonical = json.dumps(agenda_document(agenda), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def agenda_of(event: Event) -> Agenda:
    """The validated agenda stored with ``event``."""
    return Agenda.model_validate(event.agenda_json)


def upsert_event(session: Session, loaded: LoadedAgenda) -> tuple[Event, bool]:
    """Create or update the event of ``loaded``; returns (event, whether anything changed).

    Rounds are matched by number and rooms by name, so rows other tables refer to (breakout plans)
    survive an agenda edit; blocks are simply replaced.
    """
    agenda = loaded.agenda
    digest = agenda_hash(agenda)
    event = session.scalar(select(Event).where(Event.key == agenda.key))
    if event is not None and event.agenda_hash == digest:
        return event, False
    if event is None:
        event = Event(key=agenda.key)
        session.add(event)
    event.title = agenda.title
    event.timezone = agenda.timezone
    event.start_utc = agenda.start_utc
    event.end_utc = agenda.end_utc
    event.agenda_source = str(loaded.source)
    event.agenda_json = agenda_document(agenda)
    event.agenda_hash = digest
    _sync_blocks(event, agenda)
    _sync_rounds(event, agenda)
    session.flush()
    return event, True


def _sync_blocks(event: Event, agenda: Agenda) -> None:
    # Rows are updated in place by position: deleting and re-inserting in one flush would
    # collide on the (event, position) constraint, since SQLAlchemy inserts before it deletes.
    existing = list(event.blocks)
    for stale in existing[len(agenda.blocks) :]:
        event.blocks.remove(stale)
    for position, block in enumerate(agenda.blocks):
        row = existing[position] if position < len(existing) else AgendaBlock(position=position)
        if position >= len(existing):
            event.blocks.append(row)
        row.kind = block.kind
        row.title = block.title
        row.speakers = list(block.speakers)
        row.start_utc = agenda.to_utc(block.start)
        row.end_utc = agenda.to_utc(block.end)


def _sync_rounds(event: Event, agenda: Agenda) -> None:
    existing = {r.number: r for r in event.rounds}
    wanted = {r.number for r in agenda.breakout_rounds}
    for number, stale in existing.items():
        if number not in wanted:
            event.rounds.remove(stale)
    for spec in agenda.breakout_rounds:
        round_row = existing.get(spec.number)
        if round_row is None:
            round_row = BreakoutRoundRecord(number=spec.number)
            event.rounds.append(round_row)
        round_row.title = spec.title
        round_row.start_utc = agenda.to_utc(spec.start)
        round_row.end_utc = agenda.to_utc(spec.end)
        round_row.apply_lead_minutes = spec.apply_lead_minutes
        rooms = {room.name: room for room in round_row.rooms}
        for name in set(rooms) - {room.name for room in spec.rooms}:
            round_row.rooms.remove(rooms[name])
        for position, room_spec in enumerate(spec.rooms):
            room = rooms.get(room_spec.name)
            if room is None:
                room = BreakoutRoom(name=room_spec.name)
                round_row.rooms.append(room)
            room.position = position
            room.capacity = room_spec.capacity
            room.moderators = [{"name": m.name, "email": m.email} for m in room_spec.moderators]


def resolve_event(session: Session, key: str | None) -> Event:
    """The event named by ``--event KEY``, or the only event in the store."""
    if key:
        event = session.scalar(select(Event).where(Event.key == key))
        if event is None:
            known = ", ".join(session.scalars(select(Event.key).order_by(Event.key))) or "-"
            raise BadInput(
                _("There is no event with the key '{key}'. Known events: {known}.", key=key, known=known)
            )
        return event
    events = list(session.scalars(select(Event).order_by(Event.key)))
    if not events:
        raise BadInput(_("The store holds no event yet. Run 'orchestrator meeting setup AGENDA.yaml' first."))
    if len(events) > 1:
        raise BadInput(
            _(
                "The store holds several events ({keys}); choose one with --event KEY.",
                keys=", ".join(e.key for e in events),
            )
        )
    return events[0]
