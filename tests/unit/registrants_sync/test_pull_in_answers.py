"""A registration made on Zoom's page reaches the store with its form answers as wishes (listing path)."""

from __future__ import annotations

from sqlalchemy import select

from orchestrator.app import App
from orchestrator.db.models import Person
from orchestrator.jobs.registrants import zoom_access
from orchestrator.registrants.service import report_registrants, sync_registrants
from orchestrator.zoom.emulator import EmulatorApp
from tests.unit.registrants_sync.conftest import meeting_id


def answers(*values: str) -> list[dict[str, str]]:
    return [{"title": f"Workshop-Wunsch {rank}", "value": value} for rank, value in enumerate(values, 1)]


def test_page_registrants_bring_their_answers_as_wishes_and_bad_answers_are_reported(
    rt: App, emulator: EmulatorApp
) -> None:
    mid = meeting_id(emulator)
    rt.zoom.add_registrant(
        mid,
        {
            "email": "paula@example.org",
            "first_name": "Paula",
            "last_name": "Page",
            "custom_questions": answers(
                "Kuemmerei Koeln", "Kommunale Sorgestrukturen", "Caring Community Köln"
            ),
        },
    )
    rt.zoom.add_registrant(
        mid,
        {
            "email": "udo@example.org",
            "first_name": "Udo",
            "last_name": "Unklar",
            "custom_questions": answers("Kümmerei Köln", "Töpfern", "Kümmerei Köln"),
        },
    )
    result = sync_registrants(zoom_access(rt), None)  # no webhook arrived: the listing brings them in
    assert sorted(result.pulled_in_from_zoom) == ["paula@example.org", "udo@example.org"]
    with rt.session() as session:
        people = {p.email: p for p in session.scalars(select(Person))}
        paula, udo = people["paula@example.org"], people["udo@example.org"]
        assert paula.wishes == ["Kümmerei Köln", "Kommunale Sorgestrukturen", "Caring Community Köln"]
        assert paula.notes is None
        assert udo.wishes == ["Kümmerei Köln"]
        assert udo.notes is not None and "Töpfern" in udo.notes
        assert udo.registration is not None and udo.registration.state == "registered"  # registered anyway
    report = report_registrants(rt.store, None)
    reported = {p.email: p for p in report.problems}
    assert set(reported) == {"udo@example.org"}
    assert reported["udo@example.org"].state == "pending_approval"  # registered with Zoom (manual approval)
    assert reported["udo@example.org"].reason == (
        "Zoom-Antwort für Wunsch 2 nennt keinen Workshop: Töpfern; "
        "Zoom-Antwort für Wunsch 3 wiederholt den Workshop Kümmerei Köln"
    )
