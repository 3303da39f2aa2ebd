"""``registration.zoom_confirmation_mail``: Zoom's own registration mails, off while ours confirm."""

from __future__ import annotations

import pytest

from orchestrator.meeting import meeting_body
from tests.unit.agenda.helpers import BASE, edited, line_of, load, only_problem

ZOOM_MAIL_SETTINGS = ("registrants_confirmation_email", "registrants_email_notification")


def _zoom_mails(text: str) -> dict[str, object]:
    settings = meeting_body(load(text).agenda, "token")["settings"]
    return {key: settings[key] for key in ZOOM_MAIL_SETTINGS}


def _with(registration: str = "", mails: str = "") -> str:
    text = edited("mails:\n", f"mails:\n{mails}") if mails else BASE
    return text + (f"registration:\n{registration}" if registration else "")


def test_unset_with_our_confirmation_keeps_zoom_silent() -> None:
    assert load(BASE).agenda.registration.zoom_confirmation_mail is None
    assert _zoom_mails(BASE) == dict.fromkeys(ZOOM_MAIL_SETTINGS, False)


def test_unset_without_our_confirmation_lets_zoom_confirm() -> None:
    assert _zoom_mails(_with(mails="  confirmation: false\n")) == dict.fromkeys(ZOOM_MAIL_SETTINGS, True)


@pytest.mark.parametrize("ours", ["true", "false"])
@pytest.mark.parametrize("zoom", [True, False])
def test_explicit_value_wins_over_the_default(ours: str, zoom: bool) -> None:
    text = _with(
        registration=f"  zoom_confirmation_mail: {str(zoom).lower()}\n", mails=f"  confirmation: {ours}\n"
    )
    assert _zoom_mails(text) == dict.fromkeys(ZOOM_MAIL_SETTINGS, zoom)


def test_non_boolean_is_named_with_its_line() -> None:
    text = _with(registration="  zoom_confirmation_mail: vielleicht\n")
    problem = only_problem(text)
    assert problem.path == "registration.zoom_confirmation_mail"
    assert problem.line == line_of(text, "zoom_confirmation_mail")
    assert "true" in problem.message and "false" in problem.message
