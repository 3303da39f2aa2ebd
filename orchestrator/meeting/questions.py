"""Zoom's registration form derived from an agenda: the body for PATCH .../registrants/questions.

The form is the front desk: organisation (required), job title (optional), one required
single-choice question per wish rank whose answers are the workshop names, and a consent question
when the agenda names a privacy notice. Titles are in the agenda's default language.
"""

from __future__ import annotations

from typing import Any

from orchestrator.agenda import Agenda
from orchestrator.agenda.model import ZOOM_ANSWER_MAX_LENGTH
from orchestrator.errors import OperationFailed
from orchestrator.i18n import N_, _, translate

WISH_TITLE = N_("Workshop wish {rank}")
CONSENT_TITLE = N_("I have read the privacy notice ({url}) and agree to it")
CONSENT_ANSWER = N_("Yes, I agree")


def registration_questions(agenda: Agenda) -> dict[str, Any] | None:
    """The questions body for ``agenda``, or ``None`` when the agenda leaves Zoom's form alone.

    Raises :class:`OperationFailed` for a workshop name longer than Zoom allows for an answer.
    """
    registration = agenda.registration
    if not registration.questions:
        return None
    lang = agenda.default_language
    workshops = agenda.workshops()
    for name in workshops:
        if len(name) > ZOOM_ANSWER_MAX_LENGTH:
            raise OperationFailed(
                _(
                    "workshop '{name}' is longer than the {limit} characters Zoom allows for an answer",
                    name=name,
                    limit=ZOOM_ANSWER_MAX_LENGTH,
                )
            )
    custom: list[dict[str, Any]] = [
        {
            "title": translate(WISH_TITLE, lang, rank=rank),
            "type": "single",
            "required": True,
            "answers": list(workshops),
        }
        for rank in range(1, registration.wish_ranks + 1)
    ]
    if registration.privacy_url:
        custom.append(
            {
                "title": translate(CONSENT_TITLE, lang, url=registration.privacy_url),
                "type": "single",
                "required": True,
                "answers": [translate(CONSENT_ANSWER, lang)],
            }
        )
    return {
        "questions": [
            {"field_name": "org", "required": True},
            {"field_name": "job_title", "required": False},
        ],
        "custom_questions": custom,
    }


def same_questions(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Whether Zoom's form (``current``, a GET answer) already is ``wanted`` (order matters)."""
    return _canonical(current) == _canonical(wanted)


def _canonical(body: dict[str, Any]) -> tuple[object, ...]:
    standard = tuple(
        (str(q.get("field_name")), bool(q.get("required", False))) for q in body.get("questions") or []
    )
    custom = tuple(
        (
            str(q.get("title")),
            str(q.get("type", "short")),
            bool(q.get("required", False)),
            tuple(str(a) for a in q.get("answers") or []),
        )
        for q in body.get("custom_questions") or []
    )
    return standard, custom
