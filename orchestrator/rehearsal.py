"""The demo's sped-up day: jump a frozen clock from one due moment to the next and run the jobs.

:func:`play_day` never sleeps: at each moment (a mail's due time, a breakout round's apply time)
it runs the same jobs ``orchestrator run`` schedules — Zoom sync, breakout apply, mail dispatch —
and collects a timeline of what happened when, in the current language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from babel.dates import format_timedelta

from orchestrator.breakouts.results import DueApplyReport
from orchestrator.clock import FrozenClock
from orchestrator.i18n import _, get_language
from orchestrator.jobs import attendance as attendance_job
from orchestrator.jobs import breakouts as breakouts_job
from orchestrator.jobs import mail as mail_job
from orchestrator.jobs import registrants as registrants_job
from orchestrator.mail.deadlines import reminder_offset_of
from orchestrator.mail.results import SendDueResult
from orchestrator.registrants.results import SyncResult

if TYPE_CHECKING:
    from orchestrator.app import App
    from orchestrator.rehearsal_meeting import MeetingRehearsal

# Stop after this many moments even if something keeps becoming due (a safety net, never reached
# by a real agenda: the sample day has fewer than 20 moments, and its meeting about 80 delivery steps).
MAX_STEPS = 2000


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened at virtual time ``at``."""

    at: datetime
    what: str
    kind: str  # "mail" | "skipped" | "failed" | "breakouts" | "sync" | "meeting"
    count: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.at, "what": self.what, "kind": self.kind, "count": self.count}


def mail_label(occasion: str, count: int) -> str:
    """ "Erinnerung (1 Tag) an 235 Teilnehmende" for an occasion key and a count."""
    head, _sep, tail = occasion.partition(":")
    if head == "reminder":
        offset = format_timedelta(reminder_offset_of(occasion), locale=get_language())
        return _("Reminder ({offset}) to {count} participants", offset=offset, count=count)
    if head == "breakout":
        return _("Breakout room mail, round {round}, to {count} participants", round=tail, count=count)
    if head == "confirmation":
        return _("Confirmation to {count} participants", count=count)
    if head == "thank_you":
        return _("Thank-you mail to {count} participants", count=count)
    return f"{occasion}: {count}"


def _mail_entries(at: datetime, report: SendDueResult) -> list[TimelineEntry]:
    entries = [
        TimelineEntry(at, mail_label(occasion, count), "mail", count)
        for occasion, count in sorted(report.sent_by_occasion.items())
    ]
    for occasion, count in sorted(report.skipped_overdue.items()):
        entries.append(
            TimelineEntry(
                at, _("Skipped (too late): {mail}", mail=mail_label(occasion, count)), "skipped", count
            )
        )
    if report.failed:
        text = _("{count} mails failed", count=report.failed)
        entries.append(TimelineEntry(at, text, "failed", report.failed))
    return entries


def _breakout_entries(at: datetime, report: DueApplyReport) -> list[TimelineEntry]:
    entries = [
        TimelineEntry(at, _("Breakout round {round} applied in Zoom", round=item.round), "breakouts")
        for item in report.applied + report.unchanged
    ]
    entries += [
        TimelineEntry(at, _("Breakout round {round}: {message}", round=e.round, message=e.message), "failed")
        for e in report.errors
    ]
    return entries


def _meeting_entries(rt: App, at: datetime, meeting: MeetingRehearsal) -> list[TimelineEntry]:
    """Deliver the meeting's due notifications, apply them, and read Zoom's report once it is due."""
    from orchestrator.jobs import webhooks as webhooks_job
    from orchestrator.rehearsal_meeting import DELIVERY_STEP

    entries: list[TimelineEntry] = []
    if meeting.facts.start <= at < meeting.facts.start + DELIVERY_STEP:
        entries.append(TimelineEntry(at, _("The Zoom meeting starts (simulated participants)"), "meeting"))
    if meeting.run_due():
        webhooks_job.run(rt)
    if at == meeting.down_from:
        entries.append(TimelineEntry(at, _("The service is unreachable (rehearsed outage)"), "meeting"))
    if at == meeting.down_to:
        entries.append(TimelineEntry(at, _("The service is reachable again"), "meeting"))
    for result in attendance_job.run(rt):
        text = _(
            "Zoom's participant report read: {rows} rows, {added} marks added",
            rows=result.report_rows,
            added=result.marks_added,
        )
        entries.append(TimelineEntry(at, text, "meeting", result.report_rows))
    return entries


def play_day(
    rt: App,
    clock: FrozenClock,
    *,
    until: datetime,
    event_key: str | None = None,
    meeting: MeetingRehearsal | None = None,
) -> list[TimelineEntry]:
    """Advance ``clock`` (the runtime's clock) from due moment to due moment until ``until``.

    With ``meeting`` the simulated meeting's notifications are delivered at their times too, and
    the attendance job reads Zoom's participant report once the meeting is over.
    """
    timeline: list[TimelineEntry] = []
    synced = registrants_job.run(rt, event_key)
    if isinstance(synced, SyncResult) and synced.registered:
        text = _("{count} registrations sent to Zoom", count=synced.registered)
        timeline.append(TimelineEntry(clock.now(), text, "sync"))
    for _step in range(MAX_STEPS):
        now = clock.now()
        breakout_due = breakouts_job.next_due(rt, event_key)
        if breakout_due is not None and breakout_due <= now:
            registrants_job.run(rt, event_key)
            timeline += _breakout_entries(now, breakouts_job.run(rt, event_key))
            breakout_due = breakouts_job.next_due(rt, event_key)
        if meeting is not None:
            timeline += _meeting_entries(rt, now, meeting)
        timeline += _mail_entries(now, mail_job.run(rt, event_key))
        candidates = [mail_job.next_due(rt, event_key), breakout_due]
        if meeting is not None:
            candidates += [meeting.next_due(), meeting.down_from, meeting.down_to]
        moments = [m for m in candidates if m is not None and m > now]
        if not moments or min(moments) > until:
            break
        clock.set(min(moments))
    return timeline
