"""The texts the app's script shows, translated on the server and handed to the page as JSON."""

from __future__ import annotations

from orchestrator.i18n import N_, translate

LABELS: dict[str, str] = {
    "round": N_("Round {number}: {title}"),
    "placed": N_("placed as planned"),
    "to_place": N_("to be placed"),
    "unsure": N_("unsure"),
    "unknown": N_("unknown"),
    "absent": N_("planned but absent"),
    "not_planned": N_("no room planned"),
    "own_room": N_("chooses own room"),
    "host": N_("host or co-host"),
    "assign": N_("Create rooms and assign"),
    "open": N_("Open rooms"),
    "close": N_("Close rooms"),
    "progress": N_("{done} of {total}"),
    "done": N_("Done: {count} people assigned."),
    "nothing": N_("Everyone identified is already in the planned room."),
    "rooms_open": N_("The rooms are open: close them first to change them."),
    "too_many_rooms": N_("Zoom allows at most 50 breakout rooms through the app; this round has {count}."),
    "sdk_missing": N_("The Zoom Apps SDK is not available: open this page in the Zoom client."),
    "sdk_error": N_("Zoom refused: {message}"),
    "server_error": N_("The server refused: {message}"),
    "reload": N_("Reload the app"),
    "choose": N_("Who is this?"),
    "choose_own": N_("Chooses own room"),
    "choose_clear": N_("Decide later"),
    "save_choice": N_("Save"),
    "candidates": N_("Candidates"),
    "participant": N_("Participant"),
    "status": N_("Status"),
    "room": N_("Room"),
    "working": N_("Working …"),
    "opened": N_("The rooms are open."),
    "closed": N_("The rooms are closed."),
    "countdown": N_("countdown {seconds} s"),
    "no_countdown": N_("no countdown"),
    "may_return": N_("may return to the main room"),
    "no_return": N_("cannot return to the main room"),
    "auto_move": N_("moved into their rooms automatically"),
    "asked_to_join": N_("asked to join their rooms"),
}


def app_labels(language: str) -> dict[str, str]:
    """Every label in ``language`` (placeholders stay for the script to fill)."""
    return {key: translate(text, language) for key, text in LABELS.items()}
