"""Every text in the page templates is marked and has a German translation; dates in both languages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from orchestrator.i18n import catalogue
from orchestrator.web.ui.i18n_web import date_formatter, translator

TEMPLATES = Path(__file__).resolve().parents[3] / "orchestrator" / "web" / "ui" / "templates"
LITERAL = re.compile(r"""_\(\s*(["'])((?:(?!\1).)*)\1""")


def _template_texts() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(TEMPLATES.glob("*.html")):
        text = path.read_text(encoding="utf-8")
        calls = text.count("_(")
        literals = LITERAL.findall(text)
        # every _( call in a template takes a literal (labels of states go through label())
        assert calls == len(literals), f"{path.name}: {calls} _( calls, {len(literals)} with a literal"
        for _quote, literal in literals:
            found[literal] = path.name
    return found


def test_every_template_text_has_a_german_translation() -> None:
    texts = _template_texts()
    assert len(texts) > 80
    german = catalogue("de")
    missing = sorted(f"{where}: {text!r}" for text, where in texts.items() if text not in german)
    assert missing == []


def test_translator_formats_in_the_chosen_language() -> None:
    assert translator("de")("{assigned} of {capacity} seats", assigned=3, capacity=20) == "3 von 20 Plätzen"
    assert translator("en")("{assigned} of {capacity} seats", assigned=3, capacity=20) == "3 of 20 seats"


def test_dates_in_the_event_timezone_and_reader_language() -> None:
    moment = datetime(2025, 8, 27, 9, 30, tzinfo=UTC)  # 11:30 in Berlin (summer time)
    assert date_formatter("de", "Europe/Berlin")(moment, "medium") == "27.08.2025, 11:30"
    assert date_formatter("en", "Europe/Berlin")(moment, "time").replace("\u202f", " ") == "11:30 AM"
    assert date_formatter("de", "Europe/Berlin")(None, "medium") == "–"
