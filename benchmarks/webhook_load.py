"""Load test of ``POST /zoom/webhook`` (issue "Live service"): 200 signed events/s for 30 s.

A real uvicorn server (separate process, so client and server do not share one GIL) serves the
app on loopback with a fresh store (SQLite WAL by default, ``--database-url`` for PostgreSQL) and
the background worker applying events while they arrive. An asyncio client on 32 keep-alive
connections sends ``participant_joined`` notifications at a steady rate, re-sends every 20th one
as Zoom's retry would, and measures each acknowledgement from the moment the event was due
(so waiting in the client's queue counts too). Afterwards it checks the store: every unique event
stored exactly once, retries not stored, and how many were already processed.

Run: .venv/bin/python benchmarks/webhook_load.py [--rate 200] [--seconds 30] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pydantic import SecretStr  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from orchestrator.agenda import load_agenda  # noqa: E402
from orchestrator.app import App  # noqa: E402
from orchestrator.clock import FrozenClock, SystemClock  # noqa: E402
from orchestrator.db import migrate  # noqa: E402
from orchestrator.db.models import AttendanceMark, WebhookEvent, ZoomMeeting  # noqa: E402
from orchestrator.db.models.web import WebhookState  # noqa: E402
from orchestrator.meeting.service import run_setup  # noqa: E402
from orchestrator.settings import Settings  # noqa: E402
from orchestrator.web import WebContext, create_app  # noqa: E402
from orchestrator.zoom.webhooks import sign  # noqa: E402

SECRET = "benchmark-webhook-secret"
HOST = "127.0.0.1"
ACK_LIMIT_SECONDS = 3.0
RETRY_EVERY = 20


def settings_for(database_url: str, work: Path) -> Settings:
    return Settings(
        database_url=database_url,
        zoom="emulator",
        zoom_emulator_state=work / "zoom.json",
        zoom_webhook_secret=SecretStr(SECRET),
        _env_file=None,
    )


def prepare_store(database_url: str, work: Path) -> int:
    """Migrate, set up the sample event and its (emulated) Zoom meeting; return the Zoom meeting id."""
    migrate.upgrade(database_url)
    clock = FrozenClock(datetime(2025, 7, 28, 8, 0, tzinfo=UTC))
    rt = App(settings_for(database_url, work), clock=clock)
    try:
        run_setup(
            rt.store,
            rt.zoom,
            rt.clock,
            load_agenda(REPO / "config" / "fachtag-2025.yaml", now=clock.now()),
            recreate=False,
        )
        with rt.session() as session:
            meeting_id = session.scalars(select(ZoomMeeting.zoom_meeting_id)).one()
            assert meeting_id is not None
            return int(meeting_id)
    finally:
        rt.close()


def serve(database_url: str, work: str, port: int) -> None:
    """Child process: the app under uvicorn, as ``orchestrator run`` would serve it."""
    import uvicorn

    rt = App(settings_for(database_url, Path(work)), clock=SystemClock())
    app = create_app(WebContext.from_runtime(rt), process_in_background=True)
    uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False)


def notification(meeting_id: int, number: int) -> bytes:
    now = datetime.now(UTC)
    participant = {
        "user_id": str(16000000 + number),
        "user_name": f"Teilnehmende {number}",
        "participant_uuid": f"bench-{number}",
        "email": "",
        "join_time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    body = {
        "event": "meeting.participant_joined",
        "event_ts": int(now.timestamp() * 1000) + number,
        "payload": {
            "account_id": "bench",
            "object": {"id": str(meeting_id), "uuid": "bench-run==", "participant": participant},
        },
    }
    return json.dumps(body, separators=(",", ":")).encode()


CONNECTIONS = 32


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """Status and body of one HTTP/1.1 response (Content-Length framed, as uvicorn sends them)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    return status, await reader.readexactly(length)


def request_bytes(port: int, body: bytes) -> bytes:
    timestamp = str(int(time.time()))
    signature = sign(SECRET.encode(), timestamp, body)
    head = (
        f"POST /zoom/webhook HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nx-zm-request-timestamp: {timestamp}\r\n"
        f"x-zm-signature: {signature}\r\n\r\n"
    )
    return head.encode() + body


async def connection(
    port: int,
    queue: asyncio.Queue[tuple[bytes, float] | None],
    latencies: list[float],
    statuses: dict[str, int],
) -> None:
    """One keep-alive connection sending queued bodies one after another (like a proxy's upstream)."""
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        while (item := await queue.get()) is not None:
            body, started = item
            writer.write(request_bytes(port, body))
            status, payload = await read_response(reader)
            latencies.append(time.perf_counter() - started)
            key = json.loads(payload).get("status", "?") if status == 200 else str(status)
            statuses[key] = statuses.get(key, 0) + 1
    finally:
        writer.close()


async def load(
    port: int, meeting_id: int, rate: float, seconds: float
) -> tuple[list[float], dict[str, int], int, int]:
    """Enqueue events at ``rate``; ``CONNECTIONS`` keep-alive connections send them.

    A plain asyncio client: httpx's pool costs more CPU than the server itself on two cores,
    so the client, not the service, would set the pace.
    """
    total = int(rate * seconds)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    queue: asyncio.Queue[tuple[bytes, float] | None] = asyncio.Queue()
    workers = [asyncio.create_task(connection(port, queue, latencies, statuses)) for _ in range(CONNECTIONS)]
    start = time.perf_counter()
    retries = 0
    for number in range(total):
        delay = start + number / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        body = notification(meeting_id, number)
        due = time.perf_counter()
        queue.put_nowait((body, due))
        if number % RETRY_EVERY == 0:  # Zoom retrying: the very same body again
            queue.put_nowait((body, due))
            retries += 1
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    return latencies, statuses, total, retries


def wait_healthy(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{HOST}:{port}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("server did not become healthy")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def store_counts(database_url: str, work: Path, wait_seconds: float) -> dict[str, int]:
    rt = App(settings_for(database_url, work))
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            with rt.sessions() as session:
                rows = int(session.scalar(select(func.count()).select_from(WebhookEvent)) or 0)
                distinct = int(session.scalar(select(func.count(func.distinct(WebhookEvent.dedup_key)))) or 0)
                done = int(
                    session.scalar(
                        select(func.count())
                        .select_from(WebhookEvent)
                        .where(WebhookEvent.state == WebhookState.DONE)
                    )
                    or 0
                )
                marks = int(session.scalar(select(func.count()).select_from(AttendanceMark)) or 0)
            if done == rows or time.monotonic() > deadline:
                return {"rows": rows, "distinct": distinct, "processed": done, "attendance_marks": marks}
            time.sleep(0.5)
    finally:
        rt.close()


@contextmanager
def fresh_store(database_url: str | None, work: Path) -> Iterator[str]:
    """SQLite in ``work``, or a new schema in the given PostgreSQL database (dropped afterwards)."""
    if database_url is None:
        yield f"sqlite:///{work / 'store.db'}"
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    base = make_url(database_url).set(drivername="postgresql+psycopg")
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_benchmark(database_url: str, tmp: str, rate: float, seconds: float) -> None:
    """Serve, load, count, print."""
    work = Path(tmp)
    meeting_id = prepare_store(database_url, work)
    port = free_port()
    server = multiprocessing.get_context("spawn").Process(target=serve, args=(database_url, tmp, port))
    server.start()
    try:
        wait_healthy(port)
        began = time.perf_counter()
        latencies, statuses, total, retries = asyncio.run(load(port, meeting_id, rate, seconds))
        elapsed = time.perf_counter() - began
        counts = store_counts(database_url, work, wait_seconds=60.0)
    finally:
        server.terminate()
        server.join(15)

    backend = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite (WAL)"
    requests = total + retries
    acknowledged = statuses.get("stored", 0) + statuses.get("duplicate", 0)
    slow = sum(1 for value in latencies if value >= ACK_LIMIT_SECONDS)
    p50, p95, p99 = (percentile(latencies, share) * 1000 for share in (0.5, 0.95, 0.99))
    exactly_once = counts["rows"] == counts["distinct"] == total and statuses.get("duplicate", 0) == retries
    all_fast = acknowledged == requests and not slow
    print(
        f"store: {backend}; target {rate:.0f} events/s for {seconds:.0f} s, +1 retry per {RETRY_EVERY} events"
    )
    print(
        f"sent: {total} unique + {retries} retries = {requests} requests in {elapsed:.1f} s "
        f"({requests / elapsed:.0f} req/s)"
    )
    print(f"answers: {dict(sorted(statuses.items()))}")
    print(f"acknowledged (200): {acknowledged}/{requests}; >= {ACK_LIMIT_SECONDS:.0f} s: {slow}")
    print(
        f"latency ms (from due time): p50 {p50:.1f}, p95 {p95:.1f}, p99 {p99:.1f}, "
        f"max {max(latencies) * 1000:.1f}, mean {statistics.fmean(latencies) * 1000:.1f}"
    )
    print(
        f"store: {counts['rows']} rows, {counts['distinct']} distinct, processed {counts['processed']}, "
        f"attendance marks {counts['attendance_marks']}"
    )
    print(
        f"every event stored exactly once: {'yes' if exactly_once else 'NO'}; "
        f"all acknowledged under {ACK_LIMIT_SECONDS:.0f} s: {'yes' if all_fast else 'NO'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="duration of the load")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite in a temp dir)")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="webhook-load-") as tmp,
        fresh_store(args.database_url, Path(tmp)) as database_url,
    ):
        run_benchmark(database_url, tmp, args.rate, args.seconds)


if __name__ == "__main__":
    main()
