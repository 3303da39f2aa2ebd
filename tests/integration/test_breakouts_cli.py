"""``orchestrator breakouts`` end to end: plan (text and --json), export files, apply, move, show, errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from orchestrator.app import App
from orchestrator.cli import state as cli_state
from tests.integration.test_breakouts_support import event_runtime
from tests.support.cli import invoke

ENV = {"COLUMNS": "200"}


@pytest.fixture
def rt(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> App:
    runtime = event_runtime(database_url, tmp_path)
    monkeypatch.setattr(cli_state, "runtime_factory", lambda: runtime)
    monkeypatch.chdir(tmp_path)
    return runtime


def _json(args: list[str]) -> dict[str, object]:
    result = invoke(["--lang", "en", *args, "--json"], ENV)
    payload = json.loads(result.stdout)
    assert isinstance(payload, dict)
    return payload


def test_plan_prints_rooms_and_wishes(rt: App) -> None:
    result = invoke(["--lang", "en", "breakouts", "plan", "--costs", "0,1,3", "--unranked", "8"], ENV)
    assert result.exit_code == 0, result.output
    assert "Kümmerei Köln" in result.output and "235 people planned" in result.output
    assert "Nobody already placed was moved." in result.output
    again = _json(["breakouts", "plan"])
    assert again["ok"] is True
    assert again["result"]["moved"] == [] and again["result"]["kept"] == 470  # type: ignore[index]


def test_bad_costs_and_unknown_round_exit_2(rt: App) -> None:
    bad = invoke(["--lang", "en", "breakouts", "plan", "--costs", "0,x"], ENV)
    assert bad.exit_code == 2 and "--costs needs whole numbers" in bad.output
    unknown = invoke(["--lang", "en", "breakouts", "plan", "--round", "5"], ENV)
    assert unknown.exit_code == 2 and "no breakout round 5" in unknown.output
    not_planned = invoke(["--lang", "en", "breakouts", "export", "--round", "1"], ENV)
    assert not_planned.exit_code == 2 and "has not been planned" in not_planned.output


def test_export_zoom_csv_and_roster(rt: App, tmp_path: Path) -> None:
    assert invoke(["--lang", "en", "breakouts", "plan"], ENV).exit_code == 0
    out = tmp_path / "r1.csv"
    result = invoke(
        ["--lang", "en", "breakouts", "export", "--round", "1", "--format", "zoom-csv", "--output", str(out)],
        ENV,
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0] == ["Pre-assign Room Name", "Email Address"]
    assert len(rows) == 1 + 235 + 8
    assert len({row[1] for row in rows[1:]}) == 243
    assert ["ALIA – Agil leben im Alter", "anna.berger@example.org"] in rows

    roster = invoke(
        [
            "--lang",
            "en",
            "breakouts",
            "export",
            "--round",
            "2",
            "--format",
            "roster",
            "-o",
            str(tmp_path / "liste"),
        ],
        ENV,
    )
    assert roster.exit_code == 0, roster.output
    html = (tmp_path / "liste.html").read_text(encoding="utf-8")
    table = (tmp_path / "liste.csv").read_text(encoding="utf-8")
    assert html.count("<section>") == 5 and "Anna Berger" in html and "Moderator" in html
    assert "@" not in html and "@" not in table and "join" not in html.lower()  # no e-mails, no links
    lines = list(csv.reader(io.StringIO(table), delimiter=";"))
    assert lines[0] == ["Room", "Role", "Name", "Organisation"]
    assert len(lines) == 1 + 235 + 8


def test_apply_move_swap_show(rt: App) -> None:
    assert invoke(["--lang", "en", "breakouts", "plan"], ENV).exit_code == 0
    applied = invoke(["--lang", "en", "breakouts", "apply", "--round", "1"], ENV)
    assert applied.exit_code == 0, applied.output
    assert (
        "verified: 5 rooms, 243 people" in applied.output
        and "Recover to pre-assigned rooms" in applied.output
    )
    again = invoke(["--lang", "en", "breakouts", "apply", "--round", "1"], ENV)
    assert "nothing was sent" in again.output

    shown = _json(["breakouts", "show", "--round", "1"])["result"]
    rooms = {r["room"]: r for r in shown["rooms"]}  # type: ignore[index]
    person = rooms["Kümmerei Köln"]["people"][0]["email"]
    full = invoke(
        ["--lang", "en", "breakouts", "move", person, "--to", "ALIA – Agil leben im Alter", "--round", "1"],
        ENV,
    )
    assert full.exit_code == 2 and "is full" in full.output
    text = invoke(["--lang", "en", "breakouts", "show", "--round", "1"], ENV)
    assert text.exit_code == 0 and "Anna Berger" in text.output
    nobody = invoke(
        ["--lang", "en", "breakouts", "swap", "a@example.org", "b@example.org", "--round", "1"], ENV
    )
    assert nobody.exit_code == 2 and "not registered" in nobody.output


def test_export_into_a_directory_and_to_a_missing_one(rt: App, tmp_path: Path) -> None:
    assert invoke(["--lang", "en", "breakouts", "plan"], ENV).exit_code == 0
    folder = tmp_path / "exports"
    folder.mkdir()
    export = ["--lang", "en", "breakouts", "export", "--round", "1"]
    zoom = invoke([*export, "--output", str(folder) + "/"], ENV)
    assert zoom.exit_code == 0, zoom.output
    (csv_file,) = folder.iterdir()
    assert csv_file.name.startswith("breakouts-") and csv_file.name.endswith("-round1-zoom.csv")
    assert f"Written: {csv_file}" in zoom.output
    roster = invoke([*export, "--format", "roster", "-o", str(folder)], ENV)
    assert roster.exit_code == 0, roster.output
    assert sorted(p.suffix for p in folder.glob("roster-*-round1.*")) == [".csv", ".html"]
    missing = invoke([*export, "-o", str(tmp_path / "nowhere" / "r1.csv")], ENV)
    assert missing.exit_code == 2 and "does not exist" in missing.output
    assert not (tmp_path / "nowhere").exists()
