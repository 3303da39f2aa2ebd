"""Veranstaltungen, agenda editor and Zoom page through the real app (TestClient, real SQL, emulator)."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from orchestrator.agenda import load_agenda
from orchestrator.app import App
from orchestrator.db.models import AgendaVersion, BreakoutRoom, Event, WebAuditEntry, ZoomMeeting
from orchestrator.errors import BadInput
from orchestrator.meeting.service import run_setup
from tests.conftest import SAMPLE_AGENDA
from tests.integration.test_web_ui_support import (
    EVENT_KEY,
    MODERATOR,
    ORGANISER,
    add_account,
    client_for,
    csrf_of,
    event_runtime,
    login,
)
from tests.support.runtime import make_runtime

AGENDA = f"/events/{EVENT_KEY}/agenda"
ZOOM = f"/events/{EVENT_KEY}/zoom"


@pytest.fixture
def rt(database_url: str, tmp_path: Path) -> App:
    runtime = event_runtime(database_url, tmp_path)
    add_account(runtime, ORGANISER, "organiser")
    add_account(runtime, MODERATOR, "moderator", event_key=EVENT_KEY)
    return runtime


@pytest.fixture
def client(rt: App) -> TestClient:
    client = client_for(rt)
    login(client)
    return client


def _form_values(html: str) -> dict[str, str]:
    """The agenda form's fields as the browser would send them."""
    form = html[html.index('action="/events/') : html.index("</form>", html.index('class="agenda-form"'))]
    values = {
        m.group(1): m.group(2) for m in re.finditer(r'<input id="[^"]+" name="([^"]+)" value="([^"]*)"', form)
    }
    for name, body in re.findall(r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        values[name] = re.search(r'<option value="([^"]*)" selected', body).group(1)  # type: ignore[union-attr]
    values["base"] = re.search(r'name="base" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    values["csrf_token"] = csrf_of(html)
    return {k: v.replace("&#34;", '"').replace("&amp;", "&").replace("&#39;", "'") for k, v in values.items()}


def _versions(rt: App) -> list[AgendaVersion]:
    with rt.session() as db:
        return list(db.scalars(select(AgendaVersion).order_by(AgendaVersion.version)))


def test_unchanged_form_saves_nothing_and_a_changed_field_changes_only_its_line(
    client: TestClient, rt: App
) -> None:
    page = client.get(AGENDA)
    assert page.status_code == 200
    assert 'name="blocks[2].start"' in page.text
    values = _form_values(page.text)
    response = client.post(AGENDA, data=values)
    assert response.status_code == 303
    assert _versions(rt) == []

    values["breakout_rounds[0].rooms[1].capacity"] = "70"
    response = client.post(AGENDA, data=values)
    assert response.status_code == 303
    saved = _versions(rt)
    assert [v.version for v in saved] == [1, 2]  # the command line's file, then the edit
    original = SAMPLE_AGENDA.read_text(encoding="utf-8")
    assert saved[0].source == original
    changed = [
        (a, b) for a, b in zip(original.splitlines(), saved[1].source.splitlines(), strict=True) if a != b
    ]
    assert changed == [("        capacity: 60", "        capacity: 70")]
    assert saved[1].saved_by == ORGANISER
    assert "breakout_rounds[0].rooms[1].capacity" in saved[1].changes
    assert "breakout_rounds[1].rooms[1].capacity" in saved[1].changes  # the alias: both rounds
    with rt.session() as db:
        event = db.scalars(select(Event).where(Event.key == EVENT_KEY)).one()
        room = next(r for rnd in event.rounds for r in rnd.rooms if r.name.startswith("Wohnen"))
        assert room.capacity == 70
        assert db.scalars(select(WebAuditEntry.action)).all() == ["agenda.save"]
    history = client.get(AGENDA).text
    assert "breakout_rounds[0].rooms[1].capacity" in history and ORGANISER in history

    # The installer's old file must not silently undo the organiser's edit.
    loaded = load_agenda(SAMPLE_AGENDA, now=rt.clock.now(), allow_past=True)
    with pytest.raises(BadInput, match="browser"):
        run_setup(rt.store, rt.zoom, rt.clock, loaded, recreate=False)
    with rt.session() as db:
        room = db.scalars(select(BreakoutRoom).where(BreakoutRoom.name.startswith("Wohnen"))).first()
        assert room is not None and room.capacity == 70
    run_setup(rt.store, rt.zoom, rt.clock, loaded, recreate=False, overwrite_browser_edits=True)
    with rt.session() as db:
        room = db.scalars(select(BreakoutRoom).where(BreakoutRoom.name.startswith("Wohnen"))).first()
        assert room is not None and room.capacity == 60


def test_a_broken_time_is_shown_next_to_its_field_and_nothing_is_saved(client: TestClient, rt: App) -> None:
    values = _form_values(client.get(AGENDA).text)
    values["blocks[1].end"] = "09:40"  # before its start 09:45
    response = client.post(AGENDA, data=values)
    assert response.status_code == 422
    field_html = response.text[response.text.index('id="f-blocks-1-end"') :][:600]
    assert 'aria-invalid="true"' in field_html
    assert "field-problem" in field_html
    assert re.search(r'href="#line-\d+"', response.text)
    assert 'value="09:40"' in response.text  # what the organiser typed stays in the form
    assert _versions(rt) == []

    text = SAMPLE_AGENDA.read_text(encoding="utf-8").replace("capacity: 55", "capacity: 0")
    token = csrf_of(response.text)
    response = client.post(
        f"{AGENDA}/text", data={"csrf_token": token, "source": text, "base": values["base"]}
    )
    assert response.status_code == 422
    assert "breakout_rounds[0].rooms[2].capacity" in response.text
    assert 'class="bad-line"' in response.text
    assert _versions(rt) == []


def test_text_view_saves_comments_and_a_stale_base_is_refused(client: TestClient, rt: App) -> None:
    page = client.get(AGENDA).text
    base = _form_values(page)["base"]
    text = (
        SAMPLE_AGENDA.read_text(encoding="utf-8")
        .replace('title: "Digitaler Fachtag', '# changed in the browser\ntitle: "Digitaler Fachtag', 1)
        .replace('Leitbild Caring Community"', 'Caring Community"', 1)
    )
    response = client.post(f"{AGENDA}/text", data={"csrf_token": csrf_of(page), "source": text, "base": base})
    assert response.status_code == 303
    assert _versions(rt)[-1].source == text
    assert _versions(rt)[-1].changes == ["title"]
    response = client.post(
        f"{AGENDA}/text", data={"csrf_token": csrf_of(page), "source": text + "\n", "base": base}
    )
    assert response.status_code == 303
    assert len(_versions(rt)) == 2


def test_new_event_from_sample_upload_and_copy(client: TestClient, rt: App) -> None:
    page = client.get("/new-event")
    assert page.status_code == 200
    token = csrf_of(page.text)
    taken = client.post(
        "/new-event/sample", data={"csrf_token": token, "key": EVENT_KEY, "title": "", "date": "2025-10-01"}
    )
    assert taken.status_code == 422
    assert "gibt es schon" in taken.text  # the pages speak German by default
    made = client.post(
        "/new-event/sample",
        data={"csrf_token": token, "key": "herbst-2025", "title": "Herbsttag", "date": "2025-10-01"},
    )
    assert made.status_code == 303
    assert made.headers["location"] == "/events/herbst-2025/agenda"

    broken = (
        SAMPLE_AGENDA.read_bytes()
        .replace(b"key: fachtag-2025-2", b"key: upload-2025")
        .replace(b'end: "14:15"', b'end: "08:00"', 1)
    )
    refused = client.post(
        "/new-event/upload", data={"csrf_token": token}, files={"file": ("a.yaml", broken, "text/yaml")}
    )
    assert refused.status_code == 422
    assert "Zeile " in refused.text
    too_big = client.post(
        "/new-event/upload",
        data={"csrf_token": token},
        files={"file": ("a.yaml", b"#" * 300_000, "text/yaml")},
    )
    assert too_big.status_code == 422
    assert "zu groß" in too_big.text
    good = broken.replace(b'end: "08:00"', b'end: "14:15"', 1)
    assert (
        client.post(
            "/new-event/upload", data={"csrf_token": token}, files={"file": ("a.yaml", good, "text/yaml")}
        ).status_code
        == 303
    )

    copied = client.post(
        "/new-event/copy",
        data={
            "csrf_token": token,
            "source": "herbst-2025",
            "key": "herbst-2026",
            "title": "",
            "date": "2026-10-07",
        },
    )
    assert copied.status_code == 303
    with rt.session() as db:
        keys = set(db.scalars(select(Event.key)))
        copy = db.scalars(select(Event).where(Event.key == "herbst-2026")).one()
        assert copy.title == "Herbsttag"
        assert copy.start_utc.isoformat() == "2026-10-07T07:30:00+00:00"
        assert len(copy.rounds[1].rooms) == 5
    assert keys == {EVENT_KEY, "herbst-2025", "upload-2025", "herbst-2026"}


def test_zoom_page_previews_then_sends_and_start_link_only_for_organisers(
    client: TestClient, rt: App
) -> None:
    page = client.get(ZOOM)
    assert page.status_code == 200
    assert "/s/" in page.text  # the emulator's start link
    token = csrf_of(page.text)
    plan = client.post(f"{ZOOM}/plan", data={"csrf_token": token})
    assert plan.status_code == 200
    assert "Es gibt nichts an Zoom zu senden." in plan.text

    values = _form_values(client.get(AGENDA).text)
    values["title"] = "Fachtag mit neuem Titel"
    assert client.post(AGENDA, data=values).status_code == 303
    with rt.session() as db:
        before = db.scalars(select(ZoomMeeting)).one().settings_hash
    plan = client.post(f"{ZOOM}/plan", data={"csrf_token": token})
    assert "topic" in plan.text and "/zoom/apply" in plan.text
    with rt.session() as db:
        assert db.scalars(select(ZoomMeeting)).one().settings_hash == before  # a preview changes nothing
    agenda_hash = re.search(r'name="agenda" value="([^"]+)"', plan.text).group(1)  # type: ignore[union-attr]
    sent = client.post(f"{ZOOM}/apply", data={"csrf_token": token, "agenda": agenda_hash})
    assert sent.status_code == 303
    after = client.get(ZOOM).text
    assert "message-ok" in after and "aktualisiert" in after
    with rt.session() as db:
        meeting_id = db.scalars(select(ZoomMeeting.zoom_meeting_id)).one()
    assert rt.zoom.get_meeting(meeting_id)["topic"] == "Fachtag mit neuem Titel"
    assert "Es gibt nichts an Zoom zu senden." in client.post(f"{ZOOM}/plan", data={"csrf_token": token}).text
    stale = client.post(f"{ZOOM}/apply", data={"csrf_token": token, "agenda": "0" * 64})
    assert stale.status_code == 303


def test_zoom_page_creates_a_meeting_for_a_new_event(database_url: str, tmp_path: Path) -> None:
    runtime = make_runtime(database_url, tmp_path)
    add_account(runtime, ORGANISER, "organiser")
    client = client_for(runtime)
    login(client)
    token = csrf_of(client.get("/new-event").text)
    assert (
        client.post(
            "/new-event/sample",
            data={"csrf_token": token, "key": "neu-2025", "title": "", "date": "2025-09-10"},
        ).status_code
        == 303
    )
    plan = client.post("/events/neu-2025/zoom/plan", data={"csrf_token": token})
    assert "Ein neues Zoom-Meeting wird angelegt." in plan.text
    agenda_hash = re.search(r'name="agenda" value="([^"]+)"', plan.text).group(1)  # type: ignore[union-attr]
    assert (
        client.post(
            "/events/neu-2025/zoom/apply", data={"csrf_token": token, "agenda": agenda_hash}
        ).status_code
        == 303
    )
    with runtime.session() as db:
        meeting = db.scalars(select(ZoomMeeting)).one()
        assert meeting.zoom_meeting_id is not None
    page = client.get("/events/neu-2025/zoom").text
    assert str(meeting.zoom_meeting_id) in page


def test_moderators_cannot_reach_these_pages_and_csrf_is_checked(client: TestClient, rt: App) -> None:
    values = _form_values(client.get(AGENDA).text)
    values["csrf_token"] = "wrong" * 10
    values["title"] = "Nope"
    assert client.post(AGENDA, data=values).status_code == 403
    assert client.post(f"{ZOOM}/plan", data={"csrf_token": "x" * 40}).status_code == 403
    assert client.post("/new-event/sample", data={"key": "a-b", "date": "2025-10-01"}).status_code == 403
    assert _versions(rt) == []

    moderator = client_for(rt)
    login(moderator, MODERATOR)
    for path in (AGENDA, ZOOM, "/new-event"):
        assert moderator.get(path).status_code in (403, 404), path
        assert "/s/" not in moderator.get(path).text
    token = csrf_of(moderator.get(f"/events/{EVENT_KEY}/console").text)
    assert moderator.post(f"{ZOOM}/plan", data={"csrf_token": token}).status_code in (403, 404)


def test_two_saves_from_the_same_version_store_one_and_refuse_the_other(rt: App) -> None:
    """Two tabs save at the same moment: one version is stored, the other is told to reload."""
    from orchestrator.agenda.service import current_source, save_agenda

    original = SAMPLE_AGENDA.read_text(encoding="utf-8")
    outcomes: list[str] = []
    started = threading.Event()
    with rt.session() as first:
        event = first.scalars(select(Event).where(Event.key == EVENT_KEY)).one()
        base = current_source(first, event).digest
        save_agenda(
            first, event, original.replace("capacity: 60", "capacity: 61", 1),
            base_digest=base, saved_by="tab-1", now=rt.clock.now(), default_timezone=None,
        )  # fmt: skip

        def second_tab() -> None:
            with rt.session() as second:
                other = second.scalars(select(Event).where(Event.key == EVENT_KEY)).one()
                started.set()
                try:
                    save_agenda(
                        second, other, original.replace("capacity: 60", "capacity: 62", 1),
                        base_digest=base, saved_by="tab-2", now=rt.clock.now(), default_timezone=None,
                    )  # fmt: skip
                    second.commit()
                    outcomes.append("saved")
                except BadInput as refused:
                    second.rollback()
                    outcomes.append("refused: " + refused.message)

        racer = threading.Thread(target=second_tab)
        racer.start()
        assert started.wait(30)
        first.commit()
        racer.join(60)
    assert len(outcomes) == 1 and outcomes[0].startswith("refused: ")
    assert [(v.version, v.saved_by) for v in _versions(rt)][-1] == (2, "tab-1")
