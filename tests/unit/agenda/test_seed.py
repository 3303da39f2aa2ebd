"""The seed agenda of the Fachtag 2025 loads and matches the registration fixture."""

from __future__ import annotations

import csv
import datetime as dt
import json

from orchestrator.agenda import load_agenda, programme_rows, to_summary_dict
from tests.conftest import FIXTURE_CSV, SAMPLE_AGENDA

BEFORE = dt.datetime(2025, 7, 24, tzinfo=dt.UTC)


def _fixture_wishes() -> set[str]:
    with FIXTURE_CSV.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    wish_columns = [name for name in rows[0] if name.startswith("Workshop-Wunsch")]
    return {row[column] for row in rows for column in wish_columns if row[column]}


def test_seed_agenda_loads_without_warnings() -> None:
    loaded = load_agenda(SAMPLE_AGENDA, now=BEFORE)
    agenda = loaded.agenda
    assert loaded.warnings == []
    assert loaded.is_past is False
    assert agenda.key == "fachtag-2025-2"
    assert agenda.title == "Digitaler Fachtag 2025: Leitbild Caring Community"
    assert agenda.organiser.name == "Forum Seniorenarbeit NRW"
    assert agenda.organiser.contact_email == "info@forum-seniorenarbeit.de"
    assert agenda.start_utc == dt.datetime(2025, 8, 27, 7, 30, tzinfo=dt.UTC)
    assert agenda.end_utc == dt.datetime(2025, 8, 27, 12, 15, tzinfo=dt.UTC)
    assert agenda.duration_minutes == 285
    assert agenda.registration.approval == "manual"
    assert agenda.mails.reminders == [dt.timedelta(days=7), dt.timedelta(days=1), dt.timedelta(hours=1)]
    assert agenda.languages == ["de", "en"] and agenda.default_language == "de"
    kinds = [block.kind for block in agenda.blocks]
    assert {"welcome", "keynote", "practice", "break", "breakout", "outlook"} <= set(kinds)
    keynote = next(block for block in agenda.blocks if block.kind == "keynote")
    assert keynote.speakers == ["Dr. Tobias Wörle"] and keynote.organisation == "Hochschule Kempten"


def test_seed_workshops_are_exactly_the_fixture_wishes() -> None:
    agenda = load_agenda(SAMPLE_AGENDA, now=BEFORE).agenda
    wishes = _fixture_wishes()
    assert len(wishes) == 5
    assert set(agenda.workshops()) == wishes
    for breakout_round in agenda.breakout_rounds:
        assert {room.name for room in breakout_round.rooms} == wishes
        assert breakout_round.capacity >= 240
        assert all(1 <= len(room.moderators) <= 2 for room in breakout_round.rooms)
    assert [r.number for r in agenda.breakout_rounds] == [1, 2]


def test_seed_programme_rows_and_summary() -> None:
    agenda = load_agenda(SAMPLE_AGENDA, now=BEFORE).agenda
    rows = programme_rows(agenda)
    assert rows[0] == ("09:30–09:45", "Welcome", "Begrüßung", "Forum Seniorenarbeit NRW")
    assert rows[-1][0] == "13:45–14:15"
    breakout = [row for row in rows if row[1] == "Breakout session"]
    assert [row[0] for row in breakout] == ["11:30–12:15", "13:00–13:45"]
    assert breakout[0][3].startswith("Round 1: ALIA – Agil leben im Alter (60)")
    summary = json.loads(json.dumps(to_summary_dict(agenda)))
    assert summary["start_utc"] == "2025-08-27T07:30:00Z"
    assert summary["mails"]["reminders"] == ["7d", "1d", "1h"]
    assert summary["breakout_rounds"][0]["apply_at_utc"] == "2025-08-27T09:20:00Z"
    assert summary["zoom"]["topic"] == agenda.title


def test_stored_json_loads_back_to_the_same_agenda() -> None:
    """The store keeps ``model_dump(mode="json")``; it must validate back unchanged."""
    from orchestrator.agenda import Agenda, load_agenda
    from tests.conftest import SAMPLE_AGENDA

    agenda = load_agenda(SAMPLE_AGENDA, allow_past=True).agenda
    document = agenda.model_dump(mode="json")
    assert document["mails"]["reminders"] == ["7d", "1d", "1h"]
    assert Agenda.model_validate(document) == agenda


def test_default_timezone_applies_only_when_the_file_names_none() -> None:
    """``ORCHESTRATOR_TIMEZONE`` fills in a missing ``timezone``; the file's own value wins."""
    from datetime import UTC, datetime

    from orchestrator.agenda import parse_agenda_text
    from tests.conftest import SAMPLE_AGENDA

    text = SAMPLE_AGENDA.read_text(encoding="utf-8")
    assert "timezone: Europe/Berlin" in text
    without = text.replace("timezone: Europe/Berlin\n", "")
    now = datetime(2025, 7, 1, tzinfo=UTC)
    loaded = parse_agenda_text(without, "x.yaml", now=now, default_timezone="Europe/Vienna")
    assert loaded.agenda.timezone == "Europe/Vienna"
    kept = parse_agenda_text(text, "x.yaml", now=now, default_timezone="Europe/Vienna")
    assert kept.agenda.timezone == "Europe/Berlin"
