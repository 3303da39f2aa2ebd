"""Display labels for states and mail occasions (translated when shown)."""

from __future__ import annotations

from collections.abc import Callable

from orchestrator.i18n import N_

MAIL_STATES: dict[str, str] = {
    "queued": N_("queued"),
    "claimed": N_("being sent"),
    "sending": N_("being sent"),
    "sent": N_("sent"),
    "failed": N_("failed"),
    "skipped": N_("skipped (too late)"),
    "cancelled": N_("cancelled"),
}
MAIL_KINDS: dict[str, str] = {
    "confirmation": N_("Confirmation"),
    "reminder": N_("Reminder ({offset} before)"),
    "breakout": N_("Breakout room, round {round}"),
    "thank_you": N_("Thank-you"),
}
MEETING_STATES: dict[str, str] = {
    "creating": N_("being created"),
    "active": N_("created in Zoom"),
    "missing": N_("deleted in Zoom"),
}
PHASES: dict[str, str] = {
    "upcoming": N_("upcoming"),
    "open": N_("due now"),
    "running": N_("running"),
    "over": N_("over"),
    "past": N_("past"),
    "removed": N_("no longer in the agenda"),
}
APPLY_STATES: dict[str, str] = {
    "intent": N_("being sent to Zoom"),
    "applied": N_("in Zoom"),
    "failed": N_("Zoom refused"),
}


def occasion_label(occasion: str, gettext: Callable[..., str]) -> str:
    """ "Reminder (7d before)" / "Breakout room, round 1" for an occasion key."""
    head, _sep, tail = occasion.partition(":")
    if head == "reminder":
        return gettext(MAIL_KINDS["reminder"], offset=tail)
    if head == "breakout":
        return gettext(MAIL_KINDS["breakout"], round=tail)
    return gettext(MAIL_KINDS[head]) if head in MAIL_KINDS else occasion


def label(table: dict[str, str], key: str | None, gettext: Callable[..., str]) -> str:
    """The translated label of ``key`` in ``table`` (the key itself when unknown)."""
    if key is None:
        return "–"
    return gettext(table[key]) if key in table else key
