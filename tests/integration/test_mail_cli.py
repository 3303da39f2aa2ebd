"""``orchestrator mail preview | schedule | send-due | status`` end to end (SQLite / PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

from orchestrator.cli.mail_cmd import occasion_label
from orchestrator.i18n import language
from tests.support.cli import invoke
from tests.unit.mail_outbox.support import future_event


def _env(rt, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "ORCHESTRATOR_DATABASE_URL": rt.settings.database_url,
        "ORCHESTRATOR_ZOOM": "emulator",
        "ORCHESTRATOR_ZOOM_EMULATOR_STATE": str(tmp_path / "zoom-emulator.json"),
        "ORCHESTRATOR_MAIL_TRANSPORT": "eml",
        "ORCHESTRATOR_MAIL_EML_DIR": str(tmp_path / "cli-mails"),
    }


def test_schedule_send_due_status(database_url: str, tmp_path: Path) -> None:
    rt = future_event(database_url, tmp_path)
    env = _env(rt, tmp_path)

    scheduled = invoke(["mail", "schedule", "--json"], env)
    assert scheduled.exit_code == 0, scheduled.output
    mails = {m["occasion"]: m for m in json.loads(scheduled.output)["result"]["mails"]}
    assert list(mails) == [
        "confirmation",
        "reminder:7d",
        "reminder:1d",
        "reminder:1h",
        "breakout:1",
        "breakout:2",
        "thank_you",
    ]
    assert mails["reminder:1d"]["states"]["queued"] == 235 and mails["reminder:1d"]["phase"] == "upcoming"

    table = invoke(["--lang", "de", "mail", "schedule"], env)
    assert table.exit_code == 0 and "Versandplan" in table.output
    with language("de"):
        assert occasion_label("reminder:1d") == "Erinnerung (1d vorher)"

    sent = invoke(["mail", "send-due", "--json"], env)
    assert sent.exit_code == 0, sent.output
    result = json.loads(sent.output)["result"]
    assert result["sent_by_occasion"] == {"confirmation": 235}
    assert len(list((tmp_path / "cli-mails").glob("*.eml"))) == 235
    again = json.loads(invoke(["mail", "send-due", "--json"], env).output)["result"]
    assert again["sent"] == 0  # nothing twice

    status = json.loads(invoke(["mail", "status", "--json"], env).output)["result"]
    assert status["by_kind"]["confirmation"]["sent"] == 235
    assert status["by_kind"]["reminder"]["queued"] == 235 * 3
    human = invoke(["--lang", "de", "mail", "status"], env)
    assert human.exit_code == 0 and "wird" in human.output  # "wird gesendet", wrapped in a narrow table
    assert "zoom.us/w" not in sent.output + human.output + table.output


def test_preview_renders_files_in_german_and_for_one_person(sqlite_url: str, tmp_path: Path) -> None:
    rt = future_event(sqlite_url, tmp_path)
    env = _env(rt, tmp_path)
    out = tmp_path / "preview"
    result = invoke(["mail", "preview", "--kind", "reminder", "--lang", "de", "--out", str(out)], env)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "reminder-de.eml",
        "reminder-de.html",
        "reminder-de.ics",
        "reminder-de.subject.txt",
        "reminder-de.txt",
    ]
    text = (out / "reminder-de.txt").read_text("utf-8")
    assert "Sie" in text and "in 1 Stunde" in text

    from sqlalchemy import select

    from orchestrator.db.models import Person, ZoomRegistration

    with rt.session() as session:
        email, link = session.execute(
            select(Person.email, ZoomRegistration.join_url).join(ZoomRegistration).limit(1)
        ).one()
    personal = invoke(
        ["mail", "preview", "--kind", "breakout_room", "--lang", "en", "--to", email, "--out", str(out)], env
    )
    assert personal.exit_code == 0, personal.output
    assert link in (out / "breakout_room-en.txt").read_text("utf-8")
    assert link not in personal.output

    unknown = invoke(["mail", "preview", "--kind", "invoice", "--out", str(out)], env)
    assert unknown.exit_code == 2 and "invoice" in unknown.output
    a_file = out / "reminder-de.txt"
    into_a_file = invoke(["--lang", "en", "mail", "preview", "--kind", "reminder", "--out", str(a_file)], env)
    assert into_a_file.exit_code == 2 and "is a file, not a directory" in into_a_file.output
