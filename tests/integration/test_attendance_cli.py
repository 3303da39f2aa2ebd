"""The attendance and person commands end to end through the CLI (exit codes, files, JSON)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import select
from typer.testing import CliRunner

from orchestrator.cli import app
from orchestrator.cli import state as cli_state
from orchestrator.db.models import Event
from orchestrator.web.inbox import store_notification
from tests.support.registration_export import fachtag_export
from tests.unit.web.scenario import EVENT_END, EVENT_START, Scenario, make_scenario
from tests.unit.web.zoom_events import meeting_event, participant_event

PERSON = fachtag_export().facts.second.email  # in the fixture export


@pytest.fixture
def scenario(sqlite_url: str, tmp_path: Path) -> Iterator[Scenario]:
    scenario = make_scenario(sqlite_url, tmp_path)
    mid = scenario.zoom_meeting_id
    scenario.clock.set(EVENT_END)
    with scenario.rt.sessions() as session:
        for notification in (
            meeting_event("meeting.started", mid, EVENT_START),
            participant_event(
                "meeting.participant_joined", mid, EVENT_START, participant_uuid="p", name="E", email=PERSON
            ),
            meeting_event("meeting.ended", mid, EVENT_END),
        ):
            store_notification(session, notification, scenario.clock.now())
    yield scenario
    scenario.rt.close()


def run(scenario: Scenario, args: list[str]) -> Result:
    cli_state.set_runtime(scenario.rt)
    try:
        return CliRunner().invoke(app, ["--lang", "en", *args], catch_exceptions=False)
    finally:
        cli_state.set_runtime(None)


def test_attendance_export_and_certificates(scenario: Scenario, tmp_path: Path) -> None:
    out = tmp_path / "attendance.csv"
    result = run(scenario, ["attendance", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Attendance of 1 people written" in result.output
    assert f"{PERSON};" in out.read_text(encoding="utf-8-sig")
    as_json = json.loads(run(scenario, ["attendance", "export", "--json"]).stdout)["result"]
    assert [p["minutes"] for p in as_json["people"] if p["email"] == PERSON] == [285]
    certs = run(scenario, ["attendance", "certificates", "--out", str(tmp_path / "pdf")])
    assert certs.exit_code == 0 and "1 certificates for at least 192 minutes" in certs.output
    assert run(scenario, ["attendance", "certificates"]).exit_code == 2  # neither --out nor --send


def test_person_export_forget_and_purge(scenario: Scenario) -> None:
    exported = run(scenario, ["person", "export", PERSON])
    assert exported.exit_code == 0
    assert json.loads(exported.stdout)["records"][0]["person"]["email"] == PERSON
    assert "join link" in exported.stderr
    forgotten = run(scenario, ["person", "forget", PERSON, "--yes", "--json"])
    assert forgotten.exit_code == 0
    assert json.loads(forgotten.stdout)["result"]["people"] == 1
    assert run(scenario, ["person", "forget", PERSON, "--yes"]).exit_code == 2
    assert run(scenario, ["person", "export", PERSON]).exit_code == 2
    purge = run(scenario, ["person", "purge-expired", "--dry-run"])
    assert purge.exit_code == 0 and "No event is past the retention period of 90 days" in purge.output


def _event_key(scenario: Scenario) -> str:
    with scenario.rt.session() as session:
        return session.scalars(select(Event.key)).one()


def test_export_into_a_directory_uses_a_default_name(scenario: Scenario, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    expected = folder / f"anwesenheit-{_event_key(scenario)}.csv"
    for given in (str(folder), str(folder) + "/"):
        expected.unlink(missing_ok=True)
        result = run(scenario, ["attendance", "export", "--out", given])
        assert result.exit_code == 0, result.output
        assert f"written to {expected}" in result.output
        assert f"{PERSON};" in expected.read_text(encoding="utf-8-sig")
    as_json = json.loads(run(scenario, ["attendance", "export", "--out", str(folder), "--json"]).stdout)
    assert as_json["result"]["file"] == str(expected)


@pytest.mark.parametrize("given", ["missing/attendance.csv", "missing/", "afile/attendance.csv"])
def test_export_to_a_missing_directory_exits_2(scenario: Scenario, tmp_path: Path, given: str) -> None:
    (tmp_path / "afile").write_text("not a directory", encoding="utf-8")
    result = run(scenario, ["attendance", "export", "--out", f"{tmp_path}/{given}"])
    assert result.exit_code == 2, result.output
    assert "Cannot write" in result.output and (
        "does not exist" in result.output or "not a directory" in result.output
    )
    assert "Traceback" not in result.output and "Unexpected" not in result.output
    assert not (tmp_path / "missing").exists()
    german = run(scenario, ["--lang", "de", "attendance", "export", "--out", str(tmp_path / "missing/x.csv")])
    assert german.exit_code == 2 and "existiert nicht" in german.output


def test_person_export_and_certificates_with_directories(scenario: Scenario, tmp_path: Path) -> None:
    exported = run(scenario, ["person", "export", PERSON, "--out", str(tmp_path)])
    assert exported.exit_code == 0, exported.output
    written = tmp_path / f"datenauskunft-{PERSON}.json"
    assert f"Written to {written}" in exported.output
    assert json.loads(written.read_text(encoding="utf-8"))["records"][0]["person"]["email"] == PERSON
    missing = run(scenario, ["person", "export", PERSON, "--out", str(tmp_path / "nope" / "p.json")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    a_file = tmp_path / "certs.pdf"
    a_file.write_bytes(b"")
    certs = run(scenario, ["attendance", "certificates", "--out", str(a_file / "sub")])
    assert certs.exit_code == 2 and "is a file, not a directory" in certs.output
