"""Render one participant's mail (subject, plain text, HTML, .ics) from Jinja2 templates.

Templates live in ``orchestrator/mail/templates/<lang>/`` as ``<kind>.subject.j2``, ``<kind>.txt.j2``
and ``<kind>.html.j2`` (each kind extends ``layout.txt.j2`` / ``layout.html.j2``). A directory
named in settings is searched first, so organisers can override any single file (wording, logo).

Two Jinja environments share one loader: HTML autoescapes, plain text does not (one autoescaping
environment would turn "&" into "&amp;" in the text part). Both use ``StrictUndefined`` so a
template that needs a value we did not provide fails loudly instead of sending a half-empty mail.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo

import jinja2
from babel.dates import format_datetime, format_timedelta

from orchestrator.clock import Clock, SystemClock
from orchestrator.errors import BadInput
from orchestrator.i18n import translate
from orchestrator.mail.message import HeaderInjection, refuse_line_breaks

MailKind = Literal["confirmation", "reminder", "breakout_room", "thank_you"]
MAIL_KINDS: tuple[str, ...] = get_args(MailKind)
KINDS_WITHOUT_ICS: frozenset[str] = frozenset()
Language = Literal["de", "en"]

_TEMPLATE_DIR = Path(__file__).parent / "templates"

# Babel patterns: de "Mittwoch, 27. August 2025, 09:30 Uhr", en "Wednesday, 27 August 2025, 09:30".
_DATETIME_PATTERNS: dict[str, str] = {"de": "EEEE, d. MMMM y, HH:mm 'Uhr'", "en": "EEEE, d MMMM y, HH:mm"}
_DATE_PATTERNS: dict[str, str] = {"de": "EEEE, d. MMMM y", "en": "EEEE, d MMMM y"}
_TIME_PATTERNS: dict[str, str] = {"de": "HH:mm 'Uhr'", "en": "HH:mm"}


@dataclass(frozen=True)
class ProgrammeItem:
    """One line of the programme, times already local strings ("09:30")."""

    start: str
    end: str
    title: str


@dataclass(frozen=True)
class EventInfo:
    """What every mail says about the event (built by the caller from the agenda)."""

    key: str
    title: str
    organiser_name: str
    contact_email: str
    contact_phone: str | None
    timezone: str
    start_utc: datetime
    end_utc: datetime
    zoom_meeting_id: str | None = None
    programme: tuple[ProgrammeItem, ...] = ()
    # Further contact lines such as "Dr. Katrin Alert: 030 / 221 8298 – 42".
    extra_contacts: tuple[str, ...] = ()
    website: str | None = None


@dataclass(frozen=True)
class Recipient:
    """One participant. ``join_url`` is their personal Zoom link (a credential: never log it)."""

    email: str
    first_name: str
    last_name: str
    language: Language
    join_url: str | None

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.first_name.strip(), self.last_name.strip()) if part)

    def __repr__(self) -> str:  # keeps join URLs out of logs and tracebacks
        return f"Recipient(email={self.email!r}, language={self.language!r}, join_url=<hidden>)"


@dataclass(frozen=True)
class Occasion:
    """Why this mail is sent now: a reminder offset or a breakout round (else all defaults)."""

    reminder_offset: timedelta | None = None
    breakout_round: int | None = None
    breakout_room: str | None = None
    round_start_utc: datetime | None = None
    round_end_utc: datetime | None = None
    room_moderators: tuple[str, ...] = ()
    round_title: str | None = None
    # Raised by the caller when event details changed so calendar clients replace the entry.
    ics_sequence: int = 0


@dataclass(frozen=True)
class RenderedMail:
    """A rendered mail, ready for :func:`orchestrator.mail.fastmime.build_prepared`."""

    kind: str
    language: str
    subject: str
    text: str
    html: str
    ics: bytes | None

    def __repr__(self) -> str:  # bodies hold the join URL
        return f"RenderedMail(kind={self.kind!r}, language={self.language!r}, subject={self.subject!r})"


class _Fields:
    """Template values, read as attributes (``event.title``) or as keys (``event["title"]``).

    Jinja tries attribute access first; on a dict every such lookup raises and catches an
    AttributeError before it falls back to the key, which cost more than the rest of the render.
    Here the values are plain instance attributes, found on the first try.
    """

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)

    def __getitem__(self, key: str) -> Any:
        return self.__dict__[key]

    def __contains__(self, key: object) -> bool:
        return key in self.__dict__

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dict__)

    def get(self, key: str, default: Any = None) -> Any:
        return self.__dict__.get(key, default)

    def __repr__(self) -> str:
        return f"_Fields({', '.join(self.__dict__)})"


@functools.lru_cache(maxsize=32)
def _event_fields(event: EventInfo, language: str) -> tuple[_Fields, _Fields]:
    """The ``event`` and ``contact`` template values; the same for every mail of a mailing (cached).

    Templates only read them, so one instance is shared by all renders (and threads).
    """
    fmt = DateFormatter(language, event.timezone)
    programme = [_Fields(start=p.start, end=p.end, title=p.title) for p in event.programme]
    return (
        _Fields(
            title=event.title,
            organiser=event.organiser_name,
            start=fmt.datetime_long(event.start_utc),
            date=fmt.date_long(event.start_utc),
            time_range=fmt.time_range(event.start_utc, event.end_utc),
            end_time=fmt.time(event.end_utc),
            meeting_id=event.zoom_meeting_id,
            programme=programme,
            website=event.website,
            timezone=event.timezone,
        ),
        _Fields(
            organiser=event.organiser_name,
            email=event.contact_email,
            phone=event.contact_phone,
            extra=list(event.extra_contacts),
        ),
    )


class TemplateProblem(BadInput):
    """A mail template is missing or uses a value that is not provided."""


@functools.lru_cache(maxsize=512)
def _format_datetime(when: datetime, pattern: str, timezone: str, language: str) -> str:
    # Cached: all mails of a mailing format the same few times, and Babel takes ~50 µs per call.
    return format_datetime(when, pattern, tzinfo=ZoneInfo(timezone), locale=language)


@functools.lru_cache(maxsize=64)
def _format_until(offset: timedelta, language: str) -> str:
    return format_timedelta(offset, locale=language, add_direction=True)


class DateFormatter:
    """Babel date formatting in one language and the event's timezone."""

    def __init__(self, language: str, timezone: str) -> None:
        self.language = language
        self.timezone = timezone
        self.tz = ZoneInfo(timezone)

    def _format(self, when: datetime, pattern: str) -> str:
        return _format_datetime(when, pattern, self.timezone, self.language)

    def datetime_long(self, when: datetime) -> str:
        return self._format(when, _DATETIME_PATTERNS[self.language])

    def date_long(self, when: datetime) -> str:
        return self._format(when, _DATE_PATTERNS[self.language])

    def time(self, when: datetime) -> str:
        return self._format(when, _TIME_PATTERNS[self.language])

    def time_range(self, start: datetime, end: datetime) -> str:
        """ "09:30–14:15 Uhr" (de) / "09:30–14:15" (en)."""
        return f"{self._format(start, 'HH:mm')}–{self.time(end)}"

    def until(self, offset: timedelta) -> str:
        """ "in 1 Tag" / "in 1 day" for a reminder offset before the start."""
        return _format_until(offset, self.language)


def _environment(loader: jinja2.BaseLoader, *, autoescape: bool) -> jinja2.Environment:
    return jinja2.Environment(
        loader=loader,
        autoescape=autoescape,  # noqa: S701  (False only for the plain-text part, see module doc)
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )


class MailRenderer:
    """Renders mails; thread-safe (Jinja environments are), so send workers can share one."""

    def __init__(
        self,
        template_dir_override: Path | None = None,
        logo_url: str | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        loaders: list[jinja2.BaseLoader] = []
        if template_dir_override is not None:
            if not template_dir_override.is_dir():
                raise TemplateProblem(
                    translate(
                        "Mail template directory {path} does not exist or is not a directory.",
                        path=str(template_dir_override),
                    )
                )
            loaders.append(jinja2.FileSystemLoader(str(template_dir_override)))
        loaders.append(jinja2.FileSystemLoader(str(_TEMPLATE_DIR)))
        loader = jinja2.ChoiceLoader(loaders)
        self._text_env = _environment(loader, autoescape=False)
        self._html_env = _environment(loader, autoescape=True)
        self._logo_url = logo_url
        self._clock: Clock = clock or SystemClock()
        # Compiled templates by (autoescape, name); templates do not change while we run.
        self._templates: dict[tuple[bool, str], jinja2.Template] = {}

    def render(
        self,
        kind: str,
        event: EventInfo,
        recipient: Recipient,
        occasion: Occasion | None = None,
        *,
        with_ics: bool | None = None,
        now: datetime | None = None,
    ) -> RenderedMail:
        """Render ``kind`` for ``recipient``; raises ``HeaderInjection`` or ``TemplateProblem``.

        ``with_ics`` defaults to True except for the thank-you mail (the event is over; neither the
        calendar entry nor the join link is sent again).
        """
        # Imported here: ics imports this module's data classes.
        from orchestrator.mail.ics import make_ics

        if kind not in MAIL_KINDS:
            raise TemplateProblem(
                translate(
                    "Unknown mail kind {kind}; use one of {kinds}.", kind=kind, kinds=", ".join(MAIL_KINDS)
                )
            )
        occasion = occasion or Occasion()
        _check_header_values(recipient)
        context = self._context(kind, event, recipient, occasion)
        lang = recipient.language
        # A subject template is one line; its trailing newline is not part of the subject.
        subject = self._render(self._text_env, f"{lang}/{kind}.subject.j2", context).strip()
        refuse_line_breaks("Subject", subject)
        text = self._render(self._text_env, f"{lang}/{kind}.txt.j2", context)
        html = self._render(self._html_env, f"{lang}/{kind}.html.j2", context)
        if with_ics is None:
            with_ics = kind not in KINDS_WITHOUT_ICS
        stamp = now or self._clock.now()
        ics = make_ics(event, recipient, occasion, now=stamp) if with_ics else None
        return RenderedMail(kind=kind, language=lang, subject=subject, text=text, html=html, ics=ics)

    def _render(self, env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
        try:
            key = (bool(env.autoescape), name)
            template = self._templates.get(key)
            if template is None:
                template = self._templates[key] = env.get_template(name)
            return template.render(context)
        except jinja2.TemplateNotFound as exc:
            raise TemplateProblem(translate("Mail template {name} not found.", name=str(exc.name))) from exc
        except jinja2.UndefinedError as exc:
            raise TemplateProblem(
                translate(
                    "Mail template {name} uses an unknown value: {why}", name=name, why=exc.message or ""
                )
            ) from exc
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(
                translate(
                    "Mail template {name}, line {line}: {why}",
                    name=name,
                    line=exc.lineno,
                    why=exc.message or "",
                )
            ) from exc

    def _context(
        self, kind: str, event: EventInfo, recipient: Recipient, occasion: Occasion
    ) -> dict[str, Any]:
        fmt = DateFormatter(recipient.language, event.timezone)
        breakout: _Fields | None = None
        if kind == "reminder" and occasion.reminder_offset is None:
            raise TemplateProblem(translate("A reminder mail needs the reminder offset."))
        if kind == "breakout_room":
            if (
                occasion.breakout_room is None
                or occasion.round_start_utc is None
                or occasion.round_end_utc is None
            ):
                raise TemplateProblem(
                    translate("A breakout room mail needs the room name and the round's start and end.")
                )
            breakout = _Fields(
                round=occasion.breakout_round,
                title=occasion.round_title,
                room=occasion.breakout_room,
                moderators=list(occasion.room_moderators),
                start=fmt.datetime_long(occasion.round_start_utc),
                date=fmt.date_long(occasion.round_start_utc),
                time_range=fmt.time_range(occasion.round_start_utc, occasion.round_end_utc),
            )
        event_fields, contact_fields = _event_fields(event, recipient.language)
        return {
            "kind": kind,
            "lang": recipient.language,
            "event": event_fields,
            "contact": contact_fields,
            "recipient": _Fields(
                first_name=recipient.first_name.strip(),
                last_name=recipient.last_name.strip(),
                name=recipient.display_name,
                email=recipient.email,
            ),
            "join_url": recipient.join_url,
            "reminder": (
                _Fields(until=fmt.until(occasion.reminder_offset)) if occasion.reminder_offset else None
            ),
            "breakout": breakout,
            "logo_url": self._logo_url,
        }


def _check_header_values(recipient: Recipient) -> None:
    """Names and address go into the To header: refuse CR/LF before anything is rendered."""
    for field_name, value in (
        ("first name", recipient.first_name),
        ("last name", recipient.last_name),
        ("e-mail", recipient.email),
    ):
        refuse_line_breaks(field_name, value)


__all__ = [
    "MAIL_KINDS",
    "DateFormatter",
    "EventInfo",
    "HeaderInjection",
    "MailKind",
    "MailRenderer",
    "Occasion",
    "ProgrammeItem",
    "Recipient",
    "RenderedMail",
    "TemplateProblem",
]
