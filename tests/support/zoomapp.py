"""Set-up for the Zoom App tests: the sample event with people and a plan, a started meeting, secrets."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import select

from orchestrator.app import App
from orchestrator.db.models import Event, MeetingRun, ZoomMeeting
from orchestrator.events import agenda_of
from orchestrator.jobs.breakouts import plan_all
from orchestrator.registrants import parse_registrations
from orchestrator.registrants.store import apply_import
from tests.conftest import FIXTURE_CSV
from tests.integration.test_web_ui_support import event_runtime
from tests.support.zoom_app_context import context_claims, encrypt_context

APP_SECRET = "zoom-app-client-secret-for-tests"
APP_CLIENT_ID = "client-id-1"
MEETING_UUID = "aB3dE5fG7hI9jK1lM3nO5p=="
HOST_ID = "host-user-1"
MODERATOR_ID = "moderator-user-7"


SURNAME_STEMS = (
    "Adler", "Birken", "Dorn", "Eichen", "Falken", "Grün", "Hasel", "Iser", "Jung", "Kessel",
    "Linden", "Mahl", "Nord", "Ober", "Pfeif", "Quell", "Rosen", "Sonnen", "Tannen", "Ulmen",
)  # fmt: skip
SURNAME_ENDS = (
    "berg",
    "feld",
    "mann",
    "bach",
    "hausen",
    "rath",
    "stein",
    "wald",
    "hof",
    "brück",
    "ow",
    "ing",
    "er",
)


def unique_names_csv(tmp_path: Path) -> Path:
    """The fixture's registrations with a distinct surname each (the fixture has namesakes on purpose)."""
    rows = list(csv.reader(io.StringIO(FIXTURE_CSV.read_text(encoding="utf-8-sig")), delimiter=";"))
    surnames = [stem + end for stem in SURNAME_STEMS for end in SURNAME_ENDS]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(rows[0])
    for index, row in enumerate(rows[1:]):
        writer.writerow([*row[:2], surnames[index], *row[3:]])
    target = tmp_path / "registrations-unique.csv"
    target.write_text(buffer.getvalue(), encoding="utf-8")
    return target


def zoomapp_runtime(
    database_url: str, tmp_path: Path, *, with_people: bool = True, registrations: Path = FIXTURE_CSV
) -> App:
    """The sample event (people imported and planned when asked) whose meeting runs as MEETING_UUID."""
    rt = event_runtime(database_url, tmp_path)
    rt.settings.zoom_app_client_secret = SecretStr(APP_SECRET)
    rt.settings.zoom_app_client_id = APP_CLIENT_ID
    rt.settings.zoom_app_allowed_users = f" {MODERATOR_ID} , "
    with rt.session() as session:
        event = session.scalars(select(Event)).one()
        meeting = session.scalars(select(ZoomMeeting)).one()
        meeting.host_user = HOST_ID
        session.add(MeetingRun(event_id=event.id, zoom_uuid=MEETING_UUID, started_at=rt.clock.now()))
        if with_people:
            batch = parse_registrations(registrations, workshops=agenda_of(event).workshops())
            apply_import(
                session, event, batch, default_language="de", cancel_missing=False, now=rt.clock.now()
            )
        session.commit()
    if with_people:
        plan_all(rt, None)
    return rt


def context_header(rt: App, *, uid: str = HOST_ID, mid: str | None = MEETING_UUID, **extra: object) -> str:
    """An ``X-Zoom-App-Context`` value as the Zoom client would send it now."""
    claims = context_claims(now=rt.clock.now(), uid=uid, mid=mid, aud=APP_CLIENT_ID)
    claims.update(extra)
    return encrypt_context(claims, APP_SECRET)
