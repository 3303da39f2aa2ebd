"""Zoom meeting request bodies derived from an agenda."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from orchestrator.agenda import Agenda

ZOOM_TOPIC_MAX = 200
ZOOM_AGENDA_MAX = 2000
MARKER_PREFIX = "orchestrator-event:"


def intent_marker(event_key: str, intent_token: str) -> str:
    """The line we put into the meeting's agenda text to recognise our meeting in Zoom."""
    return f"[{MARKER_PREFIX}{event_key}:{intent_token}]"


def _programme_text(agenda: Agenda) -> str:
    lines = [agenda.title, ""]
    for block in agenda.blocks:
        start = block.start.strftime("%H:%M")
        end = block.end.strftime("%H:%M")
        lines.append(f"{start}–{end} {block.title}")
    return "\n".join(lines)


def zoom_confirmation_mail(agenda: Agenda) -> bool:
    """Whether Zoom sends its own registration mails: as the agenda says, else only without ours.

    Our confirmation (German, with .ics) and Zoom's together would give everyone two confirmations.
    """
    chosen = agenda.registration.zoom_confirmation_mail
    return chosen if chosen is not None else not agenda.mails.confirmation


def meeting_body(
    agenda: Agenda, intent_token: str, *, include_breakouts_enable: bool = True
) -> dict[str, Any]:
    """The body for ``POST /users/{userId}/meetings`` (and, minus breakout rooms, for PATCH).

    Breakout *rooms* are not part of it: the breakout service owns ``settings.breakout_room``
    and replaces it before each round, so a setup rerun must never overwrite them.
    """
    marker = intent_marker(agenda.key, intent_token)
    text = _programme_text(agenda)
    room = ZOOM_AGENDA_MAX - len(marker) - 2
    description = (text[:room] + "\n\n" + marker) if room > 0 else marker
    topic = (agenda.zoom.topic or agenda.title)[:ZOOM_TOPIC_MAX]
    local_start = agenda.start_utc.astimezone(agenda.tz)
    zoom_mails = zoom_confirmation_mail(agenda)
    settings: dict[str, Any] = {
        "approval_type": 0 if agenda.registration.approval == "automatic" else 1,
        "registration_type": 1,
        "registrants_confirmation_email": zoom_mails,
        # Zoom honours the confirmation switch only while its registration notifications are on.
        "registrants_email_notification": zoom_mails,
        "waiting_room": agenda.zoom.waiting_room,
        "join_before_host": agenda.zoom.join_before_host,
        "mute_upon_entry": agenda.zoom.mute_upon_entry,
        "auto_recording": agenda.zoom.auto_recording,
        "meeting_authentication": agenda.zoom.meeting_authentication,
        "contact_name": agenda.organiser.name,
        "contact_email": agenda.organiser.contact_email,
    }
    if include_breakouts_enable:
        settings["breakout_room"] = {"enable": agenda.zoom.breakout_rooms_enabled}
    return {
        "topic": topic,
        "type": 2,
        "start_time": local_start.strftime("%Y-%m-%dT%H:%M:%S"),
        "timezone": agenda.timezone,
        "duration": agenda.duration_minutes,
        "agenda": description,
        "settings": settings,
    }


def settings_hash(body: dict[str, Any]) -> str:
    """Hash of what we own of the meeting; a changed hash means one PATCH is due."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
