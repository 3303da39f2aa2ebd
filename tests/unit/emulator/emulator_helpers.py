"""Helpers for the emulator tests: a plain ``requests`` Zoom client and a sleep recorder."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import requests

API = "https://api.zoom.us/v2"
OAUTH = "https://zoom.us/oauth/token"
START = datetime(2025, 6, 2, 8, 0, 0, tzinfo=UTC)


class SleepRecorder:
    """Stands in for ``time.sleep``: records the delays instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


class Zoom:
    """A minimal client as any Zoom client would do it: token via Basic auth, Bearer on /v2."""

    def __init__(self, session: requests.Session, api: str = API, oauth: str = OAUTH) -> None:
        self.session = session
        self.api = api
        self.oauth = oauth
        self.token: str | None = None

    def fetch_token(
        self, client_id: str = "cid", secret: str = "csecret", account: str = "acc"
    ) -> requests.Response:
        return self.session.post(
            self.oauth,
            data={"grant_type": "account_credentials", "account_id": account},
            auth=(client_id, secret),
            timeout=5,
        )

    def login(self) -> None:
        answer = self.fetch_token()
        assert answer.status_code == 200, answer.text
        self.token = answer.json()["access_token"]

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        if self.token is None:
            self.login()
        kwargs.setdefault("timeout", 5)
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.session.request(method, self.api + path, headers=headers, **kwargs)

    def create_meeting(self, **fields: Any) -> dict[str, Any]:
        body = {
            "topic": "Fachtag 2025",
            "type": 2,
            "start_time": "2025-08-27T09:30:00",
            "timezone": "Europe/Berlin",
            "duration": 420,
            "agenda": "Programm",
            "settings": {"approval_type": 0},
            **fields,
        }
        answer = self.call("POST", "/users/me/meetings", json=body)
        assert answer.status_code == 201, answer.text
        result: dict[str, Any] = answer.json()
        return result
