"""Registration questions: ``GET|PATCH /meetings/{meetingId}/registrants/questions`` with Zoom's rules.

Standard questions come from Zoom's fixed set of ``field_name`` values; custom questions are
``short`` (free text) or ``single`` (one of ``answers``; meetings have no multiple choice). ``answers``
belong to ``single`` questions only. A PATCH replaces the lists it carries and answers 204.
Zoom documents no caps on counts and lengths; the emulator's (in :class:`EmulatorConfig`) are
generous bounds that keep a runaway client from storing megabytes.
"""

from __future__ import annotations

from typing import Any

from orchestrator.zoom.emulator.config import EmulatorConfig
from orchestrator.zoom.emulator.errors import validation_error, zoom_error
from orchestrator.zoom.emulator.meetings import find_meeting

FIELD_NAMES = (
    "last_name",
    "address",
    "city",
    "country",
    "zip",
    "state",
    "phone",
    "industry",
    "org",
    "job_title",
    "purchasing_time_frame",
    "role_in_purchase_process",
    "no_of_employees",
    "comments",
)
CUSTOM_TYPES = ("short", "single")
# What a meeting asks before anyone changed its form: Zoom's default registration form.
DEFAULT_QUESTIONS: dict[str, Any] = {
    "questions": [{"field_name": "last_name", "required": True}],
    "custom_questions": [],
}


def get_questions(data: dict[str, Any], meeting_id: str) -> dict[str, Any]:
    """The 200 answer: the questions as last written (Zoom's default form before that)."""
    _registration_meeting(data, meeting_id)
    stored = data.get("registration_questions", {}).get(meeting_id) or DEFAULT_QUESTIONS
    return {
        "questions": [dict(q) for q in stored["questions"]],
        "custom_questions": [
            {**q, "answers": list(q["answers"])} if "answers" in q else dict(q)
            for q in stored["custom_questions"]
        ],
    }


def update_questions(
    data: dict[str, Any], config: EmulatorConfig, meeting_id: str, body: dict[str, Any]
) -> None:
    """Validate like Zoom, then replace the lists the body carries (nothing changes on an error)."""
    _registration_meeting(data, meeting_id)
    # kept beside the meeting, not in it: GET /meetings/{meetingId} does not show the questions
    stored: dict[str, Any] = data.setdefault("registration_questions", {})
    current = stored.get(meeting_id) or DEFAULT_QUESTIONS
    questions = _standard(body["questions"]) if "questions" in body else current["questions"]
    custom = (
        _custom(body["custom_questions"], config)
        if "custom_questions" in body
        else current["custom_questions"]
    )
    stored[meeting_id] = {"questions": questions, "custom_questions": custom}


def _registration_meeting(data: dict[str, Any], meeting_id: str) -> dict[str, Any]:
    meeting = find_meeting(data, meeting_id)
    if meeting["settings"]["approval_type"] == 2:
        raise zoom_error(400, 3000, f"Registration has not been enabled for this meeting: {meeting_id}.")
    return meeting


def _standard(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise validation_error("questions", "questions must be an array.")
    result: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        where = f"questions[{index}]"
        if not isinstance(item, dict):
            raise validation_error(where, "Each question must be an object.")
        name = item.get("field_name")
        if name not in FIELD_NAMES:
            raise validation_error(f"{where}.field_name", f"Invalid field_name: {name!r}.")
        if name in seen:
            raise validation_error(f"{where}.field_name", f"Duplicate field_name: {name}.")
        seen.add(str(name))
        result.append({"field_name": name, "required": _bool(item, "required", where)})
    return result


def _custom(value: object, config: EmulatorConfig) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise validation_error("custom_questions", "custom_questions must be an array.")
    if len(value) > config.custom_questions_max:
        raise validation_error("custom_questions", f"At most {config.custom_questions_max} custom questions.")
    result: list[dict[str, Any]] = []
    titles: set[str] = set()
    for index, item in enumerate(value):
        where = f"custom_questions[{index}]"
        if not isinstance(item, dict):
            raise validation_error(where, "Each custom question must be an object.")
        title = item.get("title")
        if not isinstance(title, str) or not title.strip():
            raise validation_error(f"{where}.title", "title is required.")
        if len(title) > config.custom_question_title_max:
            raise validation_error(
                f"{where}.title", f"title is limited to {config.custom_question_title_max} characters."
            )
        if title in titles:
            raise validation_error(f"{where}.title", "Custom question titles must be unique.")
        titles.add(title)
        kind = item.get("type", "short")
        if kind not in CUSTOM_TYPES:
            raise validation_error(f"{where}.type", f"Invalid type: {kind!r}; use short or single.")
        question: dict[str, Any] = {"title": title, "type": kind, "required": _bool(item, "required", where)}
        answers = item.get("answers")
        if kind == "short":
            if answers:  # Zoom: answers "can not be used for short question type"
                raise validation_error(f"{where}.answers", "answers can not be used for a short question.")
        else:
            question["answers"] = _answers(answers, where, config)
        result.append(question)
    return result


def _answers(value: object, where: str, config: EmulatorConfig) -> list[str]:
    if not isinstance(value, list) or not value:
        raise validation_error(f"{where}.answers", "A single answer question needs answers.")
    if len(value) > config.custom_answers_max:
        raise validation_error(f"{where}.answers", f"At most {config.custom_answers_max} answers.")
    answers: list[str] = []
    for answer in value:
        if not isinstance(answer, str) or not answer.strip():
            raise validation_error(f"{where}.answers", "Each answer must be a non-empty string.")
        if len(answer) > config.custom_answer_max:
            raise validation_error(
                f"{where}.answers", f"Answers are limited to {config.custom_answer_max} characters."
            )
        if answer in answers:
            raise validation_error(f"{where}.answers", "Answers must be unique.")
        answers.append(answer)
    return answers


def _bool(item: dict[str, Any], key: str, where: str) -> bool:
    value = item.get(key, False)
    if not isinstance(value, bool):
        raise validation_error(f"{where}.{key}", f"{key} must be a boolean.")
    return value
