"""The people search folds every letter, not only ASCII: umlauts, ß and accents on SQLite and PostgreSQL.

SQLite's ``lower()`` leaves "Ö" as it is; the search uses ``orchestrator.db.textfold.folded``,
which means the same on both databases (lower case, ß as ss, accents kept).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from orchestrator.app import App
from orchestrator.db.models import Event, Person
from orchestrator.db.textfold import fold
from orchestrator.web.ui.people_data import PeopleFilter, people_page
from tests.integration.test_web_ui_support import event_runtime

PEOPLE = [
    # (e-mail, first name, last name, organisation)
    ("a.oezdemir@example.org", "Ayşe", "Özdemir", "Türkischer Elternverein"),
    ("weiss@example.org", "Jürgen", "Weiß", "Caritas Köln"),
    ("weiss2@example.org", "Anja", "WEISS", None),
    ("jose@example.org", "José", "Núñez", "Asociación Cultural"),
    ("elodie@example.org", "ÉLODIE", "Dupont", "Maison Française"),
    ("jose.plain@example.org", "Jose", "Nunez", None),
    ("grosse@example.org", "Ingrid", "Große", "Diakonie an der Straße"),
]


@pytest.fixture
def rt(database_url: str, tmp_path: Path) -> App:
    runtime = event_runtime(database_url, tmp_path)
    with runtime.session() as session:
        event = session.scalars(select(Event)).one()
        for email, first, last, organisation in PEOPLE:
            session.add(
                Person(
                    event_id=event.id,
                    email=email,
                    email_display=email,
                    first_name=first,
                    last_name=last,
                    organisation=organisation,
                    wishes=[],
                )
            )
        session.commit()
    return runtime


def _found(rt: App, text: str) -> list[str]:
    with rt.session() as session:
        event = session.scalars(select(Event)).one()
        page = people_page(session, event, PeopleFilter(q=text))
        assert page.total == len(page.rows)
        return sorted(row.email for row in page.rows)


CASES = [
    # umlauts and other letters SQLite's lower() does not fold, in either case
    ("özdemir", ["a.oezdemir@example.org"]),
    ("ÖZDEMIR", ["a.oezdemir@example.org"]),
    ("AYŞE", ["a.oezdemir@example.org"]),
    ("jürgen", ["weiss@example.org"]),
    ("TÜRKISCHER eltern", ["a.oezdemir@example.org"]),
    ("KÖLN", ["weiss@example.org"]),
    # ß and ss find each other
    ("weiß", ["weiss2@example.org", "weiss@example.org"]),
    ("WEISS", ["weiss2@example.org", "weiss@example.org"]),
    ("strasse", ["grosse@example.org"]),
    ("GROSSE", ["grosse@example.org"]),
    # accents: case folded, the accent kept ("jose" is not "josé")
    ("josé", ["jose@example.org"]),
    ("JOSÉ NÚÑEZ", ["jose@example.org"]),
    ("élodie", ["elodie@example.org"]),
    ("FRANÇAISE", ["elodie@example.org"]),
    ("nunez", ["jose.plain@example.org"]),
    # e-mail addresses as before; LIKE wildcards are plain text
    ("A.OEZDEMIR@", ["a.oezdemir@example.org"]),
    ("%", []),
    ("_", []),
]


def test_search_folds_umlauts_sharp_s_and_accents(rt: App) -> None:
    found = {search: _found(rt, search) for search, _expected in CASES}
    assert found == dict(CASES)


def test_fold_is_lower_case_with_sharp_s_as_ss() -> None:
    assert fold("ÖZDEMIR Straße ẞ José") == "özdemir strasse ss josé"
    assert fold(None) is None
