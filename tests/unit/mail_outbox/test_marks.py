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


def test_worker_mark_matches_the_outbox_transition(database_url: str, tmp_path: Path) -> None:
    rt = event_with_people(database_url, tmp_path)
    mail_job.plan(rt, None)
    now = rt.clock.now()
    lease = timedelta(minutes=5)
    with rt.session() as session:
        token = outbox.new_token()
        ids = outbox.claim_due(session, event_id(rt), now, lease=lease, limit=3, token=token)
        session.commit()
    assert len(ids) == 3
    orm_row, raw_row, spare = ids

    later = now + timedelta(seconds=3)
    with rt.session() as session:
        assert outbox.mark_sent(session, orm_row, later, "<m@x>")
        session.commit()
    marks = WorkerMarks(rt.engine)
    marks.sent(raw_row, later, "<m@x>")
    orm_sent, raw_sent = _snapshot(rt, orm_row), _snapshot(rt, raw_row)
    assert orm_sent == raw_sent
    assert raw_sent["state"] == "sent" and raw_sent["sent_at"] == later and raw_sent["attempts"] == 1
    assert raw_sent["claimed_by"] is None and raw_sent["lease_until"] is None
    assert raw_sent["message_id"] == "<m@x>"
    # idempotent: a second "sent" changes nothing
    marks.sent(raw_row, later + timedelta(seconds=5), "<m@x>")
    marks.close()
    assert _snapshot(rt, raw_row) == raw_sent
    with rt.session() as session:
        assert session.scalar(select(OutboxMessage.state).where(OutboxMessage.id == spare)) == "claimed"
