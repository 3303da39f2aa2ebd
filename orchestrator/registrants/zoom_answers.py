"""Workshop wishes from the answers a registrant gave on Zoom's registration page.

The form (:mod:`orchestrator.meeting.questions`) asks one single-choice question per wish rank,
titled "Workshop wish N" in the agenda's language. Each answer is matched to a workshop with the
import's tolerant matcher; an answer naming no workshop, or a workshop already wished, is a problem
reported on the person (the person is registered all the same).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from orchestrator.agenda import Agenda
from orchestrator.i18n import N_, translate
from orchestrator.meeting.questions import WISH_TITLE
from orchestrator.registrants.parse_text import single_line_problem
from orchestrator.registrants.parse_wishes import WorkshopMatcher

TITLE_LANGUAGES = ("en", "de")  # the form may have been made in either language
UNKNOWN_ANSWER = N_("Zoom answer for wish {rank} names no workshop: {answer}")
REPEATED_ANSWER = N_("Zoom answer for wish {rank} repeats the workshop {room}")


@dataclass(frozen=True, slots=True)
class AnswerWishes:
    """``wishes`` in rank order, and a readable line per unusable answer."""

    wishes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def wish_titles(wish_ranks: int) -> dict[str, int]:
    """Every title a wish question can have, with its rank."""
    return {
        translate(WISH_TITLE, lang, rank=rank): rank
        for lang in TITLE_LANGUAGES
        for rank in range(1, wish_ranks + 1)
    }


def wishes_from_answers(
    custom_questions: object, workshops: Sequence[str], wish_ranks: int, lang: str = "en"
) -> AnswerWishes:
    """Ordered wishes from Zoom's ``custom_questions`` (``[{title, value}]``); other questions are ignored.

    Problems are worded in ``lang`` (the agenda's language: they are stored on the person).
    """
    titles = wish_titles(wish_ranks)
    answers: dict[int, str] = {}
    for item in custom_questions if isinstance(custom_questions, list) else []:
        if not isinstance(item, dict):
            continue
        rank = titles.get(str(item.get("title") or "").strip())
        value = item.get("value")
        if rank is not None and isinstance(value, str) and value.strip():
            answers.setdefault(rank, value.strip())
    matcher = WorkshopMatcher(workshops)
    result = AnswerWishes()
    for rank in sorted(answers):
        room = matcher.match(answers[rank]).room
        if room is None:
            result.problems.append(translate(UNKNOWN_ANSWER, lang, rank=rank, answer=_shown(answers[rank])))
        elif room in result.wishes:
            result.problems.append(translate(REPEATED_ANSWER, lang, rank=rank, room=room))
        else:
            result.wishes.append(room)
    return result


def _shown(answer: str) -> str:
    # The note is shown in reports: an answer with line breaks or invisible characters (a bidi
    # override disguising the text) is not repeated, only marked.
    return "?" if single_line_problem(answer) is not None else answer[:200]


def answers_of_agenda(custom_questions: Any, agenda_json: dict[str, Any]) -> AnswerWishes:
    """:func:`wishes_from_answers` against a stored agenda (the event's ``agenda_json``)."""
    agenda = Agenda.model_validate(agenda_json)
    return wishes_from_answers(
        custom_questions, agenda.workshops(), agenda.registration.wish_ranks, agenda.default_language
    )


def problems_note(problems: Sequence[str]) -> str | None:
    """The note stored on the person (``None`` when every answer was usable)."""
    return "; ".join(problems)[:2000] or None
