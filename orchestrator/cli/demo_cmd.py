"""``orchestrator demo``: everything that exists so far, end to end, on embedded defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from orchestrator.agenda import LoadedAgenda, load_agenda
from orchestrator.cli import output
from orchestrator.cli.meeting_cmd import ACTION_TEXT, run_setup
from orchestrator.cli.options import JsonOption
from orchestrator.cli.runtime import Runtime
from orchestrator.db import migrate
from orchestrator.demo import SAMPLE_AGENDA, SAMPLE_REGISTRATIONS, DemoPaths, demo_settings, rehearsal_shift
from orchestrator.i18n import N_, _
from orchestrator.registrants.service import import_registrations, sync_registrants


def run_demo(workdir: Path) -> dict[str, Any]:
    """Rehearse the sample Fachtag in ``workdir``; a second run changes nothing."""
    paths = DemoPaths(workdir.resolve())
    paths.root.mkdir(parents=True, exist_ok=True)
    rt = Runtime(demo_settings(paths))
    try:
        original = load_agenda(SAMPLE_AGENDA, now=rt.clock.now(), allow_past=True)
        shift = rehearsal_shift(original.agenda, rt.clock.now(), paths)
        rehearsal = LoadedAgenda(agenda=original.agenda.shifted(shift), warnings=[], source=SAMPLE_AGENDA)
        steps: list[dict[str, Any]] = []
        before = migrate.current_revision(rt.engine)
        migrate.upgrade(rt.settings.database_url)
        steps.append(
            {"step": "db upgrade", "changed": before != migrate.head_revision(rt.settings.database_url)}
        )
        meeting = run_setup(rt, rehearsal, recreate=False)
        steps.append({"step": "meeting setup", "changed": meeting["zoom_writes"] > 0, "result": meeting})
        imported = import_registrations(rt, rehearsal.agenda.key, SAMPLE_REGISTRATIONS)
        counts = imported["counts"]
        steps.append(
            {
                "step": "registrants import",
                "changed": bool(counts["added"] or counts["updated"]),
                "summary": {
                    k: counts[k] for k in ("rows_read", "rows_rejected", "people", "added", "updated")
                },
            }
        )
        synced = sync_registrants(rt, rehearsal.agenda.key)
        steps.append(
            {
                "step": "registrants sync",
                "changed": bool(synced["registered"] or synced["approved"] or synced["cancelled"]),
                "summary": {k: synced[k] for k in ("registered", "approved", "failed", "states")},
            }
        )
        agenda = rehearsal.agenda
        return {
            "workdir": str(paths.root),
            "event": agenda.key,
            "title": agenda.title,
            "rehearsal_start": agenda.start_utc.astimezone(agenda.tz),
            "shift_days": shift.days,
            "meeting": meeting,
            "steps": steps,
            "changed": any(step["changed"] for step in steps),
        }
    finally:
        rt.close()


STEP_LABELS = {
    "db upgrade": N_("Store migrated"),
    "meeting setup": N_("Zoom meeting"),
    "registrants import": N_("Registrations imported"),
    "registrants sync": N_("Registrations sent to Zoom"),
}


def _summary(summary: dict[str, Any] | None) -> str:
    if not summary:
        return ""
    return ", ".join(f"{key}={value}" for key, value in summary.items() if not isinstance(value, dict | list))


def _render(result: dict[str, Any]) -> None:
    output.say(
        _("Demo in {dir} (built-in Zoom emulator, SQLite, mails as .eml files).", dir=result["workdir"])
    )
    output.say(
        _(
            "Rehearsal of '{title}': the sample date is moved by {days} days to {start}.",
            title=result["title"],
            days=result["shift_days"],
            start=result["rehearsal_start"].strftime("%d.%m.%Y %H:%M"),
        )
    )
    meeting = result["meeting"]
    output.say(_(ACTION_TEXT[meeting["action"]], id=meeting["zoom_meeting_id"]))
    if meeting["registration_url"]:
        output.say(_("Registration page: {url}", url=meeting["registration_url"]))
    output.table(
        None,
        [_("Step"), _("Result"), _("Details")],
        [
            (
                _(STEP_LABELS.get(s["step"], s["step"])),
                _("changed") if s["changed"] else _("no change"),
                _summary(s.get("summary")),
            )
            for s in result["steps"]
        ],
    )
    if not result["changed"]:
        output.say(_("Nothing changed: the demo had already run in this directory."))


def demo(
    workdir: Annotated[Path, typer.Option("--dir", help="Working directory of the demo.")] = Path("demo-run"),
    as_json: JsonOption = False,
) -> None:
    """Run the sample Fachtag end to end: built-in Zoom emulator, SQLite, mails as .eml files."""
    output.run_command(as_json, lambda: run_demo(workdir), _render)
