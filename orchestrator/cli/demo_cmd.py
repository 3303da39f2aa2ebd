"""``orchestrator demo``: everything that exists so far, end to end, on embedded defaults."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from babel.dates import format_datetime

from orchestrator.agenda import LoadedAgenda, load_agenda
from orchestrator.app import App
from orchestrator.attendance.service import (
    AttendanceRow,
    CertificatesRequest,
    attendance_export,
    issue_certificates,
)
from orchestrator.cli import output
from orchestrator.cli.meeting_cmd import ACTION_TEXT
from orchestrator.cli.options import JsonOption
from orchestrator.clock import SharedClock, SystemClock
from orchestrator.db import migrate
from orchestrator.demo import (
    SAMPLE_AGENDA,
    SAMPLE_REGISTRATIONS,
    DemoPaths,
    default_workdir,
    demo_settings,
    rehearsal_shift,
    remember_virtual_time,
    sized_for,
    virtual_start,
)
from orchestrator.demo_people import MAX_PEOPLE, write_synthetic_export
from orchestrator.i18n import N_, _, get_language
from orchestrator.jobs import webhooks as webhooks_job
from orchestrator.jobs.breakouts import plan_all
from orchestrator.jobs.registrants import zoom_access
from orchestrator.meeting.service import SetupResult, run_setup
from orchestrator.registrants.service import import_registrations, sync_registrants
from orchestrator.rehearsal import play_day
from orchestrator.rehearsal_meeting import MeetingRehearsal, WebhookFigures


def run_demo(workdir: Path, people: int | None = None) -> dict[str, Any]:
    """Rehearse the sample Fachtag in ``workdir``; a second run changes nothing.

    The day runs on a virtual clock that starts :data:`REHEARSAL_LEAD` before the (shifted) event
    and jumps from one due moment to the next, so every mail, breakout apply and the simulated
    meeting (signed webhooks into the service, an outage, Zoom's report) happen in order within
    seconds. ``people``: rehearse with that many synthetic registrations instead of the sample's.
    """
    paths = DemoPaths(workdir.resolve())
    paths.root.mkdir(parents=True, exist_ok=True)
    real_now = SystemClock().now()
    original = load_agenda(SAMPLE_AGENDA, now=real_now, allow_past=True)
    shift = rehearsal_shift(original.agenda, real_now, paths)
    shifted = original.agenda.shifted(shift)
    registrations = SAMPLE_REGISTRATIONS
    if people is not None:
        shifted = sized_for(shifted, people)
        workshops = (
            [room.name for room in shifted.breakout_rounds[0].rooms] if shifted.breakout_rounds else []
        )
        registrations = write_synthetic_export(paths.synthetic_export(people), people, workshops)
    rehearsal = LoadedAgenda(agenda=shifted, warnings=[], source=SAMPLE_AGENDA)
    agenda = rehearsal.agenda
    clock = SharedClock(virtual_start(agenda, real_now, paths))
    rt = App(demo_settings(paths), clock=clock)
    stack = ExitStack()
    try:
        # The emulated Zoom keeps its data in memory for the whole run (saved every few seconds
        # and at the end) instead of rewriting its file after each of thousands of calls.
        stack.enter_context(rt.emulator.state.held())
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
        imported = import_registrations(rt.store, rt.clock, rehearsal.agenda.key, registrations)
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
        meeting_held = MeetingRehearsal.hold(rt, agenda.key) if agenda.start_utc > clock.now() else None
        try:
            timeline = play_day(
                rt,
                clock,
                until=agenda.end_utc + agenda.mails.thank_you_delay + timedelta(days=1),
                event_key=agenda.key,
                meeting=meeting_held,
            )
        finally:
            if meeting_held is not None:
                meeting_held.close()
        remember_virtual_time(agenda, clock.now(), paths)
        steps.append({"step": "event day", "changed": bool(timeline), "summary": {"entries": len(timeline)}})
        attendance = _attendance(rt, agenda.key, paths)
        steps.append(
            {
                "step": "attendance",
                "changed": meeting_held is not None,
                "summary": {"attended": attendance.attended, "guests": attendance.guests},
            }
        )
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
            "webhooks": meeting_held.figures() if meeting_held is not None else None,
            "attendance": attendance,
            "changed": any(step["changed"] for step in steps),
        }
    finally:
        stack.close()
        rt.close()


@dataclass(frozen=True)
class DemoAttendance:
    """The rehearsed meeting's outcome: minutes per person (CSV), certificates written."""

    attended: int
    guests: int
    min_minutes: int
    certificates: int
    people: list[AttendanceRow]
    csv_file: str
    certificates_dir: str


def _attendance(rt: App, event_key: str, paths: DemoPaths) -> DemoAttendance:
    """Minutes per person into ``anwesenheit.csv`` and the certificates into ``certificates/``."""
    webhooks_job.run(rt)
    export = attendance_export(rt.store, rt.clock, event_key, None)
    if not paths.attendance_csv.exists() or paths.attendance_csv.read_text(encoding="utf-8") != export.csv:
        paths.attendance_csv.write_text(export.csv, encoding="utf-8")
    certificates = issue_certificates(
        rt.store, rt.clock, CertificatesRequest(event_key, None, paths.certificates), None
    )
    return DemoAttendance(
        attended=export.attended,
        guests=export.guests,
        min_minutes=export.min_minutes,
        certificates=certificates.certificates,
        people=export.people,
        csv_file=str(paths.attendance_csv),
        certificates_dir=str(paths.certificates),
    )


STEP_LABELS = {
    "db upgrade": N_("Store migrated"),
    "meeting setup": N_("Zoom meeting"),
    "registrants import": N_("Registrations imported"),
    "registrants sync": N_("Registrations sent to Zoom"),
    "breakouts plan": N_("Breakout rooms planned"),
    "event day": N_("Event day played on a virtual clock"),
    "attendance": N_("Attendance and certificates"),
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
    _render_attendance(result)
    output.say(
        _(
            "To see the event in the browser (organiser pages, the Zoom App's rehearsal): {command}",
            command=f"orchestrator demo --serve --dir {result['workdir']}",
        )
    )
    if not result["changed"]:
        output.say(_("Nothing changed: the demo had already run in this directory."))


ATTENDANCE_SAMPLE = 10  # rows of the minutes table shown; the CSV has everyone


def _render_attendance(result: dict[str, Any]) -> None:
    figures: WebhookFigures | None = result["webhooks"]
    if figures is not None:
        output.say(
            _(
                "Zoom sent {sent} signed webhooks: {first} arrived at once, {retried} after Zoom's "
                "retries (the service was unreachable {start}–{end}), {dropped} were lost and came "
                "from Zoom's report.",
                sent=figures.sent,
                first=figures.delivered_first_time,
                retried=figures.delivered_after_retry,
                dropped=figures.dropped,
                start=figures.down_from.astimezone(result["rehearsal_start"].tzinfo).strftime("%H:%M"),
                end=figures.down_to.astimezone(result["rehearsal_start"].tzinfo).strftime("%H:%M"),
            )
        )
    attendance: DemoAttendance = result["attendance"]
    present = sorted(
        (row for row in attendance.people if row.minutes), key=lambda row: (-row.minutes, row.email)
    )
    output.table(
        _(
            "Attendance (minutes per person; all {count} in {file})",
            count=len(present),
            file=attendance.csv_file,
        ),
        [_("Name"), _("Minutes"), _("Certificate")],
        [
            (f"{row.first_name} {row.last_name}", str(row.minutes), _("yes") if row.certificate else _("no"))
            for row in present[:ATTENDANCE_SAMPLE]
        ],
    )
    output.say(
        _(
            "{attended} people attended (and {guests} guests without registration); {certificates} reached "
            "the certificate minimum of {minimum} minutes. Certificates: {dir}",
            attended=attendance.attended,
            guests=attendance.guests,
            certificates=attendance.certificates,
            minimum=attendance.min_minutes,
            dir=attendance.certificates_dir,
        )
    )


def demo(
    workdir: Annotated[
        Path | None,
        typer.Option(
            "--dir", help="Working directory of the demo (default demo-run, or demo-run-N with --people)."
        ),
    ] = None,
    people: Annotated[
        int | None,
        typer.Option(
            "--people",
            min=1,
            max=MAX_PEOPLE,
            help=f"Rehearse with this many synthetic registrations (1 to {MAX_PEOPLE}).",
        ),
    ] = None,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve",
            help="Show the demo in the browser (organiser pages, Zoom App rehearsal) until Ctrl-C.",
        ),
    ] = False,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port for --serve.")] = 8080,
    as_json: JsonOption = False,
) -> None:
    """Run the sample Fachtag end to end: built-in Zoom emulator, SQLite, mails as .eml files."""
    chosen = workdir if workdir is not None else default_workdir(people)
    if serve:
        _serve(chosen, port)
        return
    output.run_command(as_json, lambda: run_demo(chosen, people), _render)


def _serve(workdir: Path, port: int) -> None:
    import threading

    from orchestrator.demo_serve import DemoLogin, serve_demo
    from orchestrator.web.zoomapp.rehearsal import rehearsal_hint

    def ready(login: DemoLogin) -> None:
        output.say(_("The demo in the browser: {url}", url=login.url))
        output.say(
            _(
                "Log in as {email} with the password {password} (new on every start).",
                email=login.email,
                password=login.password,
            )
        )
        output.say(rehearsal_hint(login.url, get_language()))
        output.say(_("Stop with Ctrl-C."))

    stop = threading.Event()
    try:
        output.run_command(
            False, lambda: serve_demo(DemoPaths(workdir.resolve()), port, ready, stop), lambda _r: None
        )
    except KeyboardInterrupt:
        stop.set()
