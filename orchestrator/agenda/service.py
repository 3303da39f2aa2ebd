"""The agenda use cases of the browser: create an event from an agenda text, save an edited agenda.

Every text goes through :func:`orchestrator.agenda.parse_agenda_text` (what ``agenda check`` and
``meeting setup`` run) and is stored with :func:`orchestrator.events.upsert_event` (what
``meeting setup`` stores an agenda with), so the browser and the commands accept exactly the same
files and leave the same event rows. Each saved text is kept as an :class:`AgendaVersion`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orchestrator.agenda.changes import changed_paths
from orchestrator.agenda.loader import LoadedAgenda, parse_agenda_text
from orchestrator.agenda.problems import AgendaError, AgendaProblem, Loc
from orchestrator.agenda.yamledit import EditUnsupported, Value, compose, construct, node_at, set_values
from orchestrator.db.models import AgendaVersion, Event
from orchestrator.errors import BadInput
from orchestrator.events import agenda_hash, upsert_event
from orchestrator.i18n import _

#: Largest agenda file accepted from the browser (the sample has about 8 KB).
MAX_AGENDA_BYTES = 256 * 1024
#: Who saved the version that was stored before the browser first saved one (``meeting setup``).
COMMAND_LINE = "command line"
_TIME_FIELDS: tuple[str, ...] = ("start", "end")


@dataclass(frozen=True)
class AgendaSource:
    """The agenda text of an event and where it came from.

    ``origin``: ``"version"`` (the last version saved in the browser), ``"file"`` (the file
    ``meeting setup`` read, unchanged since) or ``"store"`` (rebuilt from the stored agenda: the
    file's comments are lost). ``latest`` is the number of the newest saved version (0: none).
    """

    text: str
    origin: str
    latest: int

    @property
    def digest(self) -> str:
        return text_hash(self.text)


@dataclass(frozen=True)
class SavedAgenda:
    """The result of storing an agenda text."""

    event: str
    version: int
    changes: list[str]
    event_changed: bool
    warnings: list[str]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decode_upload(raw: bytes, name: str) -> str:
    """The text of an uploaded agenda file; :class:`AgendaError` if too large or not UTF-8."""
    if len(raw) > MAX_AGENDA_BYTES:
        raise AgendaError(
            name,
            [
                AgendaProblem(
                    "",
                    None,
                    _(
                        "the file is too large ({size} KB); an agenda file may have at most {limit} KB",
                        size=len(raw) // 1024,
                        limit=MAX_AGENDA_BYTES // 1024,
                    ),
                )
            ],
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise AgendaError(
            name, [AgendaProblem("", line, _("the file is not UTF-8 text; save it as UTF-8"))]
        ) from None


def check_text(text: str, name: str, *, now: dt.datetime, default_timezone: str | None) -> LoadedAgenda:
    """Validate ``text`` as ``agenda check`` does (a past start is a warning, not a problem)."""
    if len(text.encode("utf-8")) > MAX_AGENDA_BYTES:
        decode_upload(text.encode("utf-8"), name)
    return parse_agenda_text(text, name, now=now, source=Path(name), default_timezone=default_timezone)


def create_event(
    session: Session, text: str, *, name: str, saved_by: str, now: dt.datetime, default_timezone: str | None
) -> SavedAgenda:
    """Store a new event from agenda ``text`` (version 1); refuses a key the store already has."""
    loaded = check_text(text, name, now=now, default_timezone=default_timezone)
    key = loaded.agenda.key
    if session.scalar(select(Event.id).where(Event.key == key)) is not None:
        raise AgendaError(
            name,
            [
                AgendaProblem(
                    "key",
                    _line_of(text, ("key",)),
                    _("an event with the key '{key}' exists already; choose another key", key=key),
                )
            ],
        )
    loaded = _stored_as(loaded, key)
    event, _changed = upsert_event(session, loaded)
    _add_version(session, event, 1, saved_by, text, [], now)
    return SavedAgenda(event.key, 1, [], True, list(loaded.warnings))


def save_agenda(
    session: Session,
    event: Event,
    text: str,
    *,
    base_digest: str | None,
    saved_by: str,
    now: dt.datetime,
    default_timezone: str | None,
) -> SavedAgenda:
    """Store an edited agenda of ``event`` as its next version and update the event like a re-import.

    ``base_digest`` is the hash of the text the editor started from: if someone saved in between,
    nothing is stored (:class:`BadInput`). An unchanged text stores nothing.
    """
    # Take the event's write lock before reading the version to check against: a no-op UPDATE locks
    # the row on PostgreSQL and starts SQLite's write transaction, so a second save from the same
    # version waits here for the first to commit, then reads its text and is refused below.
    session.execute(update(Event).where(Event.id == event.id).values(key=Event.key))
    session.refresh(event)
    current = current_source(session, event)
    if base_digest is not None and base_digest != current.digest:
        raise _saved_meanwhile()
    name = f"{event.key}.yaml"
    loaded = check_text(text, name, now=now, default_timezone=default_timezone)
    if loaded.agenda.key != event.key:
        raise AgendaError(
            name,
            [
                AgendaProblem(
                    "key",
                    _line_of(text, ("key",)),
                    _(
                        "the key of an event cannot change (it is '{key}'); "
                        "create a new event by copying this one instead",
                        key=event.key,
                    ),
                )
            ],
        )
    latest = current.latest
    if text == current.text:
        return SavedAgenda(event.key, latest, [], False, list(loaded.warnings))
    if current.origin != "version":  # keep what the command line had stored as a version first
        latest += 1
        _add_version(session, event, latest, COMMAND_LINE, current.text, [], event.updated_at or now)
    changes = changed_paths(_data(current.text), _data(text)) or ["#"]
    loaded = _stored_as(loaded, event.key, latest + 1)
    _event, event_changed = upsert_event(session, loaded)
    _add_version(session, event, latest + 1, saved_by, text, changes, now)
    return SavedAgenda(event.key, latest + 1, changes, event_changed, list(loaded.warnings))


def current_source(session: Session, event: Event) -> AgendaSource:
    """The agenda text the editor starts from: the text of the agenda the event has now.

    A ``meeting setup`` with an edited file after the last browser save wins (it changed the event).
    """
    latest = session.scalar(
        select(AgendaVersion).where(AgendaVersion.event_id == event.id).order_by(AgendaVersion.version.desc())
    )
    number = latest.version if latest is not None else 0
    if latest is not None and _same_agenda(latest.source, event):
        return AgendaSource(latest.source, "version", number)
    path = Path(event.agenda_source)
    try:
        text = path.read_bytes().decode("utf-8-sig") if path.is_file() else None
    except (OSError, UnicodeDecodeError):
        text = None
    if text is not None and _same_agenda(text, event):
        return AgendaSource(text, "file", number)
    return AgendaSource(_dump(event.agenda_json), "store", number)


def versions(session: Session, event: Event) -> list[AgendaVersion]:
    """The saved versions of ``event``, newest first."""
    query = (
        select(AgendaVersion).where(AgendaVersion.event_id == event.id).order_by(AgendaVersion.version.desc())
    )
    return list(session.scalars(query))


def stored_agenda(session: Session, event: Event, *, now: dt.datetime, allow_past: bool) -> LoadedAgenda:
    """The event's current agenda as ``meeting setup`` would load it from its file."""
    source = current_source(session, event)
    loaded = parse_agenda_text(
        source.text,
        f"{event.key}.yaml",
        now=now,
        allow_past=allow_past,
        source=Path(event.agenda_source),
        default_timezone=event.timezone,
    )
    if agenda_hash(loaded.agenda) != event.agenda_hash:  # the stored agenda wins over an edited file
        raise BadInput(_("The stored agenda of {key} does not match its saved text.", key=event.key))
    return loaded


def copied_text(text: str, *, key: str, title: str | None, new_date: dt.date) -> str:
    """``text`` as a new event ``key`` on ``new_date``: every time moves by the same number of days.

    Times written as ``HH:MM`` follow the ``date``; full date-times move by the date difference in
    local time (09:30 stays 09:30, also across a DST change). Rooms and everything else stay.
    """
    data = _data(text)
    if not isinstance(data, dict):
        raise EditUnsupported((), _("the agenda must be a mapping of fields (key: value) at the top level"))
    old_date = _as_date(data.get("date"))
    changes: dict[Loc, Value] = {("key",): key, ("date",): new_date}
    if title:
        changes[("title",)] = title
    if old_date is not None:
        days = dt.timedelta(days=(new_date - old_date).days)
        for loc, value in _datetimes(data):
            changes[loc] = _moved(value, days)
    return set_values(text, changes)


def _datetimes(data: dict[str, Any]) -> list[tuple[Loc, Any]]:
    found: list[tuple[Loc, Any]] = []
    locs: list[Loc] = [(name,) for name in _TIME_FIELDS] + [("registration", "close_at")]
    for group in ("blocks", "breakout_rounds"):
        items = data.get(group)
        if isinstance(items, list):
            locs += [(group, index, name) for index in range(len(items)) for name in _TIME_FIELDS]
    for loc in locs:
        value: Any = data
        for part in loc:
            if isinstance(value, dict):
                value = value.get(part)
            elif isinstance(value, list) and isinstance(part, int) and part < len(value):
                value = value[part]
            else:
                value = None
        if isinstance(value, dt.datetime) or (isinstance(value, str) and "T" in value):
            found.append((loc, value))
    return found


def _moved(value: Any, days: dt.timedelta) -> Value:
    if isinstance(value, dt.datetime):
        return value + days
    try:
        moved = dt.datetime.fromisoformat(str(value).strip()) + days
    except ValueError:
        return str(value)  # validation reports it with its line
    return moved.isoformat(timespec="minutes" if moved.second == 0 else "seconds")


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _data(text: str) -> Any:
    try:
        return construct(text)
    except yaml.YAMLError:
        return None


def _line_of(text: str, loc: Loc) -> int | None:
    try:
        node = node_at(compose(text), loc)
    except yaml.YAMLError:
        return None
    return node.start_mark.line + 1 if node is not None else None


def _stored_as(loaded: LoadedAgenda, key: str, version: int = 1) -> LoadedAgenda:
    return LoadedAgenda(
        agenda=loaded.agenda,
        warnings=loaded.warnings,
        source=Path(f"browser:{key}/v{version}"),
        is_past=loaded.is_past,
        is_over=loaded.is_over,
        allow_past=loaded.allow_past,
    )


def _saved_meanwhile() -> BadInput:
    return BadInput(
        _(
            "The agenda was saved by someone else in the meantime. Nothing was saved; "
            "please reload the page and make your change again."
        )
    )


def _add_version(
    session: Session, event: Event, number: int, saved_by: str, text: str, changes: list[str], at: dt.datetime
) -> None:
    session.add(
        AgendaVersion(
            event_id=event.id,
            version=number,
            saved_at=at,
            saved_by=saved_by[:200],
            source=text,
            source_hash=text_hash(text),
            changes=changes,
        )
    )
    try:
        session.flush()
    except IntegrityError:
        # Two saves from the same version at the same moment: the second finds its version number
        # taken once the first commits. The caller rolls back; nothing of the second is stored.
        raise _saved_meanwhile() from None


def _same_agenda(text: str, event: Event) -> bool:
    try:
        loaded = parse_agenda_text(text, event.key, allow_past=True, default_timezone=event.timezone)
    except BadInput:
        return False
    return agenda_hash(loaded.agenda) == event.agenda_hash


def _dump(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
