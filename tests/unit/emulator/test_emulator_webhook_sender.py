"""The emulator's webhook sender: Zoom's body shape, signature, retries after 5, 20, 60 minutes, drop."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import requests

from orchestrator.clock import FrozenClock
from orchestrator.zoom.emulator.attendance import AttendancePlan, Invitee, simulate
from orchestrator.zoom.emulator.webhook_sender import MeetingInfo, WebhookSender, notifications, replay
from orchestrator.zoom.webhooks import WebhookRejected, parse_notification, verify_signature

SECRET = b"emulator-webhook-secret"
START = datetime(2025, 8, 27, 7, 30, tzinfo=UTC)


class Receiver:
    """Stands in for an endpoint: checks every request like ours does; can be down or failing."""

    def __init__(self, clock: FrozenClock) -> None:
        self.clock = clock
        self.answers: list[int | Exception] = []  # scripted answers first, then 200
        self.received: list[tuple[datetime, dict[str, object]]] = []

    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        verify_signature(SECRET, {k.lower(): v for k, v in headers.items()}, body, self.clock.now())
        answer = self.answers.pop(0) if self.answers else 200
        if isinstance(answer, Exception):
            raise answer
        if 200 <= answer < 300:
            self.received.append((self.clock.now(), parse_notification(body)))
        return answer


def make(clock: FrozenClock, receiver: Receiver) -> WebhookSender:
    return WebhookSender("https://orchestrator.example/zoom/webhook", SECRET, clock, receiver)


def notification(at: datetime) -> dict[str, object]:
    return {
        "event": "meeting.started",
        "event_ts": int(at.timestamp() * 1000),
        "payload": {"object": {"id": "1"}},
    }


def test_signed_like_zoom_and_delivered_at_once() -> None:
    clock = FrozenClock(START)
    receiver = Receiver(clock)
    delivery = make(clock, receiver).send(notification(START))
    assert delivery.state == "delivered" and delivery.attempts == [(START, "200")]
    with pytest.raises(WebhookRejected):  # a different secret does not verify
        body = delivery.body
        ts = str(int(START.timestamp()))
        from orchestrator.zoom.webhooks import sign

        verify_signature(
            SECRET, {"x-zm-request-timestamp": ts, "x-zm-signature": sign(b"other", ts, body)}, body, START
        )


def test_retries_after_5_20_60_minutes_then_delivered_with_fresh_signatures() -> None:
    clock = FrozenClock(START)
    receiver = Receiver(clock)
    receiver.answers = [503, requests.ConnectionError("refused"), 500]
    sender = make(clock, receiver)
    delivery = sender.send(notification(START))
    assert delivery.state == "pending" and delivery.next_attempt == START + timedelta(minutes=5)
    sender.drain()
    assert delivery.state == "delivered"
    assert [at - START for at, _ in delivery.attempts] == [
        timedelta(0),
        timedelta(minutes=5),
        timedelta(minutes=25),
        timedelta(minutes=85),
    ]
    assert [outcome for _, outcome in delivery.attempts] == ["503", "ConnectionError", "500", "200"]
    # the receiver's 5-minute replay window accepted the late retry: it was signed when sent
    assert receiver.received[0][0] == START + timedelta(minutes=85)


def test_dropped_after_three_failed_retries() -> None:
    clock = FrozenClock(START)
    receiver = Receiver(clock)
    receiver.answers = [500, 500, 500, 500, 200]
    sender = make(clock, receiver)
    delivery = sender.send(notification(START))
    sender.drain()
    assert delivery.state == "dropped" and len(delivery.attempts) == 4
    assert sender.dropped == [delivery] and sender.delivered == [] and receiver.received == []


def test_notifications_have_zoom_shape_and_replay_in_time_order() -> None:
    people = [
        Invitee("Erika Muster", "erika@example.org", "reg-1"),
        Invitee("Max Mustermann", "max@example.org", "reg-2"),
    ]
    facts = simulate(
        85746065,
        "run-1==",
        START,
        START + timedelta(hours=2),
        people,
        AttendancePlan(seed=2, no_show_share=0, guests=1, breakout_rooms=2),
    )
    bodies = [n for _, n in notifications(facts, MeetingInfo(topic="Fachtag"))]
    joined = next(n for n in bodies if n["event"] == "meeting.participant_joined")
    obj = joined["payload"]["object"]
    assert obj["id"] == "85746065" and obj["uuid"] == "run-1==" and obj["topic"] == "Fachtag"
    assert set(obj["participant"]) >= {"user_id", "user_name", "participant_uuid", "email", "join_time"}
    room = next(n for n in bodies if n["event"] == "meeting.participant_joined_breakout_room")
    assert room["payload"]["object"]["breakout_room_uuid"].startswith("room-")
    ended = bodies[-1]
    assert (
        ended["event"] == "meeting.ended" and ended["payload"]["object"]["end_time"] == "2025-08-27T09:30:00Z"
    )

    clock = FrozenClock(START - timedelta(minutes=10))
    receiver = Receiver(clock)
    sender = make(clock, receiver)
    replay(facts, sender, MeetingInfo(topic="Fachtag"))
    assert len(sender.delivered) == len(bodies) and not sender.dropped
    received_at = [at for at, _ in receiver.received]
    assert received_at == sorted(received_at)
    assert [json.dumps(n, sort_keys=True) for _, n in receiver.received] == [
        json.dumps(n, sort_keys=True) for n in bodies
    ]
    for at, note in receiver.received:  # sent when it happened (on the virtual clock)
        assert at == datetime.fromtimestamp(int(note["event_ts"]) / 1000, UTC)  # type: ignore[call-overload]


def test_several_at_once_each_signed_delivered_once_and_failures_retried() -> None:
    """Zoom posts several notifications at the same time; the failed ones follow the retry schedule."""
    import threading

    clock = FrozenClock(START)
    receiver = Receiver(clock)
    lock = threading.Lock()

    def thread_safe(url: str, body: bytes, headers: dict[str, str]) -> int:
        with lock:
            if parse_notification(body)["event_ts"] % 3 == 0:  # every third: the endpoint is down
                raise requests.ConnectionError("down")
            return receiver(url, body, headers)

    sender = WebhookSender(
        "https://orchestrator.example/zoom/webhook", SECRET, clock, thread_safe, concurrency=4
    )
    try:
        batch = [{**notification(START), "event_ts": n} for n in range(1, 31)]
        deliveries = sender.send_all(batch)
        assert [d.event_ts for d in deliveries] == list(range(1, 31))
        assert len(sender.delivered) == 20 and len(sender.pending) == 10
        clock.advance(timedelta(minutes=5))
        assert sender.run_due() == 10 and len(sender.pending) == 10  # still down for those
    finally:
        sender.close()
    assert sorted(n["event_ts"] for _, n in receiver.received) == [n for n in range(1, 31) if n % 3]
