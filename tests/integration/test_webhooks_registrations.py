"""Registration notifications keep people in sync; unknown meetings and events are ignored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from orchestrator.db.models import Person, WebhookEvent
from orchestrator.jobs import webhooks as webhook_job
from orchestrator.web.inbox import store_notification
from tests.support.registration_export import fachtag_export
from tests.unit.web.scenario import EVENT_START, Scenario, make_scenario
from tests.unit.web.zoom_events import meeting_event, registration_event

IMPORTED = fachtag_export().facts.second.email  # in the fixture export
NEW = "neu.anmeldung@example.org"
LINK = "https://zoom.example/w/1?tk=secret-token"


@pytest.fixture
def scenario(database_url: str, tmp_path: Path) -> Iterator[Scenario]:
    scenario = make_scenario(database_url, tmp_path)
    yield scenario
    scenario.rt.close()


def apply(scenario: Scenario, *notifications: dict[str, object]) -> dict[str, int]:
    with scenario.rt.sessions() as session:
        for notification in notifications:
            store_notification(session, notification, scenario.clock.now())
    report = webhook_job.run(scenario.rt)
    assert report["failed"] == 0
    return dict(report["outcomes"])


def test_page_registration_creates_a_zoom_person(scenario: Scenario) -> None:
    mid = scenario.zoom_meeting_id
    outcomes = apply(
        scenario,
        registration_event(
            "meeting.registration_created",
            mid,
            EVENT_START,
            email="Neu.Anmeldung@Example.org",
            first_name="Nora",
            last_name="Neu",
            registrant_id="r-new",
            join_url=LINK,
        ),
    )
    assert outcomes == {"registration_new_person": 1}
    person = scenario.person(NEW)
    assert person is not None
    with scenario.rt.session() as session:
        person = session.scalars(select(Person).where(Person.email == NEW)).one()
        assert (person.source, person.status, person.first_name, person.email_display) == (
            "zoom",
            "active",
            "Nora",
            "Neu.Anmeldung@Example.org",
        )
        assert person.registration is not None
        reg = person.registration
        assert (reg.state, reg.zoom_registrant_id, reg.zoom_status, reg.join_url) == (
            "registered",
            "r-new",
            "approved",
            LINK,
        )


def test_approval_then_cancellation_of_an_imported_person(scenario: Scenario) -> None:
    mid = scenario.zoom_meeting_id
    created = registration_event(
        "meeting.registration_created",
        mid,
        EVENT_START,
        email=IMPORTED,
        registrant_id="r-1",
        status="pending",
    )
    approved = registration_event(
        "meeting.registration_approved", mid, EVENT_START, email=IMPORTED, registrant_id="r-1", join_url=LINK
    )
    assert apply(scenario, created, approved) == {"registration_updated": 2}
    with scenario.rt.session() as session:
        person = session.scalars(select(Person).where(Person.email == IMPORTED)).one()
        assert person.source == "import" and person.registration is not None
        assert (person.registration.zoom_status, person.registration.join_url) == ("approved", LINK)
    cancelled = registration_event(
        "meeting.registration_cancelled", mid, EVENT_START, email=IMPORTED, registrant_id="r-1"
    )
    assert apply(scenario, cancelled) == {"registration_cancelled": 1}
    with scenario.rt.session() as session:
        person = session.scalars(select(Person).where(Person.email == IMPORTED)).one()
        assert person.status == "cancelled" and person.registration is not None
        assert (person.registration.state, person.registration.join_url) == ("cancelled", None)
    # Registering again on Zoom's page (new registrant id) makes them active again.
    again = registration_event(
        "meeting.registration_created",
        mid,
        EVENT_START,
        email=IMPORTED,
        registrant_id="r-2",
        join_url=LINK + "2",
    )
    assert apply(scenario, again) == {"registration_reactivated": 1}
    assert scenario.person(IMPORTED) is not None and scenario.person(IMPORTED).status == "active"  # type: ignore[union-attr]


def test_denied_and_unknown(scenario: Scenario) -> None:
    mid = scenario.zoom_meeting_id
    outcomes = apply(
        scenario,
        registration_event(
            "meeting.registration_denied", mid, EVENT_START, email=IMPORTED, registrant_id="x"
        ),
        registration_event("meeting.registration_cancelled", mid, EVENT_START, email="ghost@example.org"),
        meeting_event("meeting.started", 1234, EVENT_START),
        {"event": "recording.completed", "payload": {"object": {"id": str(mid)}}},
    )
    assert outcomes == {
        "registration_denied": 1,
        "cancel_unknown_person": 1,
        "ignored_other_meeting": 1,
        "ignored_event_type": 1,
    }
    assert scenario.person(IMPORTED).status == "cancelled"  # type: ignore[union-attr]
    with scenario.rt.session() as session:
        assert session.scalars(select(WebhookEvent.payload)).all() == [None] * 4  # personal payloads dropped


def test_a_failing_notification_is_retried_and_does_not_block_others(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestrator.web import notification_router as dispatch

    mid = scenario.zoom_meeting_id
    real = dispatch.record_run
    calls = {"n": 0}

    def flaky(*args: object, **kwargs: object) -> str:
        calls["n"] += 1
        if calls["n"] <= 2:  # fails in the batch and again when redone alone
            raise RuntimeError("store hiccup")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(dispatch, "record_run", flaky)
    with scenario.rt.sessions() as session:
        store_notification(session, meeting_event("meeting.started", mid, EVENT_START), scenario.clock.now())
        store_notification(
            session,
            registration_event("meeting.registration_denied", mid, EVENT_START, email=IMPORTED),
            scenario.clock.now(),
        )
    first = webhook_job.run(scenario.rt)
    assert (first["processed"], first["failed"]) == (1, 1)
    second = webhook_job.run(scenario.rt)
    assert second == {"processed": 1, "failed": 0, "outcomes": {"meeting_started": 1}}
