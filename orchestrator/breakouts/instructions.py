"""The short instruction the host gets with each apply (German, formal "Sie", and English).

Zoom uses a changed pre-assignment in a running meeting only after the host recreates the rooms
("Recreate" → "Recover to pre-assigned rooms"); before the meeting starts nothing is needed.
"""

from __future__ import annotations

from orchestrator.breakouts.results import HostInstructions
from orchestrator.i18n import N_, translate

_TEXT = N_(
    "Breakout round {round} ({title}, {start}): the room assignment was sent to Zoom "
    "({rooms} rooms, {people} people). If the meeting is already running: in the Breakout Rooms "
    "window click 'Recreate' → 'Recover to pre-assigned rooms', check the rooms, then 'Open All "
    "Rooms'. Guests not signed in to Zoom are not assigned automatically: they choose their room "
    "themselves (it is named in their room mail) or a moderator moves them."
)


def host_instruction(
    *, round_number: int, title: str, start: str, rooms: int, people: int, language: str
) -> str:
    """The instruction in ``language`` (``de`` or ``en``)."""
    return translate(
        _TEXT, language, round=round_number, title=title, start=start, rooms=rooms, people=people
    )


def host_instructions(
    *, round_number: int, title: str, start: str, rooms: int, people: int
) -> HostInstructions:
    """The instruction in German and English."""
    de, en = (
        host_instruction(
            round_number=round_number, title=title, start=start, rooms=rooms, people=people, language=lang
        )
        for lang in ("de", "en")
    )
    return HostInstructions(de=de, en=en)
