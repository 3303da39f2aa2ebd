"""POST /zoom/webhook: signature checks, replay window, URL validation, storing exactly once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from orchestrator.db.models import WebhookEvent
from orchestrator.jobs import webhooks as webhook_job
from orchestrator.zoom.webhooks import hmac_hex
from tests.unit.web.scenario import EVENT_START, Scenario, make_scenario
from tests.unit.web.zoom_events import SECRET, encode, meeting_event, signed_headers


@pytest.fixture
def scenario(database_url: str, tmp_path: Path) -> Iterator[Scenario]:
    scenario = make_scenario(database_url, tmp_path, with_people=False)
    scenario.clock.set(EVENT_START)
    yield scenario
    scenario.rt.close()


@pytest.fixture
def client(scenario: Scenario) -> Iterator[TestClient]:
    with TestClient(scenario.app()) as test_client:
        yield test_client


def stored(scenario: Scenario) -> int:
    with scenario.rt.session() as session:
        return int(session.scalar(select(func.count()).select_from(WebhookEvent)) or 0)


def started_body(scenario: Scenario) -> bytes:
    return encode(meeting_event("meeting.started", scenario.zoom_meeting_id, EVENT_START))


def test_valid_signature_is_stored_and_acknowledged(scenario: Scenario, client: TestClient) -> None:
    body = started_body(scenario)
    answer = client.post("/zoom/webhook", content=body, headers=signed_headers(body, EVENT_START))
    assert (answer.status_code, answer.json()) == (200, {"status": "stored"})
    with scenario.rt.session() as session:
        row = session.scalars(select(WebhookEvent)).one()
        assert (row.event_type, row.zoom_meeting_id, row.state) == (
            "meeting.started",
            scenario.zoom_meeting_id,
            "pending",
        )


@pytest.mark.parametrize("case", ["invalid", "missing", "replayed", "wrong_secret", "future"])
def test_rejected_requests_store_nothing(scenario: Scenario, client: TestClient, case: str) -> None:
    body = started_body(scenario)
    headers = signed_headers(body, EVENT_START)
    if case == "invalid":
        headers["x-zm-signature"] = headers["x-zm-signature"][:-4] + "beef"
    elif case == "missing":
        del headers["x-zm-signature"]
    elif case == "replayed":
        headers = signed_headers(body, EVENT_START - timedelta(minutes=6))
    elif case == "future":
        headers = signed_headers(body, EVENT_START + timedelta(minutes=6))
    else:
        headers = signed_headers(body, EVENT_START, secret="not-the-secret")
    answer = client.post("/zoom/webhook", content=body, headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {"detail": "invalid signature"}
    assert stored(scenario) == 0


def test_malformed_json_with_valid_signature_is_400(scenario: Scenario, client: TestClient) -> None:
    body = b'{"event": "meeting.started", "payload": '
    answer = client.post("/zoom/webhook", content=body, headers=signed_headers(body, EVENT_START))
    assert answer.status_code == 400
    assert stored(scenario) == 0


def test_malformed_json_without_signature_is_401(scenario: Scenario, client: TestClient) -> None:
    answer = client.post("/zoom/webhook", content=b"{", headers={"content-type": "application/json"})
    assert answer.status_code == 401
    assert stored(scenario) == 0


def test_duplicate_delivery_is_stored_and_processed_once(scenario: Scenario, client: TestClient) -> None:
    body = started_body(scenario)
    first = client.post("/zoom/webhook", content=body, headers=signed_headers(body, EVENT_START))
    scenario.clock.advance(30)  # Zoom's retry: same body, new request timestamp and signature
    retry = client.post("/zoom/webhook", content=body, headers=signed_headers(body, scenario.clock.now()))
    assert (first.json()["status"], retry.json()["status"]) == ("stored", "duplicate")
    assert stored(scenario) == 1
    assert webhook_job.run(scenario.rt) == {"processed": 1, "failed": 0, "outcomes": {"meeting_started": 1}}
    assert webhook_job.run(scenario.rt)["processed"] == 0
    with scenario.rt.session() as session:
        row = session.scalars(select(WebhookEvent)).one()
        assert (row.state, row.outcome, row.payload) == ("done", "meeting_started", None)


def test_url_validation_is_answered_with_the_hmac_of_the_token(
    scenario: Scenario, client: TestClient
) -> None:
    body = json.dumps(
        {
            "event": "endpoint.url_validation",
            "event_ts": 1,
            "payload": {"plainToken": "qgg8vlvZRS6UYooatFL8Aw"},
        }
    ).encode()
    answer = client.post("/zoom/webhook", content=body, headers=signed_headers(body, EVENT_START))
    assert answer.status_code == 200
    assert answer.json() == {
        "plainToken": "qgg8vlvZRS6UYooatFL8Aw",
        "encryptedToken": hmac_hex(SECRET.encode(), b"qgg8vlvZRS6UYooatFL8Aw"),
    }
    assert stored(scenario) == 0


def test_unsigned_url_validation_is_refused(scenario: Scenario, client: TestClient) -> None:
    body = json.dumps(
        {"event": "endpoint.url_validation", "payload": {"plainToken": "qgg8vlvZRS6UYooatFL8Aw"}}
    )
    answer = client.post("/zoom/webhook", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 401


def test_oversized_body_is_refused(scenario: Scenario, client: TestClient) -> None:
    body = b'{"event":"x","pad":"' + b"a" * 300_000 + b'"}'
    answer = client.post("/zoom/webhook", content=body, headers=signed_headers(body, EVENT_START))
    assert answer.status_code == 413
    assert stored(scenario) == 0


def test_without_a_configured_secret_nothing_is_accepted(scenario: Scenario) -> None:
    body = started_body(scenario)
    with TestClient(scenario.app(secret=None)) as client:
        answer = client.post("/zoom/webhook", content=body, headers=signed_headers(body, EVENT_START))
    assert answer.status_code == 503
    assert stored(scenario) == 0


def test_health_and_no_other_open_endpoints(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "store": "ok"}
    for path in ("/docs", "/openapi.json", "/redoc"):
        assert client.get(path).status_code == 404
    assert client.get("/zoom/webhook").status_code == 405


def test_background_worker_processes_without_a_job(scenario: Scenario) -> None:
    import time

    body = started_body(scenario)
    with TestClient(scenario.app(background=True)) as client:
        client.post("/zoom/webhook", content=body, headers=signed_headers(body, EVENT_START))
        deadline = time.monotonic() + 10
        state = "pending"
        while time.monotonic() < deadline and state != "done":
            with scenario.rt.session() as session:
                state = session.scalars(select(WebhookEvent.state)).one()
            time.sleep(0.02)
    assert state == "done"
