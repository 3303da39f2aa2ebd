"""How many of N parallel wrong-password logins reach the password check (real uvicorn, real clock).

A server process (fresh SQLite store, one organiser account) serves the web interface; N clients
fetch the login form, wait at a barrier, then all post a wrong password at once. 400 means the
password was checked, 429 that the attempt was refused before the check. Afterwards the right
password is tried at once and again after the delay the server asked for (Retry-After).

Run: .venv/bin/python benchmarks/login_throttle.py [--parallel 20] [--source DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
EMAIL = "orga@example.org"
PASSWORD = "correct horse battery"

SERVER = """
import sys
from pathlib import Path
from orchestrator.app import App
from orchestrator.db import migrate
from orchestrator.settings import Settings
from orchestrator.web.serve import HttpServer
from orchestrator.web.ui import accounts, create_ui_app

work = Path(sys.argv[1])
url = f"sqlite:///{work / 'store.db'}"
migrate.upgrade(url)
rt = App(Settings(database_url=url, zoom="emulator", zoom_emulator_state=work / "zoom.json",
                      _env_file=None))
with rt.session() as session:
    accounts.create_user(session, "orga@example.org", "correct horse battery", "organiser", None)
    session.commit()
server = HttpServer(create_ui_app(rt, secure_cookies=False, process_in_background=False), "127.0.0.1", 0)
server.start()
print(server.port, flush=True)
sys.stdin.read()
server.stop()
"""


def csrf(client: httpx.Client) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert match is not None
    return match.group(1)


def attempt(client: httpx.Client, password: str) -> httpx.Response:
    form = {"email": EMAIL, "password": password, "csrf_token": csrf(client), "next": "/"}
    return client.post("/login", data=form)


def run(base_url: str, parallel: int) -> None:
    clients = [httpx.Client(base_url=base_url, timeout=60) for _ in range(parallel)]
    tokens = [csrf(c) for c in clients]
    barrier = threading.Barrier(parallel)
    statuses: list[int] = []

    def guess(client: httpx.Client, token: str) -> None:
        barrier.wait()
        form = {"email": EMAIL, "password": "wrong password!", "csrf_token": token, "next": "/"}
        statuses.append(client.post("/login", data=form).status_code)

    threads = [threading.Thread(target=guess, args=p) for p in zip(clients, tokens, strict=True)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts = Counter(statuses)
    print(
        f"{parallel} parallel wrong passwords in {time.perf_counter() - started:.2f} s: "
        f"{counts[400]} checked (400), {counts[429]} refused before the check (429)"
    )
    right = httpx.Client(base_url=base_url, timeout=60)
    first = attempt(right, PASSWORD)
    print(f"right password at once: {first.status_code} Retry-After={first.headers.get('retry-after')}")
    if first.status_code == 429:
        wait = int(first.headers.get("retry-after") or 900)
        if wait <= 120:
            time.sleep(wait)
            print(f"right password after {wait} s: {attempt(right, PASSWORD).status_code}")
        else:
            print(f"(the server asks for {wait} s: not waited)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parallel", type=int, default=20)
    parser.add_argument("--source", type=Path, default=REPO, help="checkout to run the server from")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, PYTHONPATH=str(args.source.resolve()))
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, work],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=work,
        )
        try:
            assert server.stdout is not None
            port = int(server.stdout.readline())
            print(f"source: {args.source}")
            run(f"http://127.0.0.1:{port}", args.parallel)
        finally:
            if server.stdin is not None:
                server.stdin.close()
            server.wait(30)


if __name__ == "__main__":
    main()
