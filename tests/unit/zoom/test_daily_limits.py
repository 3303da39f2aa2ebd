"""Zoom's per-user and per-registrant daily limits are counted locally and refused before Zoom.

Limits (Zoom's rate-limit page and the endpoint descriptions): 100 meeting creates/updates per
host user and day, 3 adds of the same registrant per meeting and day, 10 status changes of one
registrant per meeting and day; all reset at 00:00 UTC.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import responses

from orchestrator.i18n import language
from orchestrator.zoom.client import ZoomClient
from orchestrator.zoom.errors import RateLimited
from orchestrator.zoom.http import ZoomHttp
from orchestrator.zoom.ratelimit import DailyLimits

from .conftest import API, RecordingClock

MEETING_ID = 85746065
MEETING = f"{API}/meetings/{MEETING_ID}"


@pytest.fixture
def limited(http: ZoomHttp, clock: RecordingClock) -> ZoomClient:
    return ZoomClient(http, DailyLimits(clock))


def sent(rsps: responses.RequestsMock, method: str, fragment: str) -> int:
    return sum(1 for c in rsps.calls if c.request.method == method and fragment in str(c.request.url))


def test_101st_meeting_update_of_the_day_is_refused_before_zoom(
    rsps: responses.RequestsMock, limited: ZoomClient, clock: RecordingClock
) -> None:
    rsps.add(
        responses.POST,
        f"{API}/users/me/meetings",
        status=201,
        json={"id": MEETING_ID, "host_id": "KDcuGIm1QgePTO8WbOqwIQ"},
    )
    rsps.add(responses.PATCH, MEETING, status=204)
    limited.create_meeting("me", {"topic": "Fachtag"})  # 1 of 100
    for _ in range(99):
        limited.update_meeting(MEETING_ID, {"agenda": "x"})
    clock.set(clock.now().replace(hour=20, minute=15))
    with pytest.raises(RateLimited) as caught:
        limited.update_meeting(MEETING_ID, {"agenda": "x"})
    error = caught.value
    assert error.daily is True and error.status is None  # refused locally: Zoom never saw it
    assert sent(rsps, "PATCH", "/meetings/") == 99
    text = str(error)
    assert "100 meeting creations and updates per host user and day" in text  # what
    assert "none are left today for user me" in text  # how many left
    assert "resets at 00:00 UTC (in 3 h 45 min)" in text  # when it resets
    assert error.retry_after == pytest.approx(timedelta(hours=3, minutes=45).total_seconds())


def test_updates_count_against_the_host_not_the_meeting(
    rsps: responses.RequestsMock, limited: ZoomClient
) -> None:
    # Zoom counts per user: updates of two meetings of one host share the 100.
    rsps.add(responses.PATCH, MEETING, status=204)
    rsps.add(responses.PATCH, f"{API}/meetings/1234", status=204)
    for n in range(100):
        limited.update_meeting(MEETING_ID if n % 2 else 1234, {"agenda": "x"})
    with pytest.raises(RateLimited):
        limited.update_meeting(1234, {"agenda": "x"})
    # another host user has a quota of its own
    limited.update_meeting(1234, {"agenda": "x"}, host_user="co-host@example.org")


def test_get_meeting_teaches_the_host_of_a_meeting(rsps: responses.RequestsMock, limited: ZoomClient) -> None:
    rsps.add(responses.POST, f"{API}/users/me/meetings", status=201, json={"id": 1, "host_id": "H1"})
    rsps.add(responses.GET, MEETING, json={"id": MEETING_ID, "host_id": "H1"})
    rsps.add(responses.PATCH, MEETING, status=204)
    limited.create_meeting("me", {"topic": "a"})  # "me" is H1 from now on
    limited.get_meeting(MEETING_ID)
    for _ in range(99):
        limited.update_meeting(MEETING_ID, {"agenda": "x"})
    with pytest.raises(RateLimited):
        limited.update_meeting(MEETING_ID, {"agenda": "x"})


def test_4th_add_of_one_registrant_is_refused_with_what_left_and_reset(
    rsps: responses.RequestsMock, limited: ZoomClient
) -> None:
    rsps.add(responses.POST, f"{MEETING}/registrants", status=201, json={"registrant_id": "r1"})
    for _ in range(3):
        limited.add_registrant(MEETING_ID, {"email": "anna@example.org", "first_name": "Anna"})
    with pytest.raises(RateLimited) as caught:
        limited.add_registrant(MEETING_ID, {"email": "Anna@Example.org", "first_name": "Anna"})
    text = str(caught.value)
    assert (
        "adding the same registrant 3 times per meeting and day; 1 of these registrants have none left"
        in text
    )
    assert "resets at 00:00 UTC (in 16 h 0 min)" in text
    assert "anna@example.org" not in text.lower()  # no personal data in messages
    assert sent(rsps, "POST", "/registrants") == 3


def test_11th_status_change_of_one_registrant_is_refused_before_zoom(
    rsps: responses.RequestsMock, limited: ZoomClient
) -> None:
    rsps.add(responses.PUT, f"{MEETING}/registrants/status", status=204)
    anna = {"id": "reg-anna", "email": "anna@example.org"}
    for n in range(10):
        limited.update_registrant_status(MEETING_ID, "approve" if n % 2 else "deny", [anna])
    others = [{"id": f"reg-{n}", "email": f"p{n}@example.org"} for n in range(40)]
    with pytest.raises(RateLimited) as caught:
        limited.update_registrant_status(MEETING_ID, "approve", [*others, anna])  # two chunks
    assert "10 status changes per registrant, meeting and day; 1 of these registrants have none left" in str(
        caught.value
    )
    # refused as a whole before the first chunk: nobody half-updated, nobody else's quota used
    assert sent(rsps, "PUT", "/registrants/status") == 10
    limited.update_registrant_status(MEETING_ID, "approve", others)
    assert sent(rsps, "PUT", "/registrants/status") == 12
    # another meeting is a separate count
    rsps.add(responses.PUT, f"{API}/meetings/1/registrants/status", status=204)
    limited.update_registrant_status(1, "approve", [anna])


def test_limits_reset_at_midnight_utc(
    rsps: responses.RequestsMock, limited: ZoomClient, clock: RecordingClock
) -> None:
    rsps.add(responses.PUT, f"{MEETING}/registrants/status", status=204)
    anna = {"id": "reg-anna", "email": "anna@example.org"}
    for _ in range(10):
        limited.update_registrant_status(MEETING_ID, "approve", [anna])
    with pytest.raises(RateLimited):
        limited.update_registrant_status(MEETING_ID, "approve", [anna])
    clock.set(clock.now().replace(hour=0, minute=0) + timedelta(days=1))
    limited.update_registrant_status(MEETING_ID, "approve", [anna])


def test_refusal_message_in_german(rsps: responses.RequestsMock, limited: ZoomClient) -> None:
    rsps.add(responses.PUT, f"{MEETING}/registrants/status", status=204)
    anna = {"id": "reg-anna"}
    for _ in range(10):
        limited.update_registrant_status(MEETING_ID, "approve", [anna])
    with language("de"), pytest.raises(RateLimited) as caught:
        limited.update_registrant_status(MEETING_ID, "approve", [anna])
    text = str(caught.value)
    assert "Nicht an Zoom gesendet: Zoom erlaubt 10 Statusänderungen" in text
    assert "um 00:00 UTC zurückgesetzt (in 16 Std. 0 Min.)" in text
