"""A registration on Zoom's page, told by webhook, brings the form's answers in as wishes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orchestrator.jobs import webhooks as webhook_job
from orchestrator.registrants.service import report_registrants
from orchestrator.web.inbox import store_notification
from tests.support.registration_export import fachtag_export
from tests.unit.web.scenario import EVENT_START, Scenario, make_scenario
from tests.unit.web.zoom_events import registration_event

IMPORTED = fachtag_export().facts.second  # in the fixture export, with wishes from the file


@pytest.fixture
def scenario(database_url: str, tmp_path: Path) -> Iterator[Scenario]:
    scenario = make_scenario(database_url, tmp_path)
    yield scenario
    scenario.rt.close()


def answers(*values: str) -> list[dict[str, str]]:
    return [{"title": f"Workshop-Wunsch {rank}", "value": value} for rank, value in enumerate(values, 1)]


def page_registration(
    scenario: Scenario, email: str, custom_questions: list[dict[str, str]]
) -> dict[str, Any]:
    """Register on the emulated Zoom page and build the notification Zoom sends for it."""
    mid = scenario.zoom_meeting_id
    added = scenario.rt.zoom.add_registrant(
        mid, {"email": email, "first_name": "Nora", "last_name": "Neu", "custom_questions": custom_questions}
    )
    registrant_id = str(added.get("registrant_id") or added["id"])
    listed = next(r for r in scenario.rt.zoom.iter_registrants(mid, "pending") if r["id"] == registrant_id)
    notification = registration_event(
        "meeting.registration_created", mid, EVENT_START, email=email, registrant_id=registrant_id
    )
    notification["payload"]["object"]["registrant"] = listed
    return notification


def apply(scenario: Scenario, notification: dict[str, Any]) -> dict[str, int]:
    with scenario.rt.sessions() as session:
        store_notification(session, notification, scenario.clock.now())
    report = webhook_job.run(scenario.rt)
    assert report["failed"] == 0
    return dict(report["outcomes"])


def test_a_page_registration_brings_its_answers_as_wishes(scenario: Scenario) -> None:
    notification = page_registration(
        scenario,
        "neu@example.org",
        answers("Caring Community Koeln", "Kümmerei Köln", "Kommunale Sorgestrukturen"),
    )
    assert apply(scenario, notification) == {"registration_new_person": 1}
    person = scenario.person("neu@example.org")
    assert person is not None
    assert person.wishes == ["Caring Community Köln", "Kümmerei Köln", "Kommunale Sorgestrukturen"]
    assert person.notes is None
    problems = report_registrants(scenario.rt.store, None).problems  # the imported people are not sent yet
    assert [p for p in problems if p.email == "neu@example.org"] == []


def test_unknown_and_repeated_answers_are_reported_and_the_person_is_registered(scenario: Scenario) -> None:
    notification = page_registration(
        scenario, "udo@example.org", answers("Kümmerei Köln", "kuemmerei koeln", "Töpfern")
    )
    assert apply(scenario, notification) == {"registration_new_person": 1}
    person = scenario.person("udo@example.org")
    assert person is not None and person.status == "active"
    assert person.wishes == ["Kümmerei Köln"]
    problems = [
        p for p in report_registrants(scenario.rt.store, None).problems if p.email == "udo@example.org"
    ]
    assert [p.reason for p in problems] == [
        "Zoom-Antwort für Wunsch 2 wiederholt den Workshop Kümmerei Köln; "
        "Zoom-Antwort für Wunsch 3 nennt keinen Workshop: Töpfern"
    ]


def test_a_person_from_the_file_keeps_the_wishes_of_the_file(scenario: Scenario) -> None:
    notification = registration_event(
        "meeting.registration_created", scenario.zoom_meeting_id, EVENT_START, email=IMPORTED.email
    )
    notification["payload"]["object"]["registrant"]["custom_questions"] = answers("Kümmerei Köln")
    assert apply(scenario, notification) == {"registration_updated": 1}
    person = scenario.person(IMPORTED.email)
    assert person is not None and tuple(person.wishes) == IMPORTED.wishes
