"""The dispatcher's driver-level marks change rows exactly like the ORM transitions in ``outbox``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from orchestrator.db.models import OutboxMessage
from orchestrator.jobs import mail as mail_job
from orchestrator.mail import outbox
from orchestrator.mail.marks import WorkerMarks
from tests.unit.mail_outbox.support import event_id, event_with_people

FIELDS = (
    "state",
    "sending_at",
    "sent_at",
    "lease_until",
    "message_id",
    "attempts",
    "claimed_by",
    "last_error",
)


def _snapshot(rt, row_id: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    with rt.session() as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        return {name: getattr(row, name) for name in FIELDS}


def test_worker_marks_match_the_outbox_transitions(database_url: str, tmp_path: Path) -> None:
    rt = event_with_people(database_url, tmp_path)
    mail_job.plan(rt, None)
    now = rt.clock.now()
    lease = timedelta(minutes=5)
    with rt.session() as session:
        token = outbox.new_token()
        ids = outbox.claim_due(session, event_id(rt), now, lease=lease, limit=4, token=token)
        session.commit()
    assert len(ids) == 4
    orm_row, raw_row, lost_row, _spare = ids

    with rt.session() as session:
        assert outbox.mark_sending(session, orm_row, token, now, lease, "<orm@x>")
        session.commit()
    marks = WorkerMarks(rt.engine)
    assert marks.record(
        sent_row=None, sending_row=raw_row, token=token, message_id="<raw@x>", now=now, lease=lease
    )
    # a worker whose claim was taken over must not mark the row
    assert not marks.record(
        sent_row=None, sending_row=lost_row, token="other", message_id="<l@x>", now=now, lease=lease
    )
    orm_sending, raw_sending = _snapshot(rt, orm_row), _snapshot(rt, raw_row)
    assert {**orm_sending, "message_id": None} == {**raw_sending, "message_id": None}
    assert raw_sending["state"] == "sending" and raw_sending["message_id"] == "<raw@x>"
    assert _snapshot(rt, lost_row)["state"] == "claimed"

    later = now + timedelta(seconds=3)
    with rt.session() as session:
        assert outbox.mark_sent(session, orm_row, later)
        session.commit()
    assert marks.record(sent_row=raw_row, sending_row=None, now=later)
    orm_sent, raw_sent = _snapshot(rt, orm_row), _snapshot(rt, raw_row)
    assert {**orm_sent, "message_id": None} == {**raw_sent, "message_id": None}
    assert raw_sent["state"] == "sent" and raw_sent["sent_at"] == later and raw_sent["attempts"] == 1
    # idempotent: a second "sent" changes nothing
    marks.record(sent_row=raw_row, sending_row=None, now=later + timedelta(seconds=5))
    assert _snapshot(rt, raw_row) == raw_sent
    with rt.session() as session:
        assert session.scalar(select(OutboxMessage.state).where(OutboxMessage.id == _spare)) == "claimed"
