"""Odd input in Zoom notifications: meeting ids that are not ids, registrant fields the import refuses.

A notification Zoom signed is acknowledged (200) even when its content is unusable: a non-2xx
answer only makes Zoom retry the same body for nothing. Unusable content is processed with an
outcome that says why (state ``done``), never left ``failed`` or answered 503.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from orchestrator.db.models import Person, WebhookEvent
from orchestrator.jobs import webhooks as webhook_job
from orchestrator.web.inbox import store_notification
from tests.unit.web.scenario import EVENT_START, Scenario, make_scenario
from tests.unit.web.zoom_events import encode, meeting_event, registration_event, signed_headers

ODD_MEETING_IDS = ["²³", "1" * 20, "12a", "-5", " 123", "١٢٣", 10**19, True, 1.5]


@pytest.fixture
def scenario(database_url: str, tmp_path: Path) -> Iterator[Scenario]:
    scenario = make_scenario(database_url, tmp_path)
    scenario.clock.set(EVENT_START)
    yield scenario
    scenario.rt.close()


def rows(scenario: Scenario) -> list[WebhookEvent]:
    with scenario.rt.session() as session:
        found = list(session.scalars(select(WebhookEvent).order_by(WebhookEvent.id)))
        session.expunge_all()
        return found


@pytest.mark.parametrize("odd_id", ODD_MEETING_IDS, ids=repr)
def test_an_odd_meeting_id_is_acknowledged_and_ignored_with_a_reason(scenario: Scenario, odd_id: Any) -> None:
    notification = meeting_event("meeting.started", scenario.zoom_meeting_id, EVENT_START)
    notification["payload"]["object"]["id"] = odd_id
    body = encode(notification)
    with TestClient(scenario.app()) as client:
        answer = client.post("/zoom/webhook", content=body, headers=signed_headers(body, EVENT_START))
    assert (answer.status_code, answer.json()) == (200, {"status": "stored"})  # was 503 for "²³"
    report = webhook_job.run(scenario.rt)
    assert report["failed"] == 0  # a 20-digit id raised OverflowError and ended "failed"
    assert report["outcomes"] == {"ignored_bad_meeting_id": 1}
    (row,) = rows(scenario)
    assert (row.state, row.outcome, row.zoom_meeting_id) == ("done", "ignored_bad_meeting_id", None)


def apply(scenario: Scenario, notification: dict[str, Any]) -> dict[str, Any]:
    with scenario.rt.sessions() as session:
        store_notification(session, notification, scenario.clock.now())
    return webhook_job.run(scenario.rt)


REFUSED = [
    ("first_name", "Eve\r\nBcc: victim@example.org", "first_name:control_characters"),
    ("last_name", "Lovelace\u202egpj.exe", "last_name:format_characters"),
    ("email", "not an email\r\nbcc: x@y.z", "email:control_characters"),
    ("email", "=1+2@example.org", "email:formula_prefix"),
    ("email", "zwölf@example.org", "email:non_ascii_local_part"),
]


@pytest.mark.parametrize(("field", "value", "note"), REFUSED, ids=[n for _f, _v, n in REFUSED])
def test_a_zoom_registration_with_refused_fields_is_not_stored(
    scenario: Scenario, caplog: pytest.LogCaptureFixture, field: str, value: str, note: str
) -> None:
    fields: dict[str, str] = {
        "email": "eve@example.org",
        "first_name": "Eve",
        "last_name": "Evans",
        field: value,
    }
    notification = registration_event(
        "meeting.registration_created", scenario.zoom_meeting_id, EVENT_START, registrant_id="r-eve", **fields
    )
    with caplog.at_level(logging.WARNING):
        report = apply(scenario, notification)
    assert report["failed"] == 0 and report["outcomes"] == {f"refused:{note}": 1}
    (row,) = rows(scenario)
    assert (row.state, row.outcome, row.payload) == ("done", f"refused:{note}", None)
    with scenario.rt.session() as session:
        assert session.scalar(select(Person).where(Person.first_name == "Eve")) is None
        assert session.scalar(select(Person).where(Person.email == value.lower())) is None
    warning = next(r for r in caplog.records if r.getMessage() == "zoom registration refused")
    assert (getattr(warning, "field"), getattr(warning, "reason")) == (field, note.split(":")[1])
    assert all(value not in r.getMessage() and value not in str(r.__dict__) for r in caplog.records)


def test_zero_width_joiners_in_names_are_accepted(scenario: Scenario) -> None:
    notification = registration_event(
        "meeting.registration_created",
        scenario.zoom_meeting_id,
        EVENT_START,
        email="ali@example.org",
        first_name="Ali\u200cReza",  # ZWNJ: Persian spelling needs it
        last_name="Tehrani",
        registrant_id="r-ali",
    )
    assert apply(scenario, notification)["outcomes"] == {"registration_new_person": 1}
    person = scenario.person("ali@example.org")
    assert person is not None and person.first_name == "Ali\u200cReza"
