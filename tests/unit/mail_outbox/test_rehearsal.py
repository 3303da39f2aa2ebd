"""The sped-up day: every mail and breakout apply at its virtual moment, with a readable timeline."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from orchestrator.i18n import language
from orchestrator.jobs import breakouts as breakouts_job
from orchestrator.rehearsal import play_day
from tests.unit.mail_outbox.support import END, START, event_with_people, states


def test_play_day_sends_every_mail_at_its_time(sqlite_url: str, tmp_path: Path) -> None:
    rt = event_with_people(sqlite_url, tmp_path, at=START - timedelta(days=8))
    breakouts_job.plan_all(rt, None)
    with language("de"):
        timeline = play_day(rt, rt.clock, until=END + timedelta(days=1))  # type: ignore[arg-type]
    lines = [(entry.at, entry.what) for entry in timeline]
    assert lines[0][1] == "Anmeldebestätigung an 235 Teilnehmende"
    assert (START - timedelta(days=7), "Erinnerung (1 Woche) an 235 Teilnehmende") in lines
    assert (START - timedelta(days=1), "Erinnerung (1 Tag) an 235 Teilnehmende") in lines
    assert (START - timedelta(hours=1), "Erinnerung (1 Stunde) an 235 Teilnehmende") in lines
    # Round 1 (11:30 Berlin = 09:30 UTC): room mail 30 minutes before, applied in Zoom 10 minutes before.
    round1 = START + timedelta(hours=2)
    assert (round1 - timedelta(minutes=30), "Breakout-Raum-E-Mail, Runde 1, an 235 Teilnehmende") in lines
    assert (round1 - timedelta(minutes=10), "Breakout-Runde 1 in Zoom übernommen") in lines
    assert lines[-1] == (END + timedelta(hours=2), "Dankes-E-Mail an 235 Teilnehmende")
    assert [at for at, _ in lines] == sorted(at for at, _ in lines)
    assert states(rt) == {"sent": 235 * 7}
    assert len(list(rt.settings.mail_eml_dir.glob("*.eml"))) == 235 * 7
