"""Preview: render one mail kind in one language into files (text, HTML, .ics, .eml); opens nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.breakouts.queries import room_for_person
from orchestrator.db.models import Event, Person
from orchestrator.errors import BadInput
from orchestrator.events import agenda_of
from orchestrator.i18n import _
from orchestrator.mail.compose import event_info, occasion_of, recipient_of
from orchestrator.mail.deadlines import breakout_occasion, reminder_occasion
from orchestrator.mail.fastmime import build_prepared
from orchestrator.mail.outbox import domain_of
from orchestrator.mail.render import MAIL_KINDS, Language, MailRenderer, Recipient

SAMPLE_JOIN_URL = "https://zoom.us/w/00000000000?tk=BEISPIEL-LINK"


@dataclass(frozen=True)
class PreviewRequest:
    kind: str
    language: Language
    to: str | None = None
    out_dir: Path = Path("mail-preview")


def _sample_recipient(language: Language) -> Recipient:
    if language == "en":
        return Recipient("sam.sample@example.org", "Sam", "Sample", "en", SAMPLE_JOIN_URL)
    return Recipient("erika.mustermann@example.org", "Erika", "Mustermann", "de", SAMPLE_JOIN_URL)


def render_preview(
    session: Session,
    event: Event,
    renderer: MailRenderer,
    request: PreviewRequest,
    *,
    sender: str,
    date: datetime | None = None,
) -> list[Path]:
    """Write ``<kind>-<lang>.{subject.txt,txt,html,ics,eml}`` into ``out_dir``; returns the files.

    The .eml is built by the same writer the dispatcher sends with (quoted-printable bodies here,
    so the file reads well in any viewer).
    """
    if request.kind not in MAIL_KINDS:
        raise BadInput(
            _("Unknown mail kind {kind}; use one of {kinds}.", kind=request.kind, kinds=", ".join(MAIL_KINDS))
        )
    agenda = agenda_of(event)
    recipient = _sample_recipient(request.language)
    person: Person | None = None
    if request.to:
        person = session.scalar(
            select(Person).where(Person.event_id == event.id, Person.email == request.to.strip().lower())
        )
        if person is None:
            raise BadInput(
                _("No person with the e-mail {email} is registered for this event.", email=request.to)
            )
        recipient = recipient_of(person, person.registration, agenda)
        recipient = Recipient(
            recipient.email,
            recipient.first_name,
            recipient.last_name,
            request.language,
            recipient.join_url or SAMPLE_JOIN_URL,
        )
    occasion_key = request.kind
    room: str | None = None
    if request.kind == "reminder":
        offset = agenda.mails.reminders[-1] if agenda.mails.reminders else timedelta(days=1)
        occasion_key = reminder_occasion(offset)
    elif request.kind == "breakout_room":
        if not agenda.breakout_rounds:
            raise BadInput(_("The agenda has no breakout rounds, so there is no room mail to preview."))
        first = agenda.breakout_rounds[0]
        occasion_key = breakout_occasion(first.number)
        if person is not None:
            room = room_for_person(session, event.id, first.number, person.id)
        room = room or (first.rooms[0].name if first.rooms else "Raum 1")
    occasion = occasion_of(request.kind, occasion_key, agenda, room)
    rendered = renderer.render(request.kind, event_info(session, event, agenda), recipient, occasion)
    prepared = build_prepared(
        rendered,
        sender=sender,
        recipient=recipient,
        message_id=f"<preview-{request.kind}-{request.language}@{domain_of(sender)}>",
        date=date,
    )
    request.out_dir.mkdir(parents=True, exist_ok=True)
    stem = request.out_dir / f"{request.kind}-{request.language}"
    files = {
        ".subject.txt": rendered.subject.encode("utf-8") + b"\n",
        ".txt": rendered.text.encode("utf-8"),
        ".html": rendered.html.encode("utf-8"),
        ".eml": prepared.data,
    }
    if rendered.ics is not None:
        files[".ics"] = rendered.ics
    written = []
    for suffix, data in files.items():
        path = stem.with_name(stem.name + suffix)
        path.write_bytes(data)
        written.append(path)
    return written
