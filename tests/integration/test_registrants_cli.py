"""``orchestrator registrants`` end to end: CLI, emulator (state file), SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from orchestrator.cli import app
from orchestrator.cli.state import set_runtime
from tests.conftest import FIXTURE_CSV, SAMPLE_AGENDA
from tests.support.registration_export import fachtag_export


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("ORCHESTRATOR_DATABASE_URL", database_url)
    monkeypatch.setenv("ORCHESTRATOR_ZOOM", "emulator")
    monkeypatch.setenv("ORCHESTRATOR_ZOOM_EMULATOR_STATE", str(tmp_path / "zoom.json"))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> Any:
        set_runtime(None)
        result = runner.invoke(app, ["--lang", "en", *args])
        assert result.exit_code == code, result.output
        if "--json" in args:
            return json.loads(result.stdout)
        return result.output

    invoke("db", "upgrade")
    invoke("meeting", "setup", str(SAMPLE_AGENDA), "--allow-past")
    yield invoke
    set_runtime(None)


def test_import_sync_list_report_cancel(cli: Any, tmp_path: Path) -> None:
    text = cli("registrants", "import", str(FIXTURE_CSV))
    assert "246 rows read, 5 rejected, 235 people (6 rows merged as duplicates)" in text
    injection = next(r for r in fachtag_export().facts.rejections if r.code == "control_characters")
    assert "Row" in text and re.search(rf"\b{injection.row}\s*│\s*{injection.column}\b", text)  # listed

    imported = cli("registrants", "import", str(FIXTURE_CSV), "--json")["result"]
    assert imported["counts"]["unchanged"] == 235 and imported["counts"]["added"] == 0

    synced = cli("registrants", "sync", "--json")["result"]
    assert synced["registered"] == 235 and synced["states"] == {"registered": 235}

    listed = cli("registrants", "list", "--json", "--status", "approved")
    assert len(listed["result"]["people"]) == 235
    raw = json.dumps(listed)
    assert "join_url" not in raw and "emulator.zoom.invalid" not in raw
    table = cli("registrants", "list")
    assert "235 people." in table and "emulator.zoom.invalid" not in table

    email = listed["result"]["people"][0]["email"]
    out = cli("registrants", "cancel", email)
    assert f"{email}: cancelled, also in Zoom." in out
    report = cli("registrants", "report", "--json")["result"]
    assert report["states"]["approved"] == 234 and report["states"]["cancelled"] == 1

    addresses = tmp_path / "cancel.txt"
    addresses.write_text(f"# to cancel\n{listed['result']['people'][1]['email']}\nnobody@example.org\n")
    cancelled = cli("registrants", "cancel", "--file", str(addresses), "--json")["result"]
    assert len(cancelled["cancelled_in_zoom"]) == 1 and cancelled["unknown"] == ["nobody@example.org"]

    shown = cli("registrants", "show", email, "--reveal-link")
    assert "Personal join link: -" in shown


def test_dry_run_and_unusable_file(cli: Any, tmp_path: Path) -> None:
    dry = cli("registrants", "import", str(FIXTURE_CSV), "--dry-run", "--json")["result"]
    assert dry["counts"]["added"] == 235
    assert cli("registrants", "list", "--json")["result"]["people"] == []
    broken = tmp_path / "broken.csv"
    broken.write_text("just some prose without columns\n", encoding="utf-8")
    cli("registrants", "import", str(broken), code=2)
    cli("registrants", "import", str(FIXTURE_CSV), "--map", "Nope=email", code=2)
