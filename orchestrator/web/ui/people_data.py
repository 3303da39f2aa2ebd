"""The people list of an event: search, filters and one page of rows, in a handful of SQL statements.

Whatever the number of people, one page costs the same: a count, the page's rows (LIMIT/OFFSET),
their mails and rooms (``IN`` the page's ids), the state counts and the rooms to filter by. Join
links are never read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal, select
from sqlalchemy.orm import Session

from orchestrator.db.models import (
    BreakoutAssignment,
    BreakoutRoom,
    BreakoutRoundRecord,
    Event,
    OutboxMessage,
    Person,
    ZoomRegistration,
)
from orchestrator.db.models.mail import OutboxState
from orchestrator.db.models.person import PersonStatus
from orchestrator.db.textfold import fold, folded
from orchestrator.ids import parse_store_id
from orchestrator.registrants.report import STATES
from orchestrator.registrants.state_sql import person_state_sql

PAGE_SIZE = 50
MAX_QUERY = 200
# The mail states one can filter by; "queued" includes mails being sent, "none": no mail yet.
MAIL_FILTERS = ("queued", "sent", "failed", "skipped", "cancelled", "none")
PERSON_STATUSES = (PersonStatus.ACTIVE, PersonStatus.CANCELLED)


@dataclass(frozen=True)
class PeopleFilter:
    """What the list shows: a search text and filters (each optional) and the page number."""

    q: str = ""
    zoom: str | None = None
    mail: str | None = None
    room: tuple[int, str] | None = None
    status: str | None = None
    page: int = 1

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> PeopleFilter:
        """The filter from the page's query parameters; unknown values are ignored, not errors."""
        zoom = params.get("zoom") or None
        mail = params.get("mail") or None
        status = params.get("status") or None
        page = parse_store_id(params.get("page") or "1") or 1
        return cls(
            q=" ".join((params.get("q") or "").split())[:MAX_QUERY],
            zoom=zoom if zoom in STATES else None,
            mail=mail if mail in MAIL_FILTERS else None,
            room=_room_of(params.get("room") or ""),
            status=status if status in PERSON_STATUSES else None,
            page=max(1, page),
        )

    @property
    def room_value(self) -> str:
        return f"{self.room[0]}:{self.room[1]}" if self.room else ""

    @property
    def active(self) -> bool:
        """Whether anything narrows the list."""
        return bool(self.q or self.zoom or self.mail or self.room or self.status)

    def query_string(self, **changes: Any) -> str:
        """``?q=…&page=2`` for links to another page of the same list."""
        wanted = replace(self, **changes)
        pairs = {
            "q": wanted.q,
            "zoom": wanted.zoom or "",
            "mail": wanted.mail or "",
            "room": wanted.room_value,
            "status": wanted.status or "",
            "page": str(wanted.page) if wanted.page > 1 else "",
        }
        text = urlencode({k: v for k, v in pairs.items() if v})
        return f"?{text}" if text else "?"


def _room_of(value: str) -> tuple[int, str] | None:
    number, sep, name = value.partition(":")
    round_number = parse_store_id(number)
    if not sep or round_number is None or not name:
        return None
    return round_number, name


@dataclass(frozen=True)
class PersonListRow:
    """One row of the list (no join link, not even whether there is one)."""

    id: int
    first_name: str
    last_name: str
    email: str
    organisation: str | None
    status: str
    state: str
    mails: list[tuple[str, str]] = field(default_factory=list)  # (occasion, state)
    rooms: list[tuple[int, str]] = field(default_factory=list)  # (round, room)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class RoomChoice:
    round: int
    room: str

    @property
    def value(self) -> str:
        return f"{self.round}:{self.room}"


@dataclass(frozen=True)
class PeoplePage:
    """One page of the list, the total it comes from, and what the filters offer."""

    rows: list[PersonListRow]
    total: int
    everyone: int
    page: int
    pages: int
    page_size: int
    filter: PeopleFilter
    state_counts: dict[str, int]  # empty unless asked for
    rooms: list[RoomChoice]

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.page_size + len(self.rows)

    def page_links(self) -> list[int | None]:
        """Page numbers to link (``None``: a gap), e.g. 1 … 4 5 6 … 100."""
        wanted = {1, self.pages, *range(self.page - 2, self.page + 3)}
        numbers = sorted(n for n in wanted if 1 <= n <= self.pages)
        links: list[int | None] = []
        for number in numbers:
            if links and links[-1] is not None and number - links[-1] > 1:
                links.append(None)
            links.append(number)
        return links


def _like_pattern(text: str) -> str:
    escaped = (fold(text) or "").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(event: Event, wanted: PeopleFilter, state: ColumnElement[str]) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Person.event_id == event.id]
    if wanted.q:
        # The searched texts in one folded string (every letter, not only ASCII: SQLite's lower()
        # leaves "Ö" as it is), one fold per row and word. A word holds no line break (the query is
        # split at whitespace), so a match never spans two fields.
        texts: ColumnElement[str] = func.coalesce(Person.organisation, "")
        for column in (Person.email, Person.last_name, Person.first_name):
            texts = column + "\n" + texts
        searched = folded(texts)
        for word in wanted.q.split():
            conditions.append(searched.like(_like_pattern(word), escape="\\"))
    if wanted.zoom:
        conditions.append(state == wanted.zoom)
    if wanted.status:
        conditions.append(Person.status == wanted.status)
    if wanted.mail:
        mails = select(OutboxMessage.id).where(OutboxMessage.person_id == Person.id)
        if wanted.mail == "none":
            conditions.append(~exists(mails))
        else:
            states = [wanted.mail, *OutboxState.IN_FLIGHT] if wanted.mail == "queued" else [wanted.mail]
            conditions.append(exists(mails.where(OutboxMessage.state.in_(states))))
    if wanted.room:
        number, room = wanted.room
        conditions.append(
            exists(
                select(BreakoutAssignment.id)
                .join(BreakoutRoundRecord, BreakoutRoundRecord.id == BreakoutAssignment.round_id)
                .where(
                    BreakoutAssignment.person_id == Person.id,
                    BreakoutRoundRecord.event_id == event.id,
                    BreakoutRoundRecord.number == number,
                    BreakoutAssignment.room_name == room,
                )
            )
        )
    return conditions


def _base(columns: list[Any], *, with_registration: bool = True) -> Select[Any]:
    query = select(*columns).select_from(Person)
    if with_registration:
        query = query.outerjoin(ZoomRegistration, ZoomRegistration.person_id == Person.id)
    return query


def people_page(
    session: Session, event: Event, wanted: PeopleFilter, *, page_size: int = PAGE_SIZE, counts: bool = False
) -> PeoplePage:
    """One page of the people of ``event`` that match ``wanted``, sorted by name.

    ``counts``: also the number of people per registration state (one grouped query over everyone).
    The registration is joined only to filter by its state, and then for the page's rows.
    """
    state = person_state_sql()
    conditions = _conditions(event, wanted, state)
    joined = wanted.zoom is not None
    order = (Person.last_name, Person.first_name, Person.email, Person.id)

    def page_of(number: int, *, with_total: bool) -> list[Any]:
        """The ids of page ``number`` (and in each row, with ``with_total``, how many match in all)."""
        columns: list[Any] = [Person.id]
        if with_total:
            columns.append(func.count().over().label("total"))
        query = (
            _base(columns, with_registration=joined)
            .where(and_(*conditions))
            .order_by(*order)
            .limit(page_size)
            .offset((number - 1) * page_size)
        )
        return list(session.execute(query).all())

    def count() -> int:
        return int(
            session.scalar(_base([func.count()], with_registration=joined).where(and_(*conditions))) or 0
        )

    page = wanted.page
    found_ids: list[Any] | None = None
    if wanted.q:
        # A search reads every person's texts: count in the same pass as the page (a window count).
        found_ids = page_of(page, with_total=True)
        # Nothing on page 1 means nothing at all; past the end, count to find the last page.
        total = int(found_ids[0].total) if found_ids else (0 if page == 1 else count())
    else:
        total = count()  # without a search, counting is cheap and the page's sort need not count
    pages = max(1, -(-total // page_size))
    if page > pages:  # past the end: the last page
        page, found_ids = pages, None
    if found_ids is None:
        found_ids = page_of(page, with_total=False)
    page_ids = [row.id for row in found_ids]
    found = (
        session.execute(
            _base(
                [
                    Person.id,
                    Person.first_name,
                    Person.last_name,
                    Person.email,
                    Person.organisation,
                    Person.status,
                    state.label("state"),
                ]
            )
            .where(Person.id.in_(page_ids))
            .order_by(*order)
        ).all()
        if page_ids
        else []
    )
    ids = [row.id for row in found]
    mails, rooms = _mails_of(session, ids), _rooms_of(session, ids)
    rows = [
        PersonListRow(
            id=r.id,
            first_name=r.first_name,
            last_name=r.last_name,
            email=r.email,
            organisation=r.organisation,
            status=r.status,
            state=r.state,
            mails=mails.get(r.id, []),
            rooms=rooms.get(r.id, []),
        )
        for r in found
    ]
    by_state = state_counts(session, event) if counts else {}
    if counts:
        everyone = sum(by_state.values())
    elif wanted.active:
        everyone = int(session.scalar(select(func.count()).where(Person.event_id == event.id)) or 0)
    else:
        everyone = total
    return PeoplePage(
        rows=rows,
        total=total,
        everyone=everyone,
        page=page,
        pages=pages,
        page_size=page_size,
        filter=replace(wanted, page=page),
        state_counts=by_state,
        rooms=room_choices(session, event),
    )


def state_counts(session: Session, event: Event) -> dict[str, int]:
    """People per registration state (one grouped query)."""
    state = person_state_sql()
    found = session.execute(
        _base([state.label("state"), func.count(literal(1))])
        .where(Person.event_id == event.id)
        .group_by(state)
    ).all()
    counts = {key: 0 for key in STATES}
    for key, count in found:
        counts[str(key)] = counts.get(str(key), 0) + int(count)
    return counts


def _mails_of(session: Session, ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    result: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if not ids:
        return result
    found = session.execute(
        select(OutboxMessage.person_id, OutboxMessage.occasion, OutboxMessage.state)
        .where(OutboxMessage.person_id.in_(ids))
        .order_by(OutboxMessage.person_id, OutboxMessage.due_at, OutboxMessage.occasion)
    )
    for person_id, occasion, state in found:
        result[person_id].append((occasion, state))
    return result


def _rooms_of(session: Session, ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    result: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if not ids:
        return result
    found = session.execute(
        select(BreakoutAssignment.person_id, BreakoutRoundRecord.number, BreakoutAssignment.room_name)
        .join(BreakoutRoundRecord, BreakoutRoundRecord.id == BreakoutAssignment.round_id)
        .where(BreakoutAssignment.person_id.in_(ids))
        .order_by(BreakoutAssignment.person_id, BreakoutRoundRecord.number)
    )
    for person_id, number, room in found:
        result[person_id].append((number, room))
    return result


def room_choices(session: Session, event: Event) -> list[RoomChoice]:
    """Every (round, room) of the event, in the agenda's order."""
    found = session.execute(
        select(BreakoutRoundRecord.number, BreakoutRoom.name)
        .join(BreakoutRoom, BreakoutRoom.round_id == BreakoutRoundRecord.id)
        .where(BreakoutRoundRecord.event_id == event.id)
        .order_by(BreakoutRoundRecord.number, BreakoutRoom.position)
    )
    return [RoomChoice(number, name) for number, name in found]
