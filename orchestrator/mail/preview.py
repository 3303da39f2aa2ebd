"""Preview: render one mail kind in one language into files (text, HTML, .ics, .eml); opens nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.agenda import Agenda
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
# What a preview in the browser shows instead of a personal join link (never a real one).
HIDDEN_JOIN_URLS: dict[str, str] = {
    "de": "https://zoom.us/w/…(persönlicher Link)",
    "en": "https://zoom.us/w/…(personal link)",
}


@dataclass(frozen=True)
class PreviewRequest:
    kind: str
    language: Language
    to: str | None = None
    out_dir: Path = Path("mail-preview")
    # True: the join link is replaced by a placeholder (the browser never shows a real one).
    hide_link: bool = False
    # One occasion of the kind ("reminder:7d", "breakout:2"); None: the last reminder, round 1.
    occasion: str | None = None


@dataclass(frozen=True)
class MailPreview:
    """One mail rendered in memory: subject, text, HTML, .ics and the .eml as it would be sent."""

    kind: str
    language: str
    recipient: str
    subject: str
    text: str
    html: str
    ics: bytes | None
    eml: bytes

    def __repr__(self) -> str:  # the bodies may hold a join link
        return f"MailPreview(kind={self.kind!r}, language={self.language!r})"


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
    preview = build_preview(session, event, renderer, request, sender=sender, date=date)
    request.out_dir.mkdir(parents=True, exist_ok=True)
    stem = request.out_dir / f"{request.kind}-{request.language}"
    files = {
        ".subject.txt": preview.subject.encode("utf-8") + b"\n",
        ".txt": preview.text.encode("utf-8"),
        ".html": preview.html.encode("utf-8"),
        ".eml": preview.eml,
    }
    if preview.ics is not None:
        files[".ics"] = preview.ics
    written = []
    for suffix, data in files.items():
        path = stem.with_name(stem.name + suffix)
        path.write_bytes(data)
        written.append(path)
    return written


@dataclass(frozen=True)
class TestAddress:
    """Where a test mail goes instead of the participant, and its own Message-ID."""

    to: str
    message_id: str


def build_preview(
    session: Session,
    event: Event,
    renderer: MailRenderer,
    request: PreviewRequest,
    *,
    sender: str,
    date: datetime | None = None,
    test: TestAddress | None = None,
) -> MailPreview:
    """Render one mail kind in one language for a sample person or ``request.to``, in memory.

    ``test`` sends it to another address with the subject marked "[Test]" (a test mail to the
    organiser) under its own Message-ID.
    """
    if request.kind not in MAIL_KINDS:
        raise BadInput(
            _("Unknown mail kind {kind}; use one of {kinds}.", kind=request.kind, kinds=", ".join(MAIL_KINDS))
        )
    agenda = agenda_of(event)
    recipient, person = _recipient(session, event, agenda, request)
    if test is not None:
        recipient = replace(recipient, email=test.to)
    occasion_key, room = _occasion(session, event, agenda, request, person)
    occasion = occasion_of(request.kind, occasion_key, agenda, room)
    rendered = renderer.render(request.kind, event_info(session, event, agenda), recipient, occasion)
    if test is not None:
        rendered = replace(rendered, subject=f"[Test] {rendered.subject}")
    prepared = build_prepared(
        rendered,
        sender=sender,
        recipient=recipient,
        message_id=test.message_id
        if test is not None
        else f"<preview-{request.kind}-{request.language}@{domain_of(sender)}>",
        date=date,
    )
    return MailPreview(
        kind=request.kind,
        language=request.language,
        recipient=recipient.email,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        ics=rendered.ics,
        eml=prepared.data,
    )


def _recipient(
    session: Session, event: Event, agenda: Agenda, request: PreviewRequest
) -> tuple[Recipient, Person | None]:
    """The sample person, or the registered person ``request.to`` (in the requested language)."""
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
    if request.hide_link:
        recipient = replace(recipient, join_url=HIDDEN_JOIN_URLS[request.language])
    return recipient, person


def _occasion(
    session: Session, event: Event, agenda: Agenda, request: PreviewRequest, person: Person | None
) -> tuple[str, str | None]:
    """The occasion key of the previewed mail and, for a room mail, the room."""
    if request.kind == "reminder":
        wanted = [reminder_occasion(o) for o in agenda.mails.reminders]
        if request.occasion is None:
            offset = agenda.mails.reminders[-1] if agenda.mails.reminders else timedelta(days=1)
            return reminder_occasion(offset), None
        if request.occasion not in wanted:
            raise BadInput(_("The agenda has no mail {occasion}.", occasion=request.occasion))
        return request.occasion, None
    if request.kind != "breakout_room":
        return request.kind, None
    if not agenda.breakout_rounds:
        raise BadInput(_("The agenda has no breakout rounds, so there is no room mail to preview."))
    chosen = agenda.breakout_rounds[0]
    if request.occasion is not None:
        matching = [r for r in agenda.breakout_rounds if breakout_occasion(r.number) == request.occasion]
        if not matching:
            raise BadInput(_("The agenda has no mail {occasion}.", occasion=request.occasion))
        chosen = matching[0]
    room = room_for_person(session, event.id, chosen.number, person.id) if person is not None else None
    return breakout_occasion(chosen.number), room or (chosen.rooms[0].name if chosen.rooms else "Raum 1")
