"""Signature, replay window, URL validation and dedup keys of Zoom webhooks (pure functions)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from orchestrator.zoom.webhooks import (
    MalformedWebhook,
    WebhookRejected,
    dedup_key,
    notification_facts,
    parse_notification,
    parse_timestamp,
    sign,
    url_validation_answer,
    verify_signature,
)

SECRET = b"s3cret-token"
NOW = datetime(2025, 8, 27, 8, 0, tzinfo=UTC)
BODY = b'{"event":"meeting.started","event_ts":1756281600000,"payload":{"object":{"id":"123"}}}'


def headers(body: bytes = BODY, at: datetime = NOW, secret: bytes = SECRET) -> dict[str, str]:
    ts = str(int(at.timestamp()))
    return {"x-zm-request-timestamp": ts, "x-zm-signature": sign(secret, ts, body)}


def test_signature_is_zooms_documented_hmac() -> None:
    ts = "1756281600"
    expected = hmac.new(SECRET, b"v0:1756281600:" + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, ts, BODY) == "v0=" + expected


def test_valid_signature_returns_the_request_time() -> None:
    assert verify_signature(SECRET, headers(), BODY, NOW + timedelta(seconds=30)) == NOW


@pytest.mark.parametrize(
    ("changed_headers", "body", "reason"),
    [
        ({"x-zm-signature": None}, BODY, "missing"),
        ({"x-zm-request-timestamp": None}, BODY, "missing"),
        ({}, BODY + b" ", "mismatch"),
        ({"x-zm-signature": "v0=" + "0" * 64}, BODY, "mismatch"),
        ({"x-zm-request-timestamp": "abc"}, BODY, "bad timestamp"),
    ],
)
def test_invalid_requests_are_rejected(
    changed_headers: dict[str, str | None], body: bytes, reason: str
) -> None:
    sent = headers()
    for name, value in changed_headers.items():
        if value is None:
            sent.pop(name)
        else:
            sent[name] = value
    with pytest.raises(WebhookRejected) as caught:
        verify_signature(SECRET, sent, body, NOW)
    assert reason in caught.value.reason


def test_wrong_secret_is_rejected() -> None:
    with pytest.raises(WebhookRejected):
        verify_signature(SECRET, headers(secret=b"other"), BODY, NOW)


@pytest.mark.parametrize("skew", [timedelta(minutes=5, seconds=1), -timedelta(minutes=5, seconds=1)])
def test_stale_or_future_timestamps_are_refused(skew: timedelta) -> None:
    with pytest.raises(WebhookRejected, match="replay"):
        verify_signature(SECRET, headers(), BODY, NOW + skew)


def test_exactly_five_minutes_is_still_accepted() -> None:
    assert verify_signature(SECRET, headers(), BODY, NOW + timedelta(minutes=5)) == NOW


def test_millisecond_timestamps_are_understood() -> None:
    assert parse_timestamp("1756281600000") == datetime(2025, 8, 27, 8, 0, tzinfo=UTC)


def test_url_validation_answer() -> None:
    answer = url_validation_answer(
        SECRET, {"event": "endpoint.url_validation", "payload": {"plainToken": "qgg8vlvZRS6UYooatFL8Aw"}}
    )
    assert answer == {
        "plainToken": "qgg8vlvZRS6UYooatFL8Aw",
        "encryptedToken": hmac.new(SECRET, b"qgg8vlvZRS6UYooatFL8Aw", hashlib.sha256).hexdigest(),
    }


@pytest.mark.parametrize("token", ['v0:1756281600:{"event":"x"}', "", "short", None, 42, "a" * 200])
def test_url_validation_refuses_tokens_that_would_make_it_a_signing_oracle(token: object) -> None:
    with pytest.raises(MalformedWebhook):
        url_validation_answer(SECRET, {"event": "endpoint.url_validation", "payload": {"plainToken": token}})


@pytest.mark.parametrize(
    "body", [b"{not json", b"[]", b'{"payload": {}}', b'{"event": "x", "payload": []}', b"\xff\xfe"]
)
def test_malformed_bodies(body: bytes) -> None:
    with pytest.raises(MalformedWebhook):
        parse_notification(body)


def test_dedup_key_ignores_formatting_but_not_content() -> None:
    a = parse_notification(b'{"event": "e", "event_ts": 1, "payload": {"object": {"id": "1"}}}')
    b = parse_notification(b'{"payload":{"object":{"id":"1"}},"event_ts":1,"event":"e"}')
    c = parse_notification(b'{"event": "e", "event_ts": 2, "payload": {"object": {"id": "1"}}}')
    assert dedup_key(a) == dedup_key(b)
    assert dedup_key(a) != dedup_key(c)
    assert len(dedup_key(a)) == 64


def test_notification_facts() -> None:
    facts = notification_facts(parse_notification(BODY))
    assert (facts.event_type, facts.event_ts, facts.zoom_meeting_id) == (
        "meeting.started",
        1756281600000,
        123,
    )
    odd = notification_facts({"event": "x", "event_ts": True, "payload": {"object": {"id": "abc"}}})
    assert (odd.event_ts, odd.zoom_meeting_id) == (None, None)
