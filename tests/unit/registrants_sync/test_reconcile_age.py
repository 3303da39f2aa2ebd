"""A listing cannot prove a registration gone that the store learned of after the listing started.

The race behind "two syncs at once cancel people": sync B lists Zoom, sync A then registers
people and commits, B applies its (older) listing — those people are missing from it, and B
cancelled them as "cancelled or deleted in Zoom".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from orchestrator.app import App
from orchestrator.clock import FrozenClock
from orchestrator.db.models import Event, Person, ZoomMeeting, ZoomRegistration
from orchestrator.jobs.registrants import zoom_access
from orchestrator.registrants.reconcile import CLOCK_SKEW, apply_listing, list_meeting_registrants
from orchestrator.registrants.service import import_registrations, sync_registrants
from orchestrator.web.registrations import apply_registration
from orchestrator.zoom.emulator import EmulatorApp
from tests.unit.registrants_sync.conftest import meeting_id, write_export

ANN = ("Ann", "A", "ann@example.org")
BEA = ("Bea", "B", "bea@example.org")


def _states(rt: App) -> dict[str, tuple[str, str]]:
    with rt.session() as session:
        rows = session.execute(
            select(Person.email, Person.status, ZoomRegistration.state).join(ZoomRegistration)
        )
        return {email: (status, state) for email, status, state in rows}


def _apply(rt: App, listing: dict, listing_started) -> list[str]:  # type: ignore[no-untyped-def]
    with rt.session() as session:
        event = session.scalars(select(Event)).one()
        meeting = session.scalars(select(ZoomMeeting)).one()
        outcome = apply_listing(
            session,
            event,
            meeting,
            listing,
            now=rt.clock.now(),
            listing_started=listing_started,
            default_language="de",
        )
        session.commit()
        return outcome.cancelled_in_zoom


def test_listing_taken_before_a_registration_does_not_cancel_it(
    rt: App, emulator: EmulatorApp, tmp_path: Path
) -> None:
    clock = rt.clock
    assert isinstance(clock, FrozenClock)
    import_registrations(rt.store, rt.clock, None, write_export(tmp_path / "a.csv", [ANN]))
    sync_registrants(zoom_access(rt), None)
    clock.advance(timedelta(minutes=5))
    # Sync B lists Zoom now: only Ann is there.
    listing_started = clock.now()
    stale_listing = list_meeting_registrants(rt.zoom, meeting_id(emulator))
    assert set(stale_listing) == {"ann@example.org"}
    # Meanwhile sync A registers Bea (a second later) ...
    clock.advance(timedelta(seconds=1))
    import_registrations(rt.store, rt.clock, None, write_export(tmp_path / "b.csv", [BEA]))
    sync_registrants(zoom_access(rt), None)
    # ... then B applies its older listing: Bea is missing from it, but younger than it.
    clock.advance(timedelta(seconds=2))
    assert _apply(rt, stale_listing, listing_started) == []
    assert _states(rt)["bea@example.org"] == ("active", "registered")
    # A listing started after the store learned of Bea (beyond the skew margin) does decide.
    clock.advance(CLOCK_SKEW + timedelta(seconds=1))
    assert _apply(rt, stale_listing, clock.now()) == ["bea@example.org"]
    assert _states(rt)["bea@example.org"] == ("cancelled", "cancelled")


def test_webhook_registration_is_not_cancelled_by_an_older_listing(
    rt: App, emulator: EmulatorApp, tmp_path: Path
) -> None:
    clock = rt.clock
    assert isinstance(clock, FrozenClock)
    import_registrations(rt.store, rt.clock, None, write_export(tmp_path / "a.csv", [ANN]))
    sync_registrants(zoom_access(rt), None)
    clock.advance(timedelta(minutes=5))
    listing_started = clock.now()
    listing = list_meeting_registrants(rt.zoom, meeting_id(emulator))
    clock.advance(timedelta(seconds=1))
    notification = {
        "event": "meeting.registration_created",
        "payload": {
            "object": {"registrant": {"id": "zoom-page-1", "email": "cem@example.org", "first_name": "Cem"}}
        },
    }
    with rt.session() as session:
        meeting = session.scalars(select(ZoomMeeting)).one()
        assert apply_registration(session, meeting, notification, clock.now()) == "registration_new_person"
        session.commit()
        reg = session.scalars(
            select(ZoomRegistration).where(ZoomRegistration.zoom_registrant_id == "zoom-page-1")
        ).one()
        assert reg.confirmed_at == clock.now()
    assert _apply(rt, listing, listing_started) == []
    assert _states(rt)["cem@example.org"] == ("active", "registered")


def test_every_way_the_store_learns_of_a_registration_sets_confirmed_at(
    rt: App, emulator: EmulatorApp, tmp_path: Path
) -> None:
    import_registrations(rt.store, rt.clock, None, write_export(tmp_path / "a.csv", [ANN, BEA]))
    sync_registrants(zoom_access(rt), None)  # batch answer, then the final listing after approval
    with rt.session() as session:
        confirmed = list(session.scalars(select(ZoomRegistration.confirmed_at)))
    assert len(confirmed) == 2 and all(c is not None for c in confirmed)


def test_a_listing_that_says_nothing_new_writes_nothing(
    rt: App, emulator: EmulatorApp, tmp_path: Path
) -> None:
    """On the day the sync lists Zoom every few minutes: an unchanged listing touches no row."""
    clock = rt.clock
    assert isinstance(clock, FrozenClock)
    import_registrations(rt.store, rt.clock, None, write_export(tmp_path / "a.csv", [ANN, BEA]))
    sync_registrants(zoom_access(rt), None)

    def stamps() -> list[tuple[object, object]]:
        with rt.session() as session:
            query = select(ZoomRegistration.updated_at, ZoomRegistration.confirmed_at)
            return [tuple(row) for row in session.execute(query.order_by(ZoomRegistration.id))]

    before = stamps()
    clock.advance(timedelta(minutes=5))
    listing = list_meeting_registrants(rt.zoom, meeting_id(emulator))
    assert _apply(rt, listing, clock.now()) == []
    assert stamps() == before
    # A changed link is news: stored, and the registration counts as confirmed by this listing.
    listing["ann@example.org"] = replace(listing["ann@example.org"], join_url="https://zoom.example/w/new")
    assert _apply(rt, listing, clock.now()) == []
    after = dict(zip(["ann", "bea"], stamps(), strict=True))
    assert after["ann"][1] == clock.now() and after["bea"] == before[1]
