"""Login throttling counted in the store: parallel guesses, restarts, per-address limit (real uvicorn)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from orchestrator.app import App
from orchestrator.web.serve import HttpServer
from orchestrator.web.ui import create_ui_app
from orchestrator.web.ui.throttle import ACCOUNT_POLICY
from tests.integration.test_web_ui_support import ORGANISER, add_account, client_for, event_runtime, login

PARALLEL = 20
DEADLINE = 60.0


@pytest.fixture
def rt(database_url: str, tmp_path: Path) -> App:
    runtime = event_runtime(database_url, tmp_path)
    add_account(runtime, ORGANISER, "organiser")
    return runtime


@pytest.fixture
def base_url(rt: App, tmp_path: Path) -> Iterator[str]:
    server = HttpServer(
        create_ui_app(rt, secure_cookies=False, process_in_background=False, upload_dir=tmp_path / "up"),
        "127.0.0.1",
        0,
    )
    server.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()


def test_parallel_wrong_passwords_are_not_all_checked(base_url: str) -> None:
    """20 guesses at once: only the free attempts and the one starting the delay reach the check."""
    clients = [
        httpx.Client(base_url=base_url, follow_redirects=False, timeout=DEADLINE) for _ in range(PARALLEL)
    ]
    tokens = [_csrf(client) for client in clients]
    start = threading.Barrier(PARALLEL)
    statuses: list[int] = []
    lock = threading.Lock()

    def guess(client: httpx.Client, token: str) -> None:
        start.wait(DEADLINE)
        response = client.post(
            "/login",
            data={"email": ORGANISER, "password": "wrong password!", "csrf_token": token, "next": "/"},
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=guess, args=pair) for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DEADLINE)
    for client in clients:
        client.close()
    counts = Counter(statuses)
    checked = counts[400]
    assert len(statuses) == PARALLEL
    assert checked <= ACCOUNT_POLICY.free + 1, counts  # 400 = the password was checked (and wrong)
    assert counts[429] == PARALLEL - checked, counts


def test_a_restart_keeps_the_count(rt: App) -> None:
    first = client_for(rt)
    for _attempt in range(ACCOUNT_POLICY.free + 1):
        assert login(first, ORGANISER, "wrong password!").status_code == 400
    restarted = client_for(rt)  # a new app (new process) on the same store
    assert login(restarted).status_code == 429
    rt.clock.advance(1)  # type: ignore[attr-defined]
    assert login(restarted).status_code == 303


def test_one_address_guessing_many_accounts_is_slowed_down(rt: App) -> None:
    client = client_for(rt)  # every TestClient request comes from the same address
    for number in range(20):  # different accounts: no account key reaches its delay
        assert login(client, f"guess{number}@example.org", "wrong password!").status_code == 400
    assert login(client, "guess-more@example.org", "wrong password!").status_code == 400  # 21st sets it
    refused = login(client, "yet-another@example.org", "wrong password!")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1


def _csrf(client: httpx.Client) -> str:
    from tests.integration.test_web_ui_support import csrf_of

    return csrf_of(client.get("/login").text)
