"""The agenda of an event: model, loading with line-precise messages, validation, table."""

from orchestrator.agenda.durations import format_offset, parse_offset
from orchestrator.agenda.loader import LoadedAgenda, load_agenda, parse_agenda_text
from orchestrator.agenda.model import (
    Agenda,
    Block,
    BlockKind,
    BreakoutRound,
    Contact,
    Mails,
    Moderator,
    Organiser,
    Registration,
    Room,
    ZoomOptions,
)
from orchestrator.agenda.problems import AgendaError, AgendaProblem
from orchestrator.agenda.table import kind_label, programme_rows, to_summary_dict
from orchestrator.agenda.validation import check_agenda

__all__ = [
    "Agenda",
    "AgendaError",
    "AgendaProblem",
    "Block",
    "BlockKind",
    "BreakoutRound",
    "Contact",
    "LoadedAgenda",
    "Mails",
    "Moderator",
    "Organiser",
    "Registration",
    "Room",
    "ZoomOptions",
    "check_agenda",
    "format_offset",
    "kind_label",
    "load_agenda",
    "parse_agenda_text",
    "parse_offset",
    "programme_rows",
    "to_summary_dict",
]
