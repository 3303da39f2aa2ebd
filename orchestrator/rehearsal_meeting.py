"""The rehearsal's meeting: the emulator holds it with people, and Zoom's webhooks reach the service.

:class:`MeetingRehearsal` is what the demo plays while its virtual clock passes the event: the
emulator simulates attendance (personal links, guests, late comers, rejoins, breakout rooms,
no-shows, seeded), a :class:`~orchestrator.zoom.emulator.webhook_sender.WebhookSender` posts
Zoom's signed notifications to the service's real ``/zoom/webhook`` endpoint (uvicorn on a free
local port) at their virtual times, and the service is unreachable for a while in the middle of
the day, so Zoom's retries, and for what they miss the participant report, have to fill the gap.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import SecretStr
from sqlalchemy import select

from orchestrator.clock import SharedClock
from orchestrator.db.models import Event, ZoomMeeting
from orchestrator.rehearsal_receiver import ReceiverProcess
from orchestrator.zoom.emulator.attendance import AttendanceFacts, AttendancePlan
from orchestrator.zoom.emulator.webhook_sender import (
    MeetingInfo,
    PerThreadTransport,
    Transport,
    WebhookSender,
    notifications,
)

if TYPE_CHECKING:
    from orchestrator.app import App
    from orchestrator.web.serve import HttpServer

_SENDER_LOG = logging.getLogger("orchestrator.zoom.emulator.webhook_sender")
# The audience of the rehearsal: a few guests, some rejoins, breakout rooms visited.
DEMO_AUDIENCE = AttendancePlan(seed=2025, guests=4, breakout_rooms=5, rejoin_share=0.2)
# The service is "down" from 35 % to 70 % of the meeting (100 minutes): Zoom's retries (5, 20, 60 min)
# bring most of it back, the participant report the rest (what fell into the first 15 minutes).
DOWN_FROM, DOWN_TO = 0.35, 0.70
# Notifications go out in batches every few virtual minutes (Zoom, too, delivers with a delay);
# a step per second would make the rehearsal's day thousands of steps long.
DELIVERY_STEP = timedelta(minutes=5)
# Notifications posted at the same time (Zoom, too, delivers several at once): while the endpoint's
# process stores one, the next is on its way.
SENDING_AT_ONCE = 4


@dataclass(frozen=True)
class WebhookFigures:
    """What Zoom's side of the rehearsal delivered."""

    sent: int
    delivered_first_time: int
    delivered_after_retry: int
    dropped: int
    down_from: datetime
    down_to: datetime


class MeetingRehearsal:
    """One simulated meeting whose notifications are delivered as virtual time passes them."""

    def __init__(self, rt: App, facts: AttendanceFacts, *, topic: str, duration_minutes: int) -> None:
        self._rt = rt
        self.facts = facts
        # A secret of this rehearsal only: the emulator signs with it and the endpoint checks it.
        secret = secrets.token_urlsafe(32)
        self._endpoint = _start_endpoint(rt, secret)
        length = facts.end - facts.start
        self.down_from = _step_up(facts.start + length * DOWN_FROM)
        self.down_to = _step_up(facts.start + length * DOWN_TO)
        url = f"http://127.0.0.1:{self._endpoint.port}/zoom/webhook"
        self._http = PerThreadTransport(timeout=30)
        concurrency = SENDING_AT_ONCE if isinstance(self._endpoint, ReceiverProcess) else 1
        self._sender = WebhookSender(
            url, secret.encode(), rt.clock, self._unless_down(self._http), concurrency=concurrency
        )
        info = MeetingInfo(topic=topic, duration=duration_minutes)
        # Built as they fall due (a meeting of thousands makes tens of thousands of them).
        self._upcoming = notifications(facts, info)
        self._next = next(self._upcoming, None)

    @classmethod
    def hold(cls, rt: App, event_key: str, plan: AttendancePlan = DEMO_AUDIENCE) -> MeetingRehearsal | None:
        """Let the emulator hold the event's meeting (``None``: no meeting in Zoom yet)."""
        with rt.session() as session:
            event = session.scalars(select(Event).where(Event.key == event_key)).one()
            meeting = session.scalars(select(ZoomMeeting).where(ZoomMeeting.event_id == event.id)).first()
            if meeting is None or meeting.zoom_meeting_id is None:
                return None
            meeting_id, start, end, title = (
                meeting.zoom_meeting_id,
                event.start_utc,
                event.end_utc,
                event.title,
            )
        facts = rt.emulator.simulate_attendance(meeting_id, plan, start=start, end=end)
        return cls(rt, facts, topic=title, duration_minutes=int((end - start) / timedelta(minutes=1)))

    def _unless_down(self, http: Transport) -> Transport:
        def post(url: str, body: bytes, headers: dict[str, str]) -> int:
            if self.down_from <= self._rt.clock.now() < self.down_to:
                raise ConnectionError("the rehearsed service is down")
            return http(url, body, headers)

        return post

    def next_due(self) -> datetime | None:
        """The next delivery step at which something is sent (a notification or one of Zoom's retries)."""
        moments = [m for m in (self._next[0] if self._next else None, self._sender.next_due()) if m]
        return _step_up(min(moments)) if moments else None

    def run_due(self) -> int:
        """Send what is due at the clock's time; return how many deliveries were attempted."""
        now = self._rt.clock.now()
        # Deliveries dropped during the rehearsed outage are expected: figures() counts them, so
        # the sender's warning per dropped webhook would only bury the demo's own output.
        level = _SENDER_LOG.level
        _SENDER_LOG.setLevel(logging.ERROR)
        try:
            attempted = self._sender.run_due()
            batch = []
            while self._next is not None and self._next[0] <= now:
                batch.append(self._next[1])
                self._next = next(self._upcoming, None)
            self._sender.send_all(batch)
            attempted += len(batch)
        finally:
            _SENDER_LOG.setLevel(level)
        return attempted

    @property
    def finished(self) -> bool:
        return self._next is None and self._sender.next_due() is None

    def figures(self) -> WebhookFigures:
        deliveries = self._sender.deliveries
        return WebhookFigures(
            sent=len(deliveries),
            delivered_first_time=sum(1 for d in self._sender.delivered if len(d.attempts) == 1),
            delivered_after_retry=sum(1 for d in self._sender.delivered if len(d.attempts) > 1),
            dropped=len(self._sender.dropped),
            down_from=self.down_from,
            down_to=self.down_to,
        )

    def close(self) -> None:
        self._sender.close()
        self._http.close()
        if isinstance(self._endpoint, ReceiverProcess):
            self._endpoint.close()
        else:
            self._endpoint.stop()


def _start_endpoint(rt: App, secret: str) -> ReceiverProcess | HttpServer:
    """The service's real endpoint: in a process of its own when the clock can be shared with one
    (the demo), else in a thread of this process (tests on a plain frozen clock)."""
    if isinstance(rt.clock, SharedClock):
        return ReceiverProcess(rt.settings, secret, rt.clock)
    from orchestrator.web.app import create_app
    from orchestrator.web.context import WebContext
    from orchestrator.web.serve import HttpServer

    context = replace(WebContext.from_runtime(rt), webhook_secret=SecretStr(secret))
    server = HttpServer(create_app(context, process_in_background=False), "127.0.0.1", 0)
    server.start()
    return server


def _step_up(moment: datetime) -> datetime:
    """``moment`` rounded up to the delivery grid (whole steps since the epoch)."""
    step = DELIVERY_STEP.total_seconds()
    seconds = moment.timestamp()
    steps = -(-seconds // step)
    return moment + timedelta(seconds=steps * step - seconds)
