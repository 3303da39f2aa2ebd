"""Applying a round to Zoom: the meeting holds exactly the plan; unchanged → 0 writes, changed → 1 PATCH."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from orchestrator.app import App
from orchestrator.breakouts import service
from orchestrator.breakouts.limits import ZoomLimitExceeded, ZoomLimits
from orchestrator.breakouts.plan import PlanOptions
from orchestrator.db.models import (
    BreakoutApply,
    BreakoutAssignment,
    BreakoutRoundRecord,
    Event,
    Person,
    ZoomAuditEntry,
)
from orchestrator.db.models.breakouts import ApplyState
from orchestrator.errors import BadInput
from orchestrator.jobs.breakouts import work
from tests.integration.test_breakouts_support import (
    ROUND1_START,
    ROUND2_START,
    add_cancelled,
    add_people,
    at,
    cancel,
    event_runtime,
    minutes,
    zoom_meeting_id,
)

LIMITS = ZoomLimits()


def _writes(rt: App) -> list[str]:
    return [f"{r.method} {r.path}" for r in rt.emulator.write_calls()]


def _expected(rt: App, number: int) -> dict[str, list[str]]:
    """Room → sorted e-mails (moderators from the agenda + planned active people) from the store."""
    with rt.session() as session:
        event = session.scalars(select(Event)).one()
        round_row = next(r for r in event.rounds if r.number == number)
        rooms = {room.name: sorted(m["email"].lower() for m in room.moderators) for room in round_row.rooms}
        rows = session.execute(
            select(BreakoutAssignment.room_name, Person.email)
            .join(Person, Person.id == BreakoutAssignment.person_id)
            .where(BreakoutAssignment.round_id == round_row.id, Person.status == "active")
        )
        for room, email in rows:
            rooms[room].append(email)
        return {name: sorted(emails) for name, emails in rooms.items()}


def _in_zoom(rt: App) -> dict[str, list[str]]:
    meeting = rt.emulator.meeting(zoom_meeting_id(rt))
    assert meeting is not None
    breakout = meeting["settings"]["breakout_room"]
    assert breakout["enable"] is True
    return {room["name"]: sorted(room["participants"]) for room in breakout["rooms"]}


def test_apply_puts_exactly_the_plan_into_zoom_and_records_it(database_url: str, tmp_path: Path) -> None:
    rt = event_runtime(database_url, tmp_path)
    service.plan(rt.store, rt.clock, None, PlanOptions())
    rt.emulator.clear_request_log()
    result = service.apply(work(rt), None, 1, LIMITS)
    assert result.action == "applied" and result.zoom_writes == 1 and result.verified is True
    assert _writes(rt) == [f"PATCH /v2/meetings/{zoom_meeting_id(rt)}"]
    expected = _expected(rt, 1)
    assert _in_zoom(rt) == expected
    assert result.participants == sum(len(v) for v in expected.values()) == 235 + 8
    assert "Recover to pre-assigned rooms" in result.instructions.en
    assert "Zu vorab zugewiesenen Räumen wiederherstellen" in result.instructions.de
    with rt.session() as session:
        record = session.scalars(select(BreakoutApply)).one()
        assert (record.state, record.verified, record.current) == ("applied", True, True)
        assert record.payload_hash == result.payload_hash
        audit = session.scalars(
            select(ZoomAuditEntry).where(ZoomAuditEntry.action == "apply_breakout_rooms")
        ).one()
        assert audit.outcome == "ok" and audit.detail["round"] == 1 and "join" not in str(audit.detail)


def test_unchanged_plan_makes_no_write_and_a_change_exactly_one_patch(
    database_url: str, tmp_path: Path
) -> None:
    rt = event_runtime(database_url, tmp_path)
    service.plan(rt.store, rt.clock, None, PlanOptions())
    service.apply(work(rt), None, 1, LIMITS)
    rt.emulator.clear_request_log()
    again = service.apply(work(rt), None, 1, LIMITS)
    assert again.action == "unchanged" and again.zoom_writes == 0 and _writes(rt) == []

    add_cancelled(rt, "anna.berger@example.org", "Anna", "Berger")  # a moderator cancels: left out of Zoom
    someone = next(iter(_expected(rt, 1)["Kümmerei Köln"]))
    cancel(rt, someone)
    changed = service.apply(work(rt), None, 1, LIMITS)
    assert changed.zoom_writes == 1 and len(_writes(rt)) == 1
    zoom = _in_zoom(rt)
    assert zoom == _expected(rt, 1) | {
        "ALIA – Agil leben im Alter": [
            e for e in _expected(rt, 1)["ALIA – Agil leben im Alter"] if e != "anna.berger@example.org"
        ]
    }
    assert all(someone not in emails for emails in zoom.values())


def test_zoom_holds_one_set_so_an_earlier_round_is_sent_again(database_url: str, tmp_path: Path) -> None:
    rt = event_runtime(database_url, tmp_path)
    service.plan(rt.store, rt.clock, None, PlanOptions())
    service.apply(work(rt), None, 1, LIMITS)
    service.apply(work(rt), None, 2, LIMITS)
    assert _in_zoom(rt) == _expected(rt, 2)
    rt.emulator.clear_request_log()
    back = service.apply(work(rt), None, 1, LIMITS)
    assert back.zoom_writes == 1 and _in_zoom(rt) == _expected(rt, 1)
    with rt.session() as session:
        current = {
            number: record.current
            for record, number in session.execute(
                select(BreakoutApply, BreakoutRoundRecord.number).join(BreakoutRoundRecord)
            )
        }
    assert current == {1: True, 2: False}


def test_limits_are_checked_before_calling_zoom(database_url: str, tmp_path: Path) -> None:
    rt = event_runtime(database_url, tmp_path)
    service.plan(rt.store, rt.clock, None, PlanOptions())
    rt.emulator.clear_request_log()
    with pytest.raises(ZoomLimitExceeded) as caught:
        service.apply(work(rt), None, 1, ZoomLimits(max_participants=200, max_rooms=4))
    assert "243 pre-assigned people" in str(caught.value) and "5 rooms" in str(caught.value)
    assert _writes(rt) == []
    with pytest.raises(ZoomLimitExceeded, match="longer than 10"):
        service.apply(work(rt), None, 1, ZoomLimits(max_room_name_length=10))
    assert rt.emulator.meeting(zoom_meeting_id(rt))["settings"]["breakout_room"].get("rooms") is None  # type: ignore[index]


def test_bad_rounds_are_refused(database_url: str, tmp_path: Path) -> None:
    rt = event_runtime(database_url, tmp_path)
    with pytest.raises(BadInput, match="not been planned"):
        service.apply(work(rt), None, 1, LIMITS)
    service.plan(rt.store, rt.clock, None, PlanOptions())
    at(rt, ROUND1_START + minutes(50))
    with pytest.raises(BadInput, match="already over"):
        service.apply(work(rt), None, 1, LIMITS)
    assert service.apply(work(rt), None, 2, LIMITS).zoom_writes == 1


def test_job_applies_due_rounds_and_plans_late_registrations(database_url: str, tmp_path: Path) -> None:
    from orchestrator.jobs import breakouts as job

    rt = event_runtime(database_url, tmp_path)
    service.plan(rt.store, rt.clock, None, PlanOptions())
    assert job.next_due(rt, None) == ROUND1_START - minutes(10)
    rt.emulator.clear_request_log()
    early = job.run(rt, None)
    assert early.applied == [] and _writes(rt) == []

    late = add_people(rt, 5)
    at(rt, ROUND1_START - minutes(10))
    due = job.run(rt, None)
    assert [p.round for p in due.planned] == [1] and due.planned[0].placed_new == 5
    assert [a.round for a in due.applied] == [1] and len(_writes(rt)) == 1
    zoom = _in_zoom(rt)
    assert zoom == _expected(rt, 1)
    assert all(any(email in emails for emails in zoom.values()) for email in late)
    assert job.run(rt, None).applied == [] and len(_writes(rt)) == 1  # nothing changed: no write
    assert job.next_due(rt, None) == ROUND2_START - minutes(10)

    at(rt, ROUND1_START + minutes(5))  # during round 1: changes are not pushed
    cancel(rt, late[0])
    assert job.run(rt, None).applied == [] and len(_writes(rt)) == 1

    at(rt, ROUND2_START - minutes(9))
    second = job.run(rt, None)
    assert [a.round for a in second.applied] == [2] and len(_writes(rt)) == 2
    assert _in_zoom(rt) == _expected(rt, 2)
    assert job.next_due(rt, None) is None


def test_job_plans_a_never_planned_event_jointly_at_apply_time(database_url: str, tmp_path: Path) -> None:
    from orchestrator.jobs import breakouts as job

    rt = event_runtime(database_url, tmp_path)
    assert job.next_due(rt, None) == ROUND1_START - minutes(10)
    at(rt, ROUND1_START - minutes(10))
    report = job.run(rt, None)
    assert report.errors == [] and [a.round for a in report.applied] == [1]
    assert _in_zoom(rt) == _expected(rt, 1)
    assert sum(len(v) for v in _expected(rt, 2).values()) == 235 + 8  # round 2 planned in the same go


def test_job_does_not_retry_a_plan_over_zoom_limits_until_it_changes(
    database_url: str, tmp_path: Path
) -> None:
    """More people than Zoom pre-assigns: the job says so once, shows it, and tries a changed plan."""
    from orchestrator.jobs import breakouts as job

    rt = event_runtime(database_url, tmp_path)
    service.plan(rt.store, rt.clock, None, PlanOptions())
    small = ZoomLimits(max_participants=200)
    at(rt, ROUND1_START - minutes(10))
    rt.emulator.clear_request_log()
    first = job.run(rt, None, limits=small)
    assert [e.round for e in first.errors] == [1] and "243 pre-assigned people" in first.errors[0].message
    with rt.session() as session:
        record = session.scalars(select(BreakoutApply)).one()
        assert record.state == ApplyState.OVER_LIMITS and "243 pre-assigned people" in (
            record.last_error or ""
        )
    assert job.next_due(rt, None) == ROUND2_START - minutes(10)  # round 1 is not due again
    at(rt, ROUND1_START - minutes(9))
    assert job.run(rt, None, limits=small).errors == [] and _writes(rt) == []
    # A late registration changes the plan: a new attempt, which with Zoom's real limits goes through.
    late = add_people(rt, 1)
    applied = job.run(rt, None)
    assert [a.round for a in applied.applied] == [1] and any(late[0] in v for v in _in_zoom(rt).values())
