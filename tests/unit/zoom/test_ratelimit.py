"""Client-side pacing per Zoom rate category and plan; daily quotas; category map vs. Zoom's spec."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import responses

from orchestrator.pacing import Pacer
from orchestrator.zoom.http import ZoomHttp
from orchestrator.zoom.ratelimit import (
    ENDPOINT_CATEGORIES,
    PLAN_RATES,
    AccountPlan,
    DailyQuota,
    RateCategory,
    ZoomRateLimiter,
    category_for,
)
from tests.support.zoom_spec import load_zoom_meetings_spec

from .conftest import API, START, RecordingClock


@pytest.mark.parametrize(
    ("plan", "category", "calls", "expected_seconds"),
    [
        ("pro", RateCategory.LIGHT, 30 + 60, 2.0),  # burst of 30, then 30/s
        ("pro", RateCategory.MEDIUM, 20 + 10, 0.5),
        ("business", RateCategory.HEAVY, 40 + 40, 1.0),
        ("free", RateCategory.HEAVY, 1 + 5, 5.0),
        ("enterprise", RateCategory.LIGHT, 80 + 8, 0.1),
    ],
)
def test_limiter_paces_calls_to_the_plan_rate(
    clock: RecordingClock, plan: str, category: RateCategory, calls: int, expected_seconds: float
) -> None:
    limiter = ZoomRateLimiter(plan, clock)
    for _ in range(calls):
        limiter.acquire(category)
    assert (clock.now() - START).total_seconds() == pytest.approx(expected_seconds)


def test_categories_have_independent_buckets(clock: RecordingClock) -> None:
    limiter = ZoomRateLimiter("pro", clock)
    for _ in range(30):
        limiter.acquire(RateCategory.LIGHT)
    for _ in range(20):
        limiter.acquire(RateCategory.MEDIUM)
    assert clock.sleeps == []


def test_pacer_refills_with_time(clock: RecordingClock) -> None:
    bucket = Pacer.per_second(2.0, clock, burst=2.0)
    assert [bucket.reserve(), bucket.reserve()] == [0.0, 0.0]
    assert bucket.reserve() == pytest.approx(0.5)
    clock.advance(timedelta(seconds=10))
    assert bucket.reserve() == 0.0  # refilled, but never above capacity
    assert bucket.reserve() == 0.0
    assert bucket.reserve() == pytest.approx(0.5)


def test_headroom_scales_rates(clock: RecordingClock) -> None:
    limiter = ZoomRateLimiter(AccountPlan.BUSINESS, clock, headroom=0.5)
    assert limiter.rate(RateCategory.LIGHT) == pytest.approx(40.0)


def test_documented_plan_rates() -> None:
    assert PLAN_RATES[AccountPlan.FREE][RateCategory.LIGHT] == 4
    assert PLAN_RATES[AccountPlan.PRO][RateCategory.MEDIUM] == 20
    assert PLAN_RATES[AccountPlan.BUSINESS][RateCategory.HEAVY] == 40
    assert PLAN_RATES[AccountPlan.ENTERPRISE] == PLAN_RATES[AccountPlan.BUSINESS]


def test_http_paces_each_request_by_endpoint_category(
    rsps: responses.RequestsMock, make_http: Callable[..., ZoomHttp], clock: RecordingClock
) -> None:
    http = make_http(limiter=ZoomRateLimiter("free", clock))
    rsps.add(responses.POST, f"{API}/meetings/1/batch_registrants", status=201, json={"registrants": []})
    for _ in range(4):  # HEAVY on free: 1/s, burst 1 → three waits of 1 s
        http.request(
            "POST",
            "/meetings/{meetingId}/batch_registrants",
            path_params={"meetingId": 1},
            json={"registrants": []},
        )
    assert clock.sleeps == [pytest.approx(1.0)] * 3


def test_category_map_matches_zoom_rate_limit_labels() -> None:
    paths: dict[str, Any] = load_zoom_meetings_spec()["paths"]  # skips, saying why, when absent
    checked = 0
    for (method, template), category in ENDPOINT_CATEGORIES.items():
        operation = paths.get(template, {}).get(method.lower())
        if operation is None:
            continue  # e.g. GET /users/{userId} lives in the Users API document
        label = re.search(r"Rate Limit Label[^`]*`(\w+)`", operation["description"])
        assert label is not None, template
        assert category.name == label.group(1).upper(), f"{method} {template}"
        checked += 1
    assert checked >= 12


def test_unknown_endpoint_is_paced_conservatively() -> None:
    assert category_for("get", "/meetings/{meetingId}") is RateCategory.LIGHT
    assert category_for("GET", "/report/meetings/{meetingId}") is RateCategory.HEAVY


def test_daily_quota_counts_per_key_and_resets_at_midnight_utc(clock: RecordingClock) -> None:
    quota = DailyQuota(3, clock)
    assert [quota.try_consume("a@example.org") for _ in range(3)] == [None, None, None]
    assert quota.try_consume("a@example.org") == pytest.approx(16 * 3600)
    assert quota.try_consume("b@example.org") is None
    assert quota.used("a@example.org") == 3
    clock.advance(timedelta(hours=16))  # 00:00 UTC next day
    assert quota.try_consume("a@example.org") is None
    assert quota.used("a@example.org") == 1


def test_daily_quota_all_or_nothing(clock: RecordingClock) -> None:
    quota = DailyQuota(1, clock)
    assert quota.try_consume("a") is None
    refused = quota.try_consume_all(["b", "a"])
    assert refused is not None and refused[1] == ["a"]
    assert quota.used("b") == 0
