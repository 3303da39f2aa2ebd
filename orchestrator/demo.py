"""The demo: the sample Fachtag rehearsed end to end on embedded defaults.

Everything lives in one working directory (SQLite store, emulator state, .eml mails, the
rehearsal shift), so a second run meets the same store and the same emulated Zoom and changes
nothing. The sample event lies in the past; the demo moves it by whole weeks to the first date at
least :data:`REHEARSAL_LEAD` ahead, which keeps weekday, times of day and every relative time.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from orchestrator.agenda import Agenda
from orchestrator.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_AGENDA = REPO_ROOT / "config" / "fachtag-2025.yaml"
SAMPLE_REGISTRATIONS = REPO_ROOT / "config" / "demo-anmeldungen.csv"
REHEARSAL_LEAD = timedelta(days=8)
SHIFT_FILE = "rehearsal.json"


@dataclass(frozen=True)
class DemoPaths:
    """Files of one demo working directory."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / "orchestrator.db"

    @property
    def emulator_state(self) -> Path:
        return self.root / "zoom-emulator.json"

    @property
    def mails(self) -> Path:
        return self.root / "mails"

    @property
    def shift_file(self) -> Path:
        return self.root / SHIFT_FILE

    @property
    def virtual_clock_file(self) -> Path:
        return self.root / "virtual-clock.json"

    @property
    def certificates(self) -> Path:
        return self.root / "certificates"

    @property
    def attendance_csv(self) -> Path:
        return self.root / "anwesenheit.csv"

    def synthetic_export(self, people: int) -> Path:
        return self.root / f"synthetic-{people}.csv"


def default_workdir(people: int | None) -> Path:
    """``demo-run``, or ``demo-run-<N>`` for a rehearsal with N synthetic people."""
    return Path("demo-run" if people is None else f"demo-run-{people}")


def sized_for(agenda: Agenda, people: int) -> Agenda:
    """The agenda with its rooms enlarged in proportion until every round seats ``people``.

    The sample's rooms seat about 275; a rehearsal with thousands of people needs bigger rooms
    (or a bigger event), not an infeasible plan.
    """
    rounds = []
    for breakout_round in agenda.breakout_rounds:
        factor = max(1.0, people / max(1, breakout_round.capacity))
        rooms = [
            room.model_copy(update={"capacity": math.ceil(room.capacity * factor)})
            for room in breakout_round.rooms
        ]
        rounds.append(breakout_round.model_copy(update={"rooms": rooms}))
    return agenda.model_copy(update={"breakout_rounds": rounds})


def demo_settings(paths: DemoPaths) -> Settings:
    """Embedded defaults: built-in Zoom emulator, SQLite in the work dir, mails as .eml files."""
    return Settings(
        database_url=f"sqlite:///{paths.database}",
        zoom="emulator",
        zoom_emulator_state=paths.emulator_state,
        mail_transport="eml",
        mail_eml_dir=paths.mails,
        # The demo's mails are rewritten by the next run: no fsync per file (a third of the mail time).
        mail_eml_fsync=False,
        # Thousands of mails in a rehearsal: rendered on a second core where there is one.
        mail_render_processes=1 if (os.cpu_count() or 1) > 1 else 0,
        _env_file=None,
    )


def rehearsal_shift(agenda: Agenda, now: datetime, paths: DemoPaths) -> timedelta:
    """The shift chosen on the first run, read back on every later run.

    Whole weeks, corrected by the daylight-saving difference, so the rehearsal starts on the same
    weekday at the same local time of day (09:30 stays 09:30 in December).
    """
    if paths.shift_file.exists():
        data = json.loads(paths.shift_file.read_text(encoding="utf-8"))
        if data.get("event") == agenda.key and "shift_seconds" in data:
            return timedelta(seconds=int(data["shift_seconds"]))
    gap = (now + REHEARSAL_LEAD) - agenda.start_utc
    weeks = max(0, math.ceil(gap / timedelta(weeks=1)))
    shift = agenda.to_utc(agenda.start + timedelta(weeks=weeks)) - agenda.start_utc
    paths.root.mkdir(parents=True, exist_ok=True)
    paths.shift_file.write_text(
        json.dumps(
            {"event": agenda.key, "shift_seconds": int(shift.total_seconds()), "chosen_at": now.isoformat()},
            indent=2,
        ),
        encoding="utf-8",
    )
    return shift


def virtual_start(agenda: Agenda, now: datetime, paths: DemoPaths) -> datetime:
    """Where the rehearsal's virtual clock starts: before the first mail, or where the last run stopped.

    Virtual time never runs backwards, so a second run does not replay the day.
    """
    start = max(now, agenda.start_utc - REHEARSAL_LEAD)
    if paths.virtual_clock_file.exists():
        data = json.loads(paths.virtual_clock_file.read_text(encoding="utf-8"))
        if data.get("event") == agenda.key:
            start = max(start, datetime.fromisoformat(data["virtual_now"]))
    return start


def remember_virtual_time(agenda: Agenda, virtual_now: datetime, paths: DemoPaths) -> None:
    paths.virtual_clock_file.write_text(
        json.dumps({"event": agenda.key, "virtual_now": virtual_now.isoformat()}, indent=2), encoding="utf-8"
    )
