"""Fault injection (each kind, matching, parsing) and the enforced per-category rate limits."""

from __future__ import annotations

import pytest
import requests

from orchestrator.clock import FrozenClock
from orchestrator.errors import BadInput
from orchestrator.zoom.emulator import EmulatorConfig, FaultRule, Faults, parse_fault
from orchestrator.zoom.emulator.config import Category, CategoryLimit
from tests.unit.emulator.emulator_helpers import SleepRecorder, Zoom


def test_429_with_headers(zoom: Zoom, faults: Faults) -> None:
    zoom.login()
    rule = faults.inject("429", path_glob="/v2/users/*", count=1)
    limited = zoom.call("GET", "/users/me")
    assert limited.status_code == 429
    assert limited.json() == {
        "code": 429,
        "message": "You have reached the maximum per-second rate limit for this API. Try again later.",
    }
    assert limited.headers["X-RateLimit-Type"] == "QPS"
    assert limited.headers["X-RateLimit-Category"] == "Light"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.headers["Retry-After"] == "1"
    assert rule.fired == 1
    assert zoom.call("GET", "/users/me").status_code == 200  # count used up


def test_429_without_headers(zoom: Zoom, faults: Faults) -> None:
    zoom.login()
    faults.inject("429-no-headers", count=1)
    limited = zoom.call("GET", "/users/me")
    assert limited.status_code == 429
    assert limited.json()["code"] == 429
    assert not any(h.lower().startswith("x-ratelimit") or h.lower() == "retry-after" for h in limited.headers)


def test_429_daily(zoom: Zoom, faults: Faults) -> None:
    zoom.login()
    faults.inject("429-daily", count=1)
    limited = zoom.call("GET", "/users/me")
    assert limited.status_code == 429
    assert limited.headers["X-RateLimit-Type"] == "Daily-limit"
    assert limited.headers["Retry-After"] == "2025-06-03T00:00:00Z"
    assert "daily rate limit" in limited.json()["message"]


def test_5xx(zoom: Zoom, faults: Faults, app: object) -> None:
    zoom.login()
    faults.inject("500", count=1)
    faults.inject("502", count=1)
    faults.inject("503", count=1)
    first = zoom.call("POST", "/users/me/meetings", json={"topic": "x"})
    assert first.status_code == 500
    assert first.json()["code"] == 500
    second = zoom.call("GET", "/users/me")
    assert second.status_code == 502
    assert second.headers["Content-Type"] == "text/html"
    assert "Bad Gateway" in second.text
    assert zoom.call("GET", "/users/me").status_code == 503
    assert zoom.call("GET", "/users/me").status_code == 200
    # a failed create created nothing
    assert zoom.call("GET", "/users/me/meetings").json()["total_records"] == 0


def test_slow_answers_wait_and_time_out(zoom: Zoom, faults: Faults, sleeper: SleepRecorder) -> None:
    zoom.login()
    faults.inject("slow", delay_s=2.5, count=2)
    answer = zoom.call("GET", "/users/me", timeout=(1, 5))
    assert answer.status_code == 200
    assert sleeper.calls == [2.5]
    with pytest.raises(requests.exceptions.ReadTimeout):
        zoom.call("POST", "/users/me/meetings", json={"topic": "late"}, timeout=(1, 0.5))
    assert sleeper.calls == [2.5, 0.5]
    # the server processed the request although the client gave up (why retries must be idempotent)
    assert zoom.call("GET", "/users/me/meetings").json()["total_records"] == 1


def test_token_expired_fault(zoom: Zoom, faults: Faults) -> None:
    zoom.login()
    rule = faults.inject("token-expired", count=1)
    expired = zoom.call("GET", "/users/me")
    assert expired.status_code == 401
    assert expired.json() == {"code": 124, "message": "Access token is expired."}
    # the token stays expired, as a real one would; a new token works
    assert zoom.call("GET", "/users/me").status_code == 401
    zoom.login()
    assert zoom.call("GET", "/users/me").status_code == 200
    assert rule.fired == 1


def test_matching_by_path_and_method(zoom: Zoom, faults: Faults) -> None:
    zoom.login()
    faults.inject("500", path_glob="/v2/meetings/*", methods={"patch"})
    meeting_id = zoom.create_meeting()["id"]
    assert zoom.call("GET", f"/meetings/{meeting_id}").status_code == 200
    assert zoom.call("PATCH", f"/meetings/{meeting_id}", json={"topic": "a"}).status_code == 500
    assert zoom.call("PATCH", f"/meetings/{meeting_id}", json={"topic": "a"}).status_code == 500


def test_probability_uses_a_seeded_generator() -> None:
    def fired(seed: int) -> list[bool]:
        faults = Faults(seed=seed)
        faults.inject("500", probability=0.3)
        return [faults.pick("GET", "/v2/users/me") is not None for _ in range(200)]

    first = fired(1)
    assert first == fired(1)
    assert 30 < sum(first) < 90  # about 60 of 200


def test_parse_specs() -> None:
    rule = parse_fault("429:0.1")
    assert (rule.kind, rule.probability, rule.count) == ("429", 0.1, None)
    rule = parse_fault("500:count=3:path=/v2/meetings/*")
    assert (rule.kind, rule.count, rule.path_glob) == ("500", 3, "/v2/meetings/*")
    assert parse_fault("slow:delay=2").delay_s == 2.0
    assert parse_fault("token-expired:count=1").count == 1
    assert parse_fault("503:2:method=post,put").methods == frozenset({"POST", "PUT"})
    assert parse_fault("429-no-headers:p=0.5").probability == 0.5
    for bad in ("404", "429:p=2", "slow:delay=x", "500:colour=red", "500:count=-1"):
        with pytest.raises(BadInput):
            parse_fault(bad)


def test_fault_rule_validation() -> None:
    with pytest.raises(ValueError):
        FaultRule("418")  # type: ignore[arg-type]


def test_token_endpoint_faults(zoom: Zoom, faults: Faults) -> None:
    faults.inject("503", path_glob="/oauth/token", count=1)
    faults.inject("token-expired")  # makes no sense on the token endpoint: not applied there
    assert zoom.fetch_token().status_code == 503
    assert zoom.fetch_token().status_code == 200


def test_qps_rate_limit_per_category(zoom: Zoom, config: EmulatorConfig, clock: FrozenClock) -> None:
    config.plan = "free"  # Light 4/s, Medium 2/s
    zoom.login()
    statuses = [zoom.call("GET", "/users/me").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    # another category has its own quota
    assert zoom.call("GET", "/users/me/meetings").status_code == 200
    clock.advance(1)
    assert zoom.call("GET", "/users/me").status_code == 200


def test_daily_category_quota(zoom: Zoom, config: EmulatorConfig, clock: FrozenClock) -> None:
    config.rate_limits = {
        Category.LIGHT: CategoryLimit(100, 3),
        Category.MEDIUM: CategoryLimit(100),
        Category.HEAVY: CategoryLimit(100),
    }
    zoom.login()
    assert [zoom.call("GET", "/users/me").status_code for _ in range(4)] == [200, 200, 200, 429]
    clock.advance(24 * 3600)
    zoom.login()
    assert zoom.call("GET", "/users/me").status_code == 200


def test_rate_limits_can_be_switched_off(zoom: Zoom, config: EmulatorConfig) -> None:
    config.plan = "free"
    config.enforce_rate_limits = False
    zoom.login()
    assert {zoom.call("GET", "/users/me").status_code for _ in range(20)} == {200}
