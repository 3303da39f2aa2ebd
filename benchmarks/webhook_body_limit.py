"""Memory of the server while an unauthenticated client streams a huge chunked body to the webhook.

A real uvicorn server runs in its own process (fresh SQLite store, webhook secret set); the client
sends ``POST /zoom/webhook`` with ``Transfer-Encoding: chunked`` (no Content-Length) in 1 MB chunks
until ``--megabytes`` are sent or the server stops reading. Reported: the status the server
answered, how much the client got to send, the server's resident memory before the request and
its peak (``VmHWM``) afterwards.

Run: .venv/bin/python benchmarks/webhook_body_limit.py [--megabytes 200] [--source DIR]
``--source`` runs the server from another checkout (e.g. ``git archive HEAD`` unpacked) for a
before/after comparison.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHUNK = 1024 * 1024
HOST = "127.0.0.1"

SERVER = """
import sys, threading
from pathlib import Path
from pydantic import SecretStr
from orchestrator.clock import SystemClock
from orchestrator.db import migrate
from orchestrator.db.session import make_engine, make_sessionmaker
from orchestrator.web import WebContext, create_app
from orchestrator.web.serve import HttpServer

url = f"sqlite:///{Path(sys.argv[1]) / 'store.db'}"
migrate.upgrade(url)
context = WebContext(sessions=make_sessionmaker(make_engine(url)), clock=SystemClock(),
                     webhook_secret=SecretStr("benchmark-secret"))
server = HttpServer(create_app(context, process_in_background=False), "127.0.0.1", 0)
server.start()
print(server.port, flush=True)
sys.stdin.read()  # until the benchmark closes our stdin
server.stop()
"""


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def send_chunked(port: int, megabytes: int) -> tuple[str, int]:
    """Stream the body; returns the status line and the bytes the server let us send."""
    sock = socket.create_connection((HOST, port), timeout=10)
    head = (
        f"POST /zoom/webhook HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    sock.sendall(head.encode())
    chunk = b"%x\r\n" % CHUNK + b"x" * CHUNK + b"\r\n"
    sent = 0
    try:
        for _ in range(megabytes):
            sock.sendall(chunk)
            sent += CHUNK
        sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server answered and closed the connection: it stopped reading
    try:
        answer = sock.recv(4096).decode("latin-1")
    except OSError as exc:
        answer = f"(no answer: {exc})"
    sock.close()
    return answer.split("\r\n", 1)[0], sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=200)
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
            before = status_kb(server.pid, "VmRSS")
            started = time.perf_counter()
            status, sent = send_chunked(port, args.megabytes)
            seconds = time.perf_counter() - started
            peak = status_kb(server.pid, "VmHWM")
            after = status_kb(server.pid, "VmRSS")
        finally:
            if server.stdin is not None:
                server.stdin.close()
            server.wait(30)
    print(f"source: {args.source}")
    print(f"body offered: {args.megabytes} MB chunked (no Content-Length)")
    print(f"answer: {status} after {seconds:.1f} s; the server's socket took {sent / CHUNK:.0f} MB")
    print(
        f"server RSS before: {before / 1024:.0f} MB, peak (VmHWM): {peak / 1024:.0f} MB, "
        f"after: {after / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
