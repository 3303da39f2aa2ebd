"""``orchestrator demo``: everything that exists so far, end to end, on embedded defaults."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from babel.dates import format_datetime

from orchestrator.agenda import LoadedAgenda, load_agenda
from orchestrator.app import App
from orchestrator.cli import output
from orchestrator.cli.meeting_cmd import ACTION_TEXT
from orchestrator.cli.options import JsonOption
from orchestrator.clock import FrozenClock, SystemClock
from orchestrator.db import migrate
from orchestrator.demo import (
    SAMPLE_AGENDA,
    SAMPLE_REGISTRATIONS,
    DemoPaths,
    demo_settings,
    rehearsal_shift,
    remember_virtual_time,
    virtual_start,
)
from orchestrator.i18n import N_, _, get_language
from orchestrator.jobs.breakouts import plan_all
from orchestrator.jobs.registrants import zoom_access
from orchestrator.meeting.service import SetupResult, run_setup
from orchestrator.registrants.service import import_registrations, sync_registrants
from orchestrator.rehearsal import play_day


def run_demo(workdir: Path) -> dict[str, Any]:
    """Rehearse the sample Fachtag in ``workdir``; a second run changes nothing.

    The day runs on a virtual clock that starts :data:`REHEARSAL_LEAD` before the (shifted) event
    and jumps from one due moment to the next, so every mail and breakout apply happens in order
    within seconds.
    """
    paths = DemoPaths(workdir.resolve())
    paths.root.mkdir(parents=True, exist_ok=True)
    real_now = SystemClock().now()
    original = load_agenda(SAMPLE_AGENDA, now=real_now, allow_past=True)
    shift = rehearsal_shift(original.agenda, real_now, paths)
    rehearsal = LoadedAgenda(agenda=original.agenda.shifted(shift), warnings=[], source=SAMPLE_AGENDA)
    agenda = rehearsal.agenda
    clock = FrozenClock(virtual_start(agenda, real_now, paths))
    rt = App(demo_settings(paths), clock=clock)
    try:
        steps: list[dict[str, Any]] = []
        before = migrate.current_revision(rt.engine)
        migrate.upgrade(rt.settings.database_url)
        steps.append(
            {"step": "db upgrade", "changed": before != migrate.head_revision(rt.settings.database_url)}
        )
        meeting = run_setup(
            rt.store, rt.zoom, rt.clock, rehearsal, recreate=False, default_host=rt.settings.zoom_host_user
        )
        steps.append({"step": "meeting setup", "changed": meeting.zoom_writes > 0, "result": meeting})
        imported = import_registrations(rt.store, rt.clock, rehearsal.agenda.key, SAMPLE_REGISTRATIONS)
        counts = imported.counts
        steps.append(
            {
                "step": "registrants import",
                "changed": bool(counts.added or counts.updated),
                "summary": {
                    key: getattr(counts, key)
                    for key in ("rows_read", "rows_rejected", "people", "added", "updated")
                },
            }
        )
        synced = sync_registrants(zoom_access(rt), rehearsal.agenda.key)
        steps.append(
            {
                "step": "registrants sync",
                "changed": bool(synced.registered or synced.approved or synced.cancelled),
                "summary": {k: getattr(synced, k) for k in ("registered", "approved", "failed", "states")},
            }
        )
        upcoming_rounds = [r for r in agenda.breakout_rounds if r.start_utc(agenda) > clock.now()]
        planned = plan_all(rt, agenda.key) if upcoming_rounds else None
        steps.append(
            {
                "step": "breakouts plan",
                "changed": bool(planned and (planned.placed_new or planned.moved or planned.removed)),
                "summary": {"people": planned.people, "placed_new": planned.placed_new, "kept": planned.kept}
                if planned
                else None,
            }
        )
        timeline = play_day(
            rt,
            clock,
            until=agenda.end_utc + agenda.mails.thank_you_delay + timedelta(days=1),
            event_key=agenda.key,
        )
        remember_virtual_time(agenda, clock.now(), paths)
        steps.append({"step": "event day", "changed": bool(timeline), "summary": {"entries": len(timeline)}})
        return {
            "workdir": str(paths.root),
            "event": agenda.key,
            "title": agenda.title,
            "rehearsal_start": agenda.start_utc.astimezone(agenda.tz),
            "shift_days": round(shift / timedelta(days=1)),
            "meeting": meeting,
            "steps": steps,
            "timeline": [entry.as_dict() for entry in timeline],
            "mails_dir": str(paths.mails),
            "changed": any(step["changed"] for step in steps),
        }
    finally:
        rt.close()


STEP_LABELS = {
    "db upgrade": N_("Store migrated"),
    "meeting setup": N_("Zoom meeting"),
    "registrants import": N_("Registrations imported"),
    "registrants sync": N_("Registrations sent to Zoom"),
    "breakouts plan": N_("Breakout rooms planned"),
    "event day": N_("Event day played on a virtual clock"),
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
    meeting: SetupResult = result["meeting"]
    output.say(_(ACTION_TEXT[meeting.action], id=meeting.zoom_meeting_id))
    if meeting.registration_url:
        output.say(_("Registration page: {url}", url=meeting.registration_url))
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
    if result["timeline"]:
        tz = result["rehearsal_start"].tzinfo
        output.table(
            _("Timeline of the rehearsed day (virtual time)"),
            [_("When"), _("What")],
            [
                (
                    format_datetime(entry["at"].astimezone(tz), "EEE dd.MM. HH:mm", locale=get_language()),
                    entry["what"],
                )
                for entry in result["timeline"]
            ],
        )
        output.say(_("The mails are in {dir}.", dir=result["mails_dir"]))
    if not result["changed"]:
        output.say(_("Nothing changed: the demo had already run in this directory."))


def demo(
    workdir: Annotated[Path, typer.Option("--dir", help="Working directory of the demo.")] = Path("demo-run"),
    as_json: JsonOption = False,
) -> None:
    """Run the sample Fachtag end to end: built-in Zoom emulator, SQLite, mails as .eml files."""
    output.run_command(as_json, lambda: run_demo(workdir), _render)
