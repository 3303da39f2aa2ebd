"""Zoom's side of webhooks: signed notifications POSTed to an endpoint, retried, then dropped.

Zoom signs each request (``x-zm-signature: v0=HMAC-SHA256(secret, "v0:{ts}:{body}")`` with the
current ``x-zm-request-timestamp``; see :func:`orchestrator.zoom.webhooks.sign`), expects a 2xx
within 3 seconds, and on anything else (or no connection) sends the same body again after 5, 20
and 60 minutes, then drops the event. Waiting happens on the injected clock, so a rehearsal on a
:class:`~orchestrator.clock.FrozenClock` compresses Zoom's schedule to no time at all.

:func:`notifications` turns simulated attendance (:mod:`orchestrator.zoom.emulator.attendance`)
into Zoom's notification bodies; :func:`replay` sends them in time order through a
:class:`WebhookSender`, delivering due retries on the way.
"""

from __future__ import annotations

import http.client
import json
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests

from orchestrator.clock import Clock
from orchestrator.zoom.emulator.attendance import AttendanceFacts, Presence, RoomVisit
from orchestrator.zoom.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

logger = logging.getLogger(__name__)

# Zoom's retry schedule after a failed delivery (then the event is dropped).
RETRY_DELAYS = (timedelta(minutes=5), timedelta(minutes=20), timedelta(minutes=60))
ANSWER_WITHIN_SECONDS = 3.0

# (url, body, headers) -> HTTP status; raises OSError / requests.RequestException when unreachable.
Transport = Callable[[str, bytes, dict[str, str]], int]


def requests_transport(
    session: requests.Session | None = None, timeout: float = ANSWER_WITHIN_SECONDS
) -> Transport:
    """POST over HTTP with ``requests``; Zoom gives up on an answer after 3 seconds."""
    http = session or requests.Session()

    def post(url: str, body: bytes, headers: dict[str, str]) -> int:
        return http.post(url, data=body, headers=headers, timeout=timeout).status_code

    return post


class KeepAliveTransport:
    """POST over one kept-alive HTTP/1.1 connection (``http.client``), reopened after an error.

    Thousands of notifications in a rehearsal: ``requests`` costs about a millisecond of Python per
    call (proxy lookup, adapters, hooks) that a loopback delivery does not need.
    """

    def __init__(self, timeout: float = ANSWER_WITHIN_SECONDS) -> None:
        self._timeout = timeout
        self._connection: http.client.HTTPConnection | None = None
        self._origin: tuple[str, int] | None = None

    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"KeepAliveTransport posts to http:// URLs only, not {parts.scheme}://")
        origin = (parts.hostname, parts.port or 80)
        if origin != self._origin:
            self.close()
            self._origin = origin
        reused = self._connection is not None
        try:
            return self._post(parts.path or "/", body, headers)
        except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
            if not reused:
                raise
            # The server closed the idle kept-alive connection: once more on a fresh one.
            return self._post(parts.path or "/", body, headers)

    def _post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        if self._connection is None:
            assert self._origin is not None
            self._connection = http.client.HTTPConnection(*self._origin, timeout=self._timeout)
        try:
            self._connection.request("POST", path, body, headers)
            response = self._connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if response.will_close:
            self.close()
        return response.status

    def close(self) -> None:
        """Close the connection (the next call opens a new one)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class PerThreadTransport:
    """A thread-safe transport: each sending thread has its own :class:`KeepAliveTransport`."""

    def __init__(self, timeout: float = ANSWER_WITHIN_SECONDS) -> None:
        self._timeout = timeout
        self._local = threading.local()
        self._all: list[KeepAliveTransport] = []
        self._lock = threading.Lock()

    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        transport: KeepAliveTransport | None = getattr(self._local, "transport", None)
        if transport is None:
            transport = self._local.transport = KeepAliveTransport(self._timeout)
            with self._lock:
                self._all.append(transport)
        return transport(url, body, headers)

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            for transport in self._all:
                transport.close()


@dataclass
class Delivery:
    """One notification's fate: ``delivered``, ``pending`` (a retry is scheduled) or ``dropped``."""

    event: str
    event_ts: int
    body: bytes = field(repr=False)
    attempts: list[tuple[datetime, str]] = field(default_factory=list)  # (when, status or error)
    state: str = "pending"
    next_attempt: datetime | None = None

    @property
    def delivered_at(self) -> datetime | None:
        return self.attempts[-1][0] if self.state == "delivered" else None


class WebhookSender:
    """Sends notifications the way Zoom does and records what was delivered and what was dropped."""

    def __init__(
        self,
        url: str,
        secret: bytes,
        clock: Clock,
        transport: Transport | None = None,
        retry_delays: tuple[timedelta, ...] = RETRY_DELAYS,
        *,
        concurrency: int = 1,
    ) -> None:
        if not secret:
            raise ValueError("a webhook secret is required to sign notifications")
        self.url = url
        self._secret = secret
        self._clock = clock
        self._transport = transport or requests_transport()
        self._retry_delays = retry_delays
        self.deliveries: list[Delivery] = []
        # Zoom posts several notifications at once; with concurrency > 1 the transport must be
        # thread-safe (e.g. :class:`PerThreadTransport`).
        self._pool = ThreadPoolExecutor(concurrency, "webhook-sender") if concurrency > 1 else None

    @property
    def delivered(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.state == "delivered"]

    @property
    def dropped(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.state == "dropped"]

    @property
    def pending(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.state == "pending"]

    def send(self, notification: dict[str, Any]) -> Delivery:
        """Attempt one notification now; on failure schedule Zoom's first retry."""
        return self.send_all([notification])[0]

    def send_all(self, batch: list[dict[str, Any]]) -> list[Delivery]:
        """Attempt every notification of ``batch`` now (at once, up to the concurrency)."""
        deliveries = []
        for notification in batch:
            body = json.dumps(notification, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            deliveries.append(
                Delivery(str(notification.get("event")), int(notification.get("event_ts") or 0), body)
            )
        self.deliveries += deliveries
        self._attempt_all(deliveries)
        return deliveries

    def close(self) -> None:
        """Stop the sending threads (if any)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def _attempt_all(self, deliveries: list[Delivery]) -> None:
        if self._pool is None or len(deliveries) < 2:
            for delivery in deliveries:
                self._attempt(delivery)
            return
        for _ in self._pool.map(self._attempt, deliveries):  # each attempt touches its delivery only
            pass

    def next_due(self) -> datetime | None:
        """When the earliest scheduled retry is due (``None``: nothing pending)."""
        times = [d.next_attempt for d in self.pending if d.next_attempt is not None]
        return min(times) if times else None

    def run_due(self) -> int:
        """Retry every pending notification whose time has come; return how many were attempted."""
        now = self._clock.now()
        due = [d for d in self.pending if d.next_attempt is not None and d.next_attempt <= now]
        due.sort(key=lambda d: (d.next_attempt or now, d.event_ts))
        self._attempt_all(due)
        return len(due)

    def advance_to(self, moment: datetime) -> None:
        """Let the clock reach ``moment``, delivering the retries that fall due on the way."""
        while (due := self.next_due()) is not None and due <= moment:
            self._sleep_until(due)
            self.run_due()
        self._sleep_until(moment)

    def drain(self) -> None:
        """Wait (on the clock) until every notification is delivered or dropped."""
        while (due := self.next_due()) is not None:
            self._sleep_until(due)
            self.run_due()

    def _sleep_until(self, moment: datetime) -> None:
        wait = (moment - self._clock.now()).total_seconds()
        if wait > 0:
            self._clock.sleep(wait)

    def _attempt(self, delivery: Delivery) -> None:
        now = self._clock.now()
        timestamp = str(int(now.timestamp()))  # a fresh timestamp and signature on every attempt
        headers = {
            "content-type": "application/json",
            "user-agent": "Zoom Marketplace/1.0a",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self._secret, timestamp, delivery.body),
        }
        try:
            status = self._transport(self.url, delivery.body, headers)
            outcome = str(status)
            ok = 200 <= status < 300
        except (OSError, http.client.HTTPException, requests.RequestException) as exc:
            outcome, ok = type(exc).__name__, False
        delivery.attempts.append((now, outcome))
        if ok:
            delivery.state, delivery.next_attempt = "delivered", None
            return
        retries_done = len(delivery.attempts) - 1
        if retries_done >= len(self._retry_delays):
            delivery.state, delivery.next_attempt = "dropped", None
            logger.warning(
                "webhook %s dropped after %d attempts (last: %s)",
                delivery.event,
                len(delivery.attempts),
                outcome,
            )
            return
        delivery.next_attempt = now + self._retry_delays[retries_done]
        logger.info("webhook %s failed (%s); retry at %s", delivery.event, outcome, delivery.next_attempt)


# --- notification bodies -----------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingInfo:
    """What Zoom puts into every meeting notification's ``object`` besides the participant."""

    host_id: str = "emulated-host"
    topic: str = "Zoom meeting"
    timezone: str = "Europe/Berlin"
    duration: int = 60
    account_id: str = "emulated-account"


def notifications(
    facts: AttendanceFacts, meeting: MeetingInfo | None = None
) -> Iterator[tuple[datetime, dict[str, Any]]]:
    """``(time, notification)`` for a simulated meeting, in the order Zoom sends them."""
    meeting = meeting or MeetingInfo()
    for at, kind, fact in facts.timeline():
        obj: dict[str, Any] = {
            "id": str(facts.meeting_id),
            "uuid": facts.uuid,
            "host_id": meeting.host_id,
            "topic": meeting.topic,
            "type": 2,
            "start_time": _zoom_time(facts.start),
            "timezone": meeting.timezone,
            "duration": meeting.duration,
        }
        if kind == "meeting.ended":
            obj["end_time"] = _zoom_time(at)
        if isinstance(fact, Presence):
            obj["participant"] = _participant(fact, kind, at)
        elif isinstance(fact, RoomVisit):
            obj["breakout_room_uuid"] = fact.room_uuid
            obj["participant"] = _participant(fact.presence, kind, at)
        yield (
            at,
            {
                "event": kind,
                "event_ts": int(at.timestamp() * 1000),
                "payload": {"account_id": meeting.account_id, "object": obj},
            },
        )


def replay(facts: AttendanceFacts, sender: WebhookSender, meeting: MeetingInfo | None = None) -> None:
    """Send the meeting's notifications at their times (on the sender's clock), then drain retries."""
    for at, notification in notifications(facts, meeting):
        sender.advance_to(at)
        sender.send(notification)
    sender.drain()


def _participant(presence: Presence, kind: str, at: datetime) -> dict[str, Any]:
    participant: dict[str, Any] = {
        "user_id": presence.user_id,
        "user_name": presence.name,
        "id": "",  # not signed in to Zoom: empty, as Zoom sends it
        "participant_uuid": presence.participant_uuid,
        "participant_user_id": "",
        "email": presence.email,
    }
    if presence.registrant_id:
        participant["registrant_id"] = presence.registrant_id
    if kind.endswith("joined") or kind.endswith("joined_breakout_room"):
        participant["join_time"] = _zoom_time(at)
    else:
        participant["leave_time"] = _zoom_time(at)
        if kind == "meeting.participant_left":
            participant["leave_reason"] = "left the meeting"
    return participant


def _zoom_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
