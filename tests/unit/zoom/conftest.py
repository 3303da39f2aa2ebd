"""Fixtures for the Zoom client tests: a frozen clock that records sleeps, a fake token service."""

from __future__ import annotations

import itertools
import json
import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import responses
from pydantic import SecretStr

from orchestrator.clock import FrozenClock
from orchestrator.zoom.client import ZoomClient
from orchestrator.zoom.http import RetryPolicy, ZoomHttp
from orchestrator.zoom.oauth import TokenProvider
from orchestrator.zoom.ratelimit import ZoomRateLimiter

API = "https://api.zoom.test/v2"
OAUTH = "https://zoom.test/oauth/token"
ACCOUNT_ID = "acc-123"
CLIENT_ID = "client-abc"
CLIENT_SECRET = "very-secret-client-value-42"
START = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)


class RecordingClock(FrozenClock):
    """FrozenClock that remembers every sleep (tests assert the waits, never wait themselves)."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        super().sleep(seconds)


class TokenService:
    """Answers POST /oauth/token like Zoom, issuing tok-1, tok-2, … and counting requests."""

    def __init__(self, expires_in: int = 3599) -> None:
        self.expires_in = expires_in
        self.latency = 0.0  # simulated network latency (real seconds) to widen race windows
        self._counter = itertools.count(1)
        self.requests: list[requests.PreparedRequest] = []

    def __call__(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        self.requests.append(request)
        if self.latency:
            time.sleep(self.latency)
        token = f"tok-{next(self._counter)}-{'x' * 20}"
        body = {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": self.expires_in,
            "scope": "meeting:read:admin meeting:write:admin user:read:admin",
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    @property
    def count(self) -> int:
        return len(self.requests)


def token_name(n: int) -> str:
    return f"tok-{n}-{'x' * 20}"


@pytest.fixture
def clock() -> RecordingClock:
    return RecordingClock(START)


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def token_service(rsps: responses.RequestsMock) -> TokenService:
    service = TokenService()
    rsps.add_callback(responses.POST, OAUTH, callback=service)
    return service


@pytest.fixture
def session() -> requests.Session:
    return requests.Session()


@pytest.fixture
def tokens(session: requests.Session, clock: RecordingClock) -> TokenProvider:
    return TokenProvider(ACCOUNT_ID, CLIENT_ID, SecretStr(CLIENT_SECRET), OAUTH, session, clock)


@pytest.fixture
def make_http(
    tokens: TokenProvider, clock: RecordingClock, session: requests.Session, token_service: TokenService
) -> Callable[..., ZoomHttp]:
    def build(**overrides: Any) -> ZoomHttp:
        options: dict[str, Any] = {
            "clock": clock,
            "session": session,
            "retry": RetryPolicy(rng=random.Random(7)),
            # Large burst so pacing never shows up in the retry tests' recorded sleeps.
            "limiter": ZoomRateLimiter("business", clock, burst_seconds=10),
        }
        options.update(overrides)
        limiter = options.pop("limiter")
        return ZoomHttp(API, tokens, limiter, **options)

    return build


@pytest.fixture
def http(make_http: Callable[..., ZoomHttp]) -> ZoomHttp:
    return make_http()


@pytest.fixture
def client(http: ZoomHttp) -> ZoomClient:
    return ZoomClient(http)


def zoom_error(code: int, message: str) -> dict[str, Any]:
    """Zoom's error body shape."""
    return {"code": code, "message": message}
