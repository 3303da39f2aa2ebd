"""The dashboard's "Jetzt mit Zoom abgleichen" while another sync runs: a clear message, nothing sent."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from orchestrator.db.lease import new_holder_id, release, try_take
from orchestrator.db.models import Event
from orchestrator.registrants.service import sync_lease_name
from tests.conftest import FIXTURE_CSV
from tests.integration.test_web_ui_support import (
    EVENT_KEY,
    ORGANISER,
    add_account,
    client_for,
    csrf_of,
    event_runtime,
    login,
)

DASHBOARD = f"/events/{EVENT_KEY}"
OTHER = "orchestrator registrants sync (PID 4242, otherhost)"


def test_sync_button_while_a_sync_runs_says_so_and_the_next_sync_registers_everyone(
    database_url: str, tmp_path: Path
) -> None:
    rt = event_runtime(database_url, tmp_path)
    add_account(rt, ORGANISER, "organiser")
    client = client_for(rt)
    login(client)
    page = client.get(DASHBOARD).text
    response = client.post(
        f"{DASHBOARD}/import",
        data={"csrf_token": csrf_of(page)},
        files={"file": ("anmeldungen.csv", FIXTURE_CSV.read_bytes(), "text/csv")},
    )
    assert response.status_code == 200
    with rt.session() as session:
        name = sync_lease_name(session.scalars(select(Event)).one().id)
    holder = new_holder_id().replace(":", "-")  # a sync in another process on another host
    assert try_take(rt.sessions, name, holder, OTHER, now=rt.clock.now()) is None
    rt.emulator.clear_request_log()

    synced = client.post(
        f"{DASHBOARD}/registrations/sync", data={"csrf_token": csrf_of(client.get(DASHBOARD).text)}
    )
    assert synced.status_code == 303
    page = client.get(DASHBOARD).text
    assert "Für diese Veranstaltung läuft bereits ein Zoom-Abgleich (" + OTHER in page
    assert "nächste geplante Abgleich des Dienstes (alle 5 Minuten)" in page
    assert rt.emulator.write_calls() == []

    release(rt.sessions, name, holder)  # the other sync is done
    client.post(f"{DASHBOARD}/registrations/sync", data={"csrf_token": csrf_of(page)})
    assert "Abgleich mit Zoom erledigt: 235 registriert, 0 abgelehnt." in client.get(DASHBOARD).text
