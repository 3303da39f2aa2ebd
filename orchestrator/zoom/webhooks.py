"""Zoom webhook checks: signature, replay window, URL validation (pure functions, no I/O).

Zoom signs every notification with the app's secret token::

    x-zm-signature: v0=HMAC_SHA256(secret, "v0:{x-zm-request-timestamp}:{raw body}") as hex

and proves an endpoint URL with ``endpoint.url_validation``: we answer
``{"plainToken": t, "encryptedToken": HMAC_SHA256(secret, t) as hex}``.

The URL validation answer is itself an HMAC oracle: with it, anyone could obtain the signature of
``"v0:{ts}:{forged body}"``. So the validation request must carry a valid signature like any other
(Zoom signs it), and we only answer plain tokens that look like Zoom's (short, URL-safe alphabet).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from orchestrator.ids import parse_store_id

SIGNATURE_HEADER = "x-zm-signature"
TIMESTAMP_HEADER = "x-zm-request-timestamp"
SIGNATURE_VERSION = "v0"
MAX_SKEW = timedelta(minutes=5)
URL_VALIDATION = "endpoint.url_validation"
# Zoom's plain tokens are ~22 characters of base64url; anything else is refused (see module doc).
_PLAIN_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,128}")
_MILLISECONDS_FROM = 10**11  # a timestamp above this is in milliseconds, not seconds


class WebhookRejected(Exception):
    """The request is not a genuine, fresh Zoom notification (HTTP 401). ``reason`` is for logs."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MalformedWebhook(Exception):
    """The request is signed but its body is not a Zoom notification (HTTP 400)."""


def hmac_hex(secret: bytes, message: bytes) -> str:
    """Lower-case hex HMAC-SHA256 of ``message`` under ``secret``."""
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The ``x-zm-signature`` value Zoom sends for ``body`` at ``timestamp`` (used by tests/benchmarks)."""
    return f"{SIGNATURE_VERSION}=" + hmac_hex(secret, f"{SIGNATURE_VERSION}:{timestamp}:".encode() + body)


def parse_timestamp(value: str) -> datetime:
    """Zoom's request timestamp (epoch seconds; milliseconds accepted) as an aware UTC datetime."""
    if not value.isdigit() or len(value) > 16:
        raise WebhookRejected("bad timestamp")
    number = int(value)
    seconds = number / 1000 if number >= _MILLISECONDS_FROM else float(number)
    return datetime.fromtimestamp(seconds, UTC)


def verify_signature(
    secret: bytes,
    headers: dict[str, str],
    body: bytes,
    now: datetime,
    max_skew: timedelta = MAX_SKEW,
) -> datetime:
    """Check signature and freshness of one request; return its timestamp or raise :class:`WebhookRejected`.

    ``headers`` must have lower-case keys. The comparison is constant-time; timestamps more than
    ``max_skew`` away from ``now`` (either side) are refused, which bounds replays to that window
    (duplicates inside it are caught by the event store's unique key).
    """
    if not secret:
        raise WebhookRejected("no webhook secret configured")
    signature = headers.get(SIGNATURE_HEADER)
    timestamp = headers.get(TIMESTAMP_HEADER)
    if not signature or not timestamp:
        raise WebhookRejected("signature or timestamp header missing")
    sent_at = parse_timestamp(timestamp)
    expected = sign(secret, timestamp, body)
    # Compare before the freshness check so timing does not tell a stale from a forged request.
    valid = hmac.compare_digest(expected.encode(), signature.strip().encode("utf-8", "replace"))
    if not valid:
        raise WebhookRejected("signature mismatch")
    if abs(now - sent_at) > max_skew:
        raise WebhookRejected("timestamp outside the replay window")
    return sent_at


def parse_notification(body: bytes) -> dict[str, Any]:
    """The notification as a dict with a string ``event``; raise :class:`MalformedWebhook` otherwise."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedWebhook(f"body is not JSON: {exc.__class__.__name__}") from None
    if not isinstance(document, dict) or not isinstance(document.get("event"), str):
        raise MalformedWebhook("body has no 'event'")
    payload = document.get("payload", {})
    if not isinstance(payload, dict):
        raise MalformedWebhook("'payload' is not an object")
    return document


def url_validation_answer(secret: bytes, notification: dict[str, Any]) -> dict[str, str]:
    """The answer to ``endpoint.url_validation``; raise :class:`MalformedWebhook` for a strange token."""
    token = notification.get("payload", {}).get("plainToken")
    if not isinstance(token, str) or not _PLAIN_TOKEN.fullmatch(token):
        raise MalformedWebhook("plainToken missing or not in Zoom's format")
    return {"plainToken": token, "encryptedToken": hmac_hex(secret, token.encode())}


def dedup_key(notification: dict[str, Any]) -> str:
    """Stable identity of a notification across Zoom's retries (hash of its canonical JSON).

    Zoom re-sends the same body (same ``event_ts``) with a fresh request timestamp; the header is
    not part of the key, the whole body is, so two genuinely different events never collide.
    """
    canonical = json.dumps(notification, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NotificationFacts:
    """The few fields the store indexes (the rest stays in the payload)."""

    event_type: str
    event_ts: int | None
    zoom_meeting_id: int | None


def notification_facts(notification: dict[str, Any]) -> NotificationFacts:
    """Event type, Zoom's ``event_ts`` (ms) and the meeting id, tolerating missing fields."""
    obj = notification.get("payload", {}).get("object")
    meeting_id: int | None = None
    if isinstance(obj, dict):
        meeting_id = parse_store_id(obj.get("id"))  # "²³" or 20 digits: stored without a meeting id
    ts = notification.get("event_ts")
    return NotificationFacts(
        event_type=str(notification["event"])[:100],
        event_ts=ts if isinstance(ts, int) and not isinstance(ts, bool) else None,
        zoom_meeting_id=meeting_id,
    )
