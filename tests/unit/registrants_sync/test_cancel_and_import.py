"""Cancelling (store and Zoom) and re-importing newer exports."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from orchestrator.app import App
from orchestrator.db.models import Person, ZoomRegistration
from orchestrator.errors import BadInput
from orchestrator.jobs.registrants import zoom_access
from orchestrator.registrants.service import (
    ImportOptions,
    cancel_registrations,
    import_registrations,
    show_registrant,
    sync_registrants,
)
from orchestrator.results import to_jsonable
from orchestrator.zoom.emulator import EmulatorApp
from tests.support.registration_export import fachtag_export
from tests.unit.registrants_sync.conftest import meeting_id, write_export

ANN = ("Ann", "A", "ann@example.org")
BEA = ("Bea", "B", "bea@example.org")
CEM = ("Cem", "C", "cem@example.org")


def join_link(rt: App, email: str) -> str:
    link = show_registrant(rt.store, None, email, reveal_link=True).join_url
    assert isinstance(link, str)
    return link


def test_cancel_cancels_in_zoom_and_the_link_stops_working(
    rt: App, emulator: EmulatorApp, tmp_path: Path
) -> None:
    import_registrations(rt.store, rt.clock, None, write_export(tmp_path / "e.csv", [ANN, BEA]))
    sync_registrants(zoom_access(rt), None)
    link = join_link(rt, "ann@example.org")
    assert emulator.join_link_valid(link)

    result = cancel_registrations(zoom_access(rt), None, ["  Ann@Example.org "])
    assert result.cancelled_in_zoom == ["ann@example.org"]
    assert not emulator.join_link_valid(link)
    assert [r["email"] for r in emulator.registrants(meeting_id(emulator))] == ["bea@example.org"]
    shown = show_registrant(rt.store, None, "ann@example.org", reveal_link=True)
    assert shown.state == "cancelled" and shown.join_url is None
    assert "join_url" not in to_jsonable(
        show_registrant(rt.store, None, "bea@example.org", reveal_link=False)
    )
    # A later sync does not register her again.
    again = sync_registrants(zoom_access(rt), None)
    assert again.registered == 0
    assert len(emulator.registrants(meeting_id(emulator))) == 1


def test_cancel_unknown_address_is_bad_input(rt: App) -> None:
    with pytest.raises(BadInput, match=r"nobody@example\.org"):
        cancel_registrations(zoom_access(rt), None, ["nobody@example.org"])


def test_reimport_changes_nothing_and_newer_export_updates_and_adds(
    rt: App, fixture_csv: Path, tmp_path: Path
) -> None:
    first = import_registrations(rt.store, rt.clock, None, fixture_csv)
    assert first.counts.added == 235
    assert (first.counts.rows_read, first.counts.rows_rejected) == (246, 5)
    facts = fachtag_export().facts
    assert [r.row for r in first.rejected] == [r.row for r in facts.rejections]
    assert len(first.merges) == len(facts.merges) == 6
    second = import_registrations(rt.store, rt.clock, None, fixture_csv)
    assert second.counts.unchanged == 235 and second.counts.added == 0

    export = write_export(tmp_path / "a.csv", [ANN, BEA])
    import_registrations(rt.store, rt.clock, None, export)
    newer = import_registrations(
        rt.store, rt.clock, None, write_export(tmp_path / "b.csv", [("Anna", "A", ANN[2]), CEM])
    )
    assert newer.added == ["cem@example.org"] and newer.updated == ["ann@example.org"]
    assert "bea@example.org" in newer.missing
    with rt.session() as session:
        bea = session.scalars(select(Person).where(Person.email == "bea@example.org")).one()
        assert bea.status == "active"  # missing people are reported, not deleted


def test_dry_run_changes_nothing(rt: App, fixture_csv: Path) -> None:
    result = import_registrations(rt.store, rt.clock, None, fixture_csv, ImportOptions(dry_run=True))
    assert result.counts.added == 235 and result.dry_run
    with rt.session() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 0


def test_cancel_missing_then_sync_cancels_in_zoom(rt: App, emulator: EmulatorApp, tmp_path: Path) -> None:
    import_registrations(rt.store, rt.clock, None, write_export(tmp_path / "a.csv", [ANN, BEA]))
    sync_registrants(zoom_access(rt), None)
    link = join_link(rt, "bea@example.org")
    result = import_registrations(
        rt.store, rt.clock, None, write_export(tmp_path / "b.csv", [ANN]), ImportOptions(cancel_missing=True)
    )
    assert result.cancelled_missing == ["bea@example.org"]
    synced = sync_registrants(zoom_access(rt), None)
    assert synced.cancelled == ["bea@example.org"]
    assert not emulator.join_link_valid(link)
    with rt.session() as session:
        states = dict(
            session.execute(select(Person.email, ZoomRegistration.state).join(ZoomRegistration)).all()
        )
    assert states == {"ann@example.org": "registered", "bea@example.org": "cancelled"}


def test_person_cancelled_in_zoom_is_not_registered_again(
    rt: App, emulator: EmulatorApp, tmp_path: Path
) -> None:
    import_registrations(rt.store, rt.clock, None, write_export(tmp_path / "a.csv", [ANN, BEA]))
    sync_registrants(zoom_access(rt), None)
    bea = next(r for r in emulator.registrants(meeting_id(emulator)) if r["email"] == "bea@example.org")
    rt.zoom.update_registrant_status(
        meeting_id(emulator), "cancel", [{"id": bea["id"], "email": bea["email"]}]
    )
    # The next sync comes minutes later (a listing within seconds of the store learning of a
    # registration cannot prove it gone: see test_reconcile_age).
    rt.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    result = sync_registrants(zoom_access(rt), None)
    assert result.cancelled_in_zoom_by_others == ["bea@example.org"]
    assert result.registered == 0
