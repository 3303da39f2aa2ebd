"""``orchestrator person resend-link``: the confirmation goes out once more, the link is never printed.

The same use case as the person page's "Link erneut senden" (``MailService.resend_link``); the
next ``mail send-due`` sends the queued confirmation through the configured transport.
"""

from __future__ import annotations

import email
import email.policy
import json
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import select

from orchestrator.db.models import Event, OutboxMessage, Person, ZoomRegistration
from orchestrator.db.models.person import PersonStatus
from tests.support.cli import invoke
from tests.unit.mail_outbox.support import add_registered_people, future_event


def _text_of(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


def _env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "ORCHESTRATOR_DATABASE_URL": database_url,
        "ORCHESTRATOR_ZOOM": "emulator",
        "ORCHESTRATOR_ZOOM_EMULATOR_STATE": str(tmp_path / "zoom-emulator.json"),
        "ORCHESTRATOR_MAIL_TRANSPORT": "eml",
        "ORCHESTRATOR_MAIL_EML_DIR": str(tmp_path / "mails"),
    }


def test_resend_link_queues_the_confirmation_for_the_next_dispatch(database_url: str, tmp_path: Path) -> None:
    rt = future_event(database_url, tmp_path, fixture_people=False)
    first, second = add_registered_people(rt, 2)
    env = _env(database_url, tmp_path)
    with rt.session() as session:
        links = set(session.scalars(select(ZoomRegistration.join_url)))
        event_key = session.scalars(select(Event.key)).one()
    assert len(links) == 2 and all(links)
    outputs: list[str] = []

    def run(*args: str) -> tuple[int, str]:
        result = invoke(list(args), env)
        outputs.append(result.output)
        return result.exit_code, result.output

    code, out = run("mail", "send-due", "--json")
    assert code == 0 and json.loads(out)["result"]["sent_by_occasion"] == {"confirmation": 2}
    mails = sorted((tmp_path / "mails").glob("*.eml"))
    assert len(mails) == 2

    code, out = run("--lang", "de", "person", "resend-link", first.upper())
    assert code == 0, out
    assert f"Die Bestätigung mit dem persönlichen Link an {first} ist erneut eingeplant" in out
    with rt.session() as session:
        row = session.scalars(
            select(OutboxMessage)
            .join(Person, Person.id == OutboxMessage.person_id)
            .where(Person.email == first, OutboxMessage.occasion == "confirmation")
        ).one()
        assert (row.occasion, row.state) == ("confirmation", "queued")
        row_id = row.id

    # Queued already: said so, nothing changes (exit 0).
    code, out = run("--lang", "en", "person", "resend-link", first, "--json")
    assert code == 0
    assert json.loads(out)["result"] == {
        "event": event_key,
        "email": first,
        "outcome": "already",
        "outbox_id": row_id,
    }
    code, out = run("--lang", "en", "person", "resend-link", first)
    assert code == 0 and f"The confirmation to {first} is already waiting to be sent." in out

    # The next dispatch sends exactly that one mail, with the personal link inside the mail only.
    code, out = run("mail", "send-due", "--json")
    assert code == 0 and json.loads(out)["result"]["sent_by_occasion"] == {"confirmation": 1}
    with rt.session() as session:
        assert session.get(OutboxMessage, row_id).state == "sent"  # type: ignore[union-attr]
        link = session.scalars(
            select(ZoomRegistration.join_url)
            .join(Person, Person.id == ZoomRegistration.person_id)
            .where(Person.email == first)
        ).one()
    assert sorted((tmp_path / "mails").glob("*.eml")) == mails  # the same Message-ID: the same file
    assert any(link in _text_of(path) for path in mails)

    # Bad input: an unknown address, and a person without a working link (exit 2, nothing queued).
    code, out = run("--lang", "en", "person", "resend-link", "niemand@example.org", "--json")
    assert code == 2
    error = json.loads(out)["error"]
    assert error["kind"] == "bad_input" and "niemand@example.org" in error["message"]
    with rt.session() as session:
        person = session.scalars(select(Person).where(Person.email == second)).one()
        person.status = PersonStatus.CANCELLED
        session.commit()
    code, out = run("--lang", "de", "person", "resend-link", second)
    assert code == 2 and "keinen funktionierenden persönlichen Link" in out
    with rt.session() as session:
        confirmations = select(OutboxMessage.state).where(OutboxMessage.occasion == "confirmation")
        states = list(session.scalars(confirmations))
    assert states == ["sent", "sent"]

    printed = "\n".join(outputs)
    assert not any(link in printed for link in links)
    assert "tk=" not in printed
