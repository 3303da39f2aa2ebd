"""What the host's Zoom App did in the meeting, for the moderator console's activity list.

Reads the ``zoomapp.*`` rows of ``zoom_audit`` (assignments, rooms created/opened/closed, the host's
choices and the moves the host made in Zoom's own breakout window) and describes each in words.
Names come from the store's people; participants the app could not identify stay unnamed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.db.models import Person, ZoomAuditEntry
from orchestrator.i18n import N_, translate
from orchestrator.web.zoomapp.data import ACTION_PREFIX

ACTION_LABELS: dict[str, str] = {
    "assign": N_("assigned by the app"),
    "zoom_move": N_("moved in Zoom by the host"),
    "create_rooms": N_("rooms created"),
    "configure_rooms": N_("room options set"),
    "open_rooms": N_("rooms opened"),
    "close_rooms": N_("rooms closed"),
    "choice": N_("host's choice"),
}
UNIDENTIFIED = N_("unidentified participant")
MAIN_ROOM = N_("main room")
FAILED = N_("failed")
ROUND = N_("Round {round}")


@dataclass(frozen=True)
class AppActivity:
    """One line of the console's list of the Zoom App's actions."""

    at: datetime
    action: str
    label: str
    text: str
    failed: bool


def _describe(detail: dict[str, object], action: str, names: dict[int, str], lang: str) -> str:
    person_id = detail.get("person_id")
    who = names.get(person_id, "") if isinstance(person_id, int) else ""
    who = who or translate(UNIDENTIFIED, lang)
    room = detail.get("room")
    if action == "zoom_move":
        before = detail.get("from_room") or translate(MAIN_ROOM, lang)
        return f"{who}: {before} → {room or translate(MAIN_ROOM, lang)}"
    if action == "assign":
        return f"{who} → {room}"
    if action == "choice":
        choice = detail.get("choice")
        return names.get(choice, "") if isinstance(choice, int) else str(choice or "–")
    count = detail.get("count")
    text = translate(ROUND, lang, round=detail.get("round"))
    return f"{text} ({count})" if isinstance(count, int) else text


def recent_app_activity(session: Session, event_id: int, lang: str, *, limit: int = 30) -> list[AppActivity]:
    """The event's latest Zoom App actions, newest first, described in ``lang``."""
    rows = session.scalars(
        select(ZoomAuditEntry)
        .where(ZoomAuditEntry.event_id == event_id, ZoomAuditEntry.action.startswith(ACTION_PREFIX))
        .order_by(ZoomAuditEntry.at.desc(), ZoomAuditEntry.id.desc())
        .limit(limit)
    ).all()
    ids = {
        value
        for row in rows
        if isinstance(row.detail, dict)
        for value in (row.detail.get("person_id"), row.detail.get("choice"))
        if isinstance(value, int) and not isinstance(value, bool)
    }
    names = {
        p.id: f"{p.first_name} {p.last_name}".strip()
        for p in session.scalars(select(Person).where(Person.id.in_(ids)))
    }
    items: list[AppActivity] = []
    for row in rows:
        action = row.action.removeprefix(ACTION_PREFIX)
        detail = row.detail if isinstance(row.detail, dict) else {}
        label = translate(ACTION_LABELS.get(action, action), lang)
        failed = row.outcome != "ok"
        if failed:
            label = f"{label} ({translate(FAILED, lang)})"
        items.append(AppActivity(row.at, action, label, _describe(detail, action, names, lang), failed))
    return items
