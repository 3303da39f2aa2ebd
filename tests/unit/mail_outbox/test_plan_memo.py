"""Planning is skipped while nothing it reads has changed, and runs again after any change."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from orchestrator.db.models import BreakoutAssignment, OutboxMessage, Person
from orchestrator.db.models.person import PersonStatus
from orchestrator.jobs.breakouts import plan_all
from orchestrator.jobs.mail import mail_service
from orchestrator.jobs.registrants import zoom_access
from orchestrator.mail.plan_memo import PlanMemo
from orchestrator.registrants.service import cancel_registrations
from tests.unit.mail_outbox.support import event_with_people, states


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_unchanged_inputs_skip_the_plan_and_any_change_plans_again(sqlite_url: str, tmp_path: Path) -> None:
    rt = event_with_people(sqlite_url, tmp_path)
    ticks = Ticks()
    rt.__dict__["plan_memo"] = PlanMemo(max_age=600, monotonic=ticks)
    service = mail_service(rt)
    first = service.plan(None)
    assert first.created > 0
    queued = states(rt)["queued"]

    # Someone edits an outbox row behind the planner's back: an unchanged plan input skips the plan.
    with rt.session() as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.state == "queued").limit(1)).one()
        row.state = "cancelled"
        session.commit()
    assert service.plan(None).requeued == 0
    assert states(rt)["queued"] == queued - 1

    # … until the memo is too old to trust: then the plan runs and repairs it.
    ticks.now = 601
    assert service.plan(None).requeued == 1
    assert states(rt)["queued"] == queued

    # A cancelled person changes the inputs: planned at once (their queued mails cancelled).
    with rt.session() as session:
        email = session.scalars(
            select(Person.email).where(Person.status == PersonStatus.ACTIVE).limit(1)
        ).one()
    cancel_registrations(zoom_access(rt), None, [email])
    assert service.plan(None).cancelled > 0


def test_a_room_change_plans_the_room_mail_again(sqlite_url: str, tmp_path: Path) -> None:
    rt = event_with_people(sqlite_url, tmp_path)
    rt.__dict__["plan_memo"] = PlanMemo(monotonic=Ticks())
    service = mail_service(rt)
    service.plan(None)
    with rt.session() as session:
        assert session.scalars(select(BreakoutAssignment)).first() is None
    plan_all(rt, None)  # rooms for everyone: each person now wants a room mail per round
    assert service.plan(None).created > 0
