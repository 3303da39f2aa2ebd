"""The foundation commands end to end: exit codes, --json, plain-word errors, no leaked secrets."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_AGENDA
from tests.support.cli import invoke


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)  # no stray .env, emulator state in the temp dir
    return {
        "ORCHESTRATOR_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "ORCHESTRATOR_ZOOM": "emulator",
        "ORCHESTRATOR_ZOOM_EMULATOR_STATE": str(tmp_path / "zoom.json"),
        "ORCHESTRATOR_LANGUAGE": "en",
    }


def test_agenda_check_prints_programme_and_json(env: dict[str, str]) -> None:
    result = invoke(["agenda", "check", str(SAMPLE_AGENDA), "--allow-past"], env)
    assert result.exit_code == 0, result.output
    assert "Keynote" in result.output and "The agenda is valid." in result.output
    as_json = invoke(["agenda", "check", str(SAMPLE_AGENDA), "--allow-past", "--json"], env)
    payload = json.loads(as_json.stdout)
    assert payload["ok"] is True
    assert payload["result"]["agenda"]["key"] == "fachtag-2025-2"


def test_broken_agenda_exits_2_with_line_and_column(env: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("key: x\ntitle: [unclosed\n", encoding="utf-8")
    result = invoke(["agenda", "check", str(broken)], env)
    assert result.exit_code == 2
    assert f"{broken}:3:1" in result.output
    assert "Traceback" not in result.output


def test_commands_need_an_upgraded_store(env: dict[str, str]) -> None:
    result = invoke(["meeting", "show"], env)
    assert result.exit_code == 2
    assert "orchestrator db upgrade" in result.output


def test_setup_show_and_rerun(env: dict[str, str]) -> None:
    assert invoke(["db", "upgrade"], env).exit_code == 0
    past = invoke(["meeting", "setup", str(SAMPLE_AGENDA)], env)
    assert past.exit_code == 2 and "--allow-past" in past.output
    first = invoke(["meeting", "setup", str(SAMPLE_AGENDA), "--allow-past", "--json"], env)
    assert first.exit_code == 0, first.output
    created = json.loads(first.stdout)["result"]
    assert created["action"] == "created" and created["zoom_writes"] == 1
    again = json.loads(invoke(["meeting", "setup", str(SAMPLE_AGENDA), "--allow-past", "--json"], env).stdout)
    assert again["result"]["action"] == "unchanged" and again["result"]["zoom_writes"] == 0
    shown = json.loads(invoke(["meeting", "show", "--json"], env).stdout)["result"]
    assert shown["zoom_meeting_id"] == created["zoom_meeting_id"]
    assert shown["state"] == "active" and shown["zoom_status"] == "waiting"
    unknown = invoke(["meeting", "show", "--event", "nope"], env)
    assert unknown.exit_code == 2 and "fachtag-2025-2" in unknown.output


def test_real_zoom_without_credentials_names_the_missing_variables(env: dict[str, str]) -> None:
    env = {**env, "ORCHESTRATOR_ZOOM": "real"}
    assert invoke(["db", "upgrade"], env).exit_code == 0
    result = invoke(["meeting", "setup", str(SAMPLE_AGENDA), "--allow-past"], env)
    assert result.exit_code == 2
    for name in (
        "ORCHESTRATOR_ZOOM_ACCOUNT_ID",
        "ORCHESTRATOR_ZOOM_CLIENT_ID",
        "ORCHESTRATOR_ZOOM_CLIENT_SECRET",
    ):
        assert name in result.output


def test_invalid_setting_is_a_clear_bad_input(env: dict[str, str]) -> None:
    result = invoke(["db", "status"], {**env, "ORCHESTRATOR_ZOOM": "zoomish"})
    assert result.exit_code == 2
    assert "ORCHESTRATOR_ZOOM" in result.output


def test_german_is_the_default_language(env: dict[str, str]) -> None:
    env = {k: v for k, v in env.items() if k != "ORCHESTRATOR_LANGUAGE"}
    result = invoke(["meeting", "show"], env)
    assert "Führen Sie zuerst" in result.output


def test_no_secret_or_join_url_in_logs(env: dict[str, str], caplog: pytest.LogCaptureFixture) -> None:
    secret = "very-secret-client-value"
    env = {**env, "ORCHESTRATOR_ZOOM_CLIENT_SECRET": secret}
    caplog.set_level(logging.DEBUG)
    invoke(["-vv", "db", "upgrade"], env)
    result = invoke(["-vv", "meeting", "setup", str(SAMPLE_AGENDA), "--allow-past"], env)
    assert result.exit_code == 0
    everything = caplog.text + result.output
    assert secret not in everything
    assert "access_token" not in everything
    assert "/w/" not in everything and "tk=" not in everything
