"""Answers from Zoom's registration form become ordered wishes; unusable answers are problems."""

from __future__ import annotations

from orchestrator.registrants.zoom_answers import wishes_from_answers

WORKSHOPS = ["ALIA – Agil leben im Alter", "Kümmerei Köln", "Kommunale Sorgestrukturen"]


def test_german_and_english_titles_give_wishes_in_rank_order() -> None:
    answers = [
        {"title": "Workshop-Wunsch 2", "value": "Kuemmerei Koeln"},  # tolerant: umlaut spelling
        {"title": "Organisation", "value": "Stadt Köln"},  # not a wish question: ignored
        {"title": "Workshop wish 1", "value": "Kommunale Sorgestrukturen"},
        {"title": "Workshop-Wunsch 3", "value": "ALIA - Agil leben im Alter"},  # "-" for "–"
    ]
    result = wishes_from_answers(answers, WORKSHOPS, 3)
    assert result.wishes == ["Kommunale Sorgestrukturen", "Kümmerei Köln", "ALIA – Agil leben im Alter"]
    assert result.problems == []


def test_unknown_and_repeated_answers_are_problems_in_the_agenda_language() -> None:
    answers = [
        {"title": "Workshop-Wunsch 1", "value": "Kümmerei Köln"},
        {"title": "Workshop-Wunsch 2", "value": "Gartenarbeit"},
        {"title": "Workshop-Wunsch 3", "value": "kümmerei köln"},
    ]
    result = wishes_from_answers(answers, WORKSHOPS, 3, "de")
    assert result.wishes == ["Kümmerei Köln"]
    assert result.problems == [
        "Zoom-Antwort für Wunsch 2 nennt keinen Workshop: Gartenarbeit",
        "Zoom-Antwort für Wunsch 3 wiederholt den Workshop Kümmerei Köln",
    ]


def test_ranks_beyond_the_agenda_empty_answers_and_garbage_are_ignored() -> None:
    answers = [
        {"title": "Workshop wish 1", "value": "  "},
        {"title": "Workshop wish 3", "value": "Kümmerei Köln"},  # the agenda asks for two ranks
        "not a question",
        {"title": None, "value": 5},
    ]
    assert wishes_from_answers(answers, WORKSHOPS, 2).wishes == []
    assert wishes_from_answers(None, WORKSHOPS, 3).wishes == []


def test_an_unknown_answer_that_is_unsafe_to_show_is_not_repeated() -> None:
    answers = [
        {"title": "Workshop wish 1", "value": "a\nb"},
        {"title": "Workshop wish 2", "value": "a\u202eb"},
    ]
    result = wishes_from_answers(answers, WORKSHOPS, 3)
    assert result.problems == [
        "Zoom answer for wish 1 names no workshop: ?",
        "Zoom answer for wish 2 names no workshop: ?",
    ]
