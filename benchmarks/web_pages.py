"""Server time of the organiser's pages with 5,000 registrants in the store (SQLite and PostgreSQL).

Fills a fresh store with the sample event and N people (registered with Zoom, five mails each,
rooms in every round), runs the whole web app in process (ASGI, through Starlette's test client)
and requests each page R times as a logged-in organiser. "Server time" is measured inside the
app (from the request reaching it to the last byte of the answer), so the client does not count.
Pages: the people list, a search by name, the people list on a later page, and the dashboard.

Targets (issue 14): people list and dashboard p95 <= 300 ms, search p95 <= 150 ms.

Run: .venv/bin/python benchmarks/web_pages.py [--people 5000] [--requests 200]
         [--backends sqlite postgresql] [--postgres URL]
PostgreSQL runs when --postgres or ORCHESTRATOR_TEST_POSTGRES_URL gives a server (a fresh
schema, dropped afterwards).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from orchestrator.db.models import (  # noqa: E402
    BreakoutAssignment,
    BreakoutRoundRecord,
    Event,
    OutboxMessage,
    Person,
    ZoomMeeting,
    ZoomRegistration,
)
from tests.integration.test_web_ui_support import (  # noqa: E402
    EVENT_KEY,
    ORGANISER,
    add_account,
    event_runtime,
    login,
)

TARGETS_MS = {"people": 300.0, "people page 40": 300.0, "search": 150.0, "dashboard": 300.0}
FIRST = ("Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hans", "Ida", "Jonas", "Klara", "Lukas")
LAST = (
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Schulz",
)


def fill(rt: Any, people: int) -> None:
    """``people`` registered people with five mails each and a room in every round (bulk inserts)."""
    now = rt.clock.now()
    with rt.session() as session:
        event = session.scalars(select(Event)).one()
        meeting = session.scalars(select(ZoomMeeting)).one()
        rounds = list(
            session.scalars(select(BreakoutRoundRecord).where(BreakoutRoundRecord.event_id == event.id))
        )
        rows = [
            {
                "event_id": event.id,
                "email": f"teilnehmer{n:05d}@example.org",
                "email_display": f"teilnehmer{n:05d}@example.org",
                "first_name": FIRST[n % len(FIRST)],
                "last_name": f"{LAST[n % len(LAST)]}{n:05d}",
                "organisation": f"Träger {n % 97}",
                "language": "de" if n % 5 else "en",
                "wishes": [],
                "source": "import",
                "status": "active" if n % 50 else "cancelled",
                "approval_pending": False,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(people)
        ]
        for start in range(0, len(rows), 1000):
            session.execute(insert(Person), rows[start : start + 1000])
        ids = list(session.scalars(select(Person.id).where(Person.event_id == event.id).order_by(Person.id)))
        registrations = [
            {
                "person_id": pid,
                "meeting_id": meeting.id,
                "state": "registered" if n % 40 else "failed",
                "zoom_registrant_id": f"r{pid}",
                "zoom_status": "approved",
                "join_url": f"https://zoom.example/w/1?tk=secret{pid}",
                "attempts": 1,
                "adds_on_day": 0,
                "registered_at": now,
                "updated_at": now,
            }
            for n, pid in enumerate(ids)
        ]
        occasions = [
            ("confirmation", "confirmation", "sent"),
            ("reminder", "reminder:7d", "queued"),
            ("reminder", "reminder:1d", "queued"),
            ("reminder", "reminder:1h", "queued"),
            ("thank_you", "thank_you", "queued"),
        ]
        mails = [
            {
                "event_id": event.id,
                "person_id": pid,
                "kind": kind,
                "occasion": occasion,
                "state": state if n % 200 else "failed",
                "due_at": now,
                "deadline": event.end_utc,
                "attempts": 0,
                "crash_resends": 0,
                "sent_at": now if state == "sent" else None,
                "created_at": now,
                "updated_at": now,
            }
            for n, pid in enumerate(ids)
            for kind, occasion, state in occasions
        ]
        assignments = [
            {
                "round_id": r.id,
                "person_id": pid,
                "room_name": r.rooms[n % len(r.rooms)].name,
                "source": "planned",
                "forced": False,
                "updated_at": now,
            }
            for r in rounds
            for n, pid in enumerate(ids)
        ]
        for model, values in (
            (ZoomRegistration, registrations),
            (OutboxMessage, mails),
            (BreakoutAssignment, assignments),
        ):
            for start in range(0, len(values), 2000):
                session.execute(insert(model), values[start : start + 2000])
        session.commit()


def timed(app: Any, times: dict[str, list[float]], name: Callable[[], str]) -> Any:
    """The ASGI app with a stopwatch: the time from receiving the request to the answer's last byte."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed_send(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                times[name()].append((time.perf_counter() - started) * 1000)

        await app(scope, receive, timed_send)

    return wrapped


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def run(backend: str, url: str, people: int, requests: int, workdir: Path) -> dict[str, list[float]]:
    from fastapi.testclient import TestClient

    from orchestrator.web.ui import create_ui_app

    rt = event_runtime(url, workdir)
    add_account(rt, ORGANISER, "organiser")
    started = time.perf_counter()
    fill(rt, people)
    print(f"{backend}: {people} people stored in {time.perf_counter() - started:.1f} s", flush=True)
    if backend == "postgresql":
        with rt.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    times: dict[str, list[float]] = defaultdict(list)
    current = {"name": "login"}
    app = create_ui_app(rt, secure_cookies=False, process_in_background=False)
    client = TestClient(timed(app, times, lambda: current["name"]), follow_redirects=False)
    login(client)
    pages = {
        "people": f"/events/{EVENT_KEY}/people",
        "people page 40": f"/events/{EVENT_KEY}/people?page=40",
        "search": f"/events/{EVENT_KEY}/people?q=schmidt00417",
        "dashboard": f"/events/{EVENT_KEY}",
    }
    for name, path in pages.items():
        current["name"] = "warm-up"
        for _ in range(3):
            assert client.get(path).status_code == 200, path
        current["name"] = name
        for _ in range(requests):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            assert "secret" not in response.text  # never a join link
    rt.engine.dispose()
    return {name: times[name] for name in pages}


def postgres_schema_url(base: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(make_url(base).set(drivername="postgresql+psycopg"))
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = (
        make_url(base)
        .set(drivername="postgresql+psycopg")
        .update_query_dict({"options": f"-csearch_path={schema}"})
    )
    return url.render_as_string(hide_password=False), schema


def drop_schema(base: str, schema: str) -> None:
    engine = create_engine(make_url(base).set(drivername="postgresql+psycopg"))
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--postgres", default=os.environ.get("ORCHESTRATOR_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    results: dict[str, dict[str, list[float]]] = {}
    for backend in args.backends:
        with tempfile.TemporaryDirectory(prefix="web-pages-") as tmp:
            workdir = Path(tmp)
            if backend == "sqlite":
                results[backend] = run(
                    backend, f"sqlite:///{workdir / 'store.db'}", args.people, args.requests, workdir
                )
                continue
            if not args.postgres:
                print("postgresql: skipped (give --postgres URL or ORCHESTRATOR_TEST_POSTGRES_URL)")
                continue
            url, schema = postgres_schema_url(args.postgres)
            try:
                results[backend] = run(backend, url, args.people, args.requests, workdir)
            finally:
                drop_schema(args.postgres, schema)
    missed = 0
    print(f"\n{args.people} people, {args.requests} requests per page; server time in ms")
    print(f"{'backend':<11} {'page':<15} {'p50':>7} {'p95':>7} {'max':>7} {'target':>7}")
    for backend, pages in results.items():
        for name, values in pages.items():
            p95 = percentile(values, 0.95)
            ok = p95 <= TARGETS_MS[name]
            missed += not ok
            print(
                f"{backend:<11} {name:<15} {statistics.median(values):7.1f} {p95:7.1f} {max(values):7.1f} "
                f"{TARGETS_MS[name]:7.0f} {'ok' if ok else 'MISSED'}"
            )
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
