"""What the renderer needs for an outbox row: event facts, the recipient, the occasion."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.agenda import Agenda
from orchestrator.db.models import Event, Person, ZoomMeeting, ZoomRegistration
from orchestrator.mail.deadlines import reminder_offset_of, round_of
from orchestrator.mail.render import EventInfo, Language, Occasion, ProgrammeItem, Recipient


def event_info(session: Session, event: Event, agenda: Agenda) -> EventInfo:
    """The event as every mail describes it (programme times local to the event)."""
    organiser = agenda.organiser
    contacts = [f"{c.name}: {c.phone}" if c.phone else c.name for c in organiser.contacts]
    phone = organiser.contact_phone or (contacts.pop(0) if contacts else None)
    meeting_id = session.scalar(select(ZoomMeeting.zoom_meeting_id).where(ZoomMeeting.event_id == event.id))
    return EventInfo(
        key=event.key,
        title=agenda.title,
        organiser_name=organiser.name,
        contact_email=organiser.contact_email,
        contact_phone=phone,
        timezone=agenda.timezone,
        start_utc=agenda.start_utc,
        end_utc=agenda.end_utc,
        zoom_meeting_id=str(meeting_id) if meeting_id else None,
        programme=tuple(
            ProgrammeItem(block.start.strftime("%H:%M"), block.end.strftime("%H:%M"), block.title)
            for block in agenda.blocks
        ),
        extra_contacts=tuple(contacts),
        website=organiser.website,
    )


def recipient_of(person: Person, registration: ZoomRegistration | None, agenda: Agenda) -> Recipient:
    """The person as a mail recipient, in their language if the event offers it (else its default)."""
    return recipient_from(
        agenda,
        email=person.email_display or person.email,
        first_name=person.first_name,
        last_name=person.last_name,
        language=person.language,
        join_url=registration.join_url if registration else None,
    )


def recipient_from(
    agenda: Agenda, *, email: str, first_name: str, last_name: str, language: str, join_url: str | None
) -> Recipient:
    """:func:`recipient_of` from plain column values (the dispatcher reads rows, not ORM objects)."""
    chosen: Language = agenda.default_language
    if language in agenda.languages and language in ("de", "en"):
        chosen = "en" if language == "en" else "de"
    return Recipient(
        email=email, first_name=first_name, last_name=last_name, language=chosen, join_url=join_url
    )


def occasion_of(kind: str, occasion: str, agenda: Agenda, room: str | None = None) -> Occasion:
    """The renderer's occasion for a row (reminder offset, or the breakout round and room)."""
    if kind == "reminder":
        return Occasion(reminder_offset=reminder_offset_of(occasion))
    if kind == "breakout_room":
        number = round_of(occasion)
        spec = next(r for r in agenda.breakout_rounds if r.number == number)
        moderators: tuple[str, ...] = ()
        if room is not None:
            try:
                moderators = tuple(m.name for m in spec.room(room).moderators)
            except KeyError:
                moderators = ()
        return Occasion(
            breakout_round=number,
            breakout_room=room,
            round_start_utc=spec.start_utc(agenda),
            round_end_utc=spec.end_utc(agenda),
            room_moderators=moderators,
            round_title=spec.title,
        )
    return Occasion()
