"""The organiser's mails page: previews without join links, test mail over SMTP, hold and release."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from orchestrator.app import App
from orchestrator.db.models import OutboxMessage, Person, WebAuditEntry, ZoomRegistration
from orchestrator.jobs import mail as mail_job
from orchestrator.mail.transports import SmtpTransport
from tests.integration.test_web_ui_support import (
    EVENT_KEY,
    MODERATOR,
    ORGANISER,
    add_account,
    client_for,
    csrf_of,
    login,
)
from tests.support.cli import invoke
from tests.support.smtp_servers import smtp_server
from tests.unit.mail_outbox.support import event_with_people

PAGE = f"/events/{EVENT_KEY}/mails"


@pytest.fixture
def rt(database_url: str, tmp_path: Path) -> App:
    runtime = event_with_people(database_url, tmp_path)
    add_account(runtime, ORGANISER, "organiser")
    add_account(runtime, MODERATOR, "moderator", event_key=EVENT_KEY)
    return runtime


@pytest.fixture
def client(rt: App) -> TestClient:
    client = client_for(rt)
    login(client)
    return client


def _join_urls(rt: App) -> list[str]:
    with rt.session() as session:
        urls = session.scalars(
            select(ZoomRegistration.join_url).where(ZoomRegistration.join_url.is_not(None))
        )
        return [u for u in urls if u]


def _someone(rt: App) -> str:
    """A person with a personal join link."""
    with rt.session() as session:
        query = (
            select(Person.email)
            .join(ZoomRegistration, ZoomRegistration.person_id == Person.id)
            .where(ZoomRegistration.join_url.is_not(None))
            .order_by(Person.email)
            .limit(1)
        )
        return session.scalars(query).one()


def test_every_mail_in_both_languages_without_a_join_link(rt: App, client: TestClient) -> None:
    page = client.get(PAGE)
    assert page.status_code == 200
    occasions = re.findall(
        r'<option value="((?:confirmation|reminder:[^"]+|breakout:\d+|thank_you))"', page.text
    )
    assert "confirmation" in occasions and "thank_you" in occasions
    assert any(o.startswith("reminder:") for o in occasions) and any(
        o.startswith("breakout:") for o in occasions
    )
    links = _join_urls(rt)
    assert links, "the fixture's people are registered with Zoom"
    person = _someone(rt)
    for occasion in occasions:
        for lang in ("de", "en"):
            for to in ("", person):
                query = {"mail": occasion, "lang": lang, "to": to}
                shown = client.get(PAGE, params=query)
                assert shown.status_code == 200, (occasion, lang)
                assert 'class="message message-error"' not in shown.text, (occasion, lang, shown.text[-2000:])
                frame = client.get(f"{PAGE}/preview.html", params=query)
                assert frame.status_code == 200
                assert "sandbox" in frame.headers["content-security-policy"]
                assert "script-src" not in frame.headers["content-security-policy"]
                ics = client.get(f"{PAGE}/preview.ics", params=query)
                for body in (shown.text, frame.text, ics.text):
                    assert "zoom.us/w/…" in body or "zoom.us/w/&#8230;" in body or body is ics.text
                    assert not any(link in body for link in links), (occasion, lang, to)
                    assert "tk=" not in body
                assert "persönlicher Link" in frame.text if lang == "de" else "personal link" in frame.text
    assert ics.headers["content-disposition"].startswith("attachment;")
    assert "BEGIN:VCALENDAR" in ics.text


def test_preview_for_a_person_shows_their_name(rt: App, client: TestClient) -> None:
    person = _someone(rt)
    shown = client.get(PAGE, params={"mail": "confirmation", "lang": "de", "to": person})
    assert person in shown.text
    unknown = client.get(PAGE, params={"mail": "confirmation", "lang": "de", "to": "nobody@example.org"})
    assert unknown.status_code == 200 and "nobody@example.org" in unknown.text
    assert 'class="message message-error"' in unknown.text


def test_test_mail_arrives_at_the_organiser_over_smtp(rt: App, client: TestClient) -> None:
    with smtp_server() as server:
        rt.settings = rt.settings.model_copy(
            update={
                "mail_transport": "smtp",
                "smtp_host": server.host,
                "smtp_port": server.port,
                "smtp_security": "none",
            }
        )
        token = csrf_of(client.get(PAGE).text)
        sent = client.post(f"{PAGE}/test", data={"csrf_token": token, "mail": "reminder:1d", "lang": "en"})
        assert sent.status_code == 303
        assert len(server.messages) == 1
    message = server.messages[0]
    assert message.rcpt_tos == [ORGANISER]
    parsed = message.parsed()
    assert str(parsed["Subject"]).startswith("[Test]")
    body = message.data.decode("utf-8", "replace")
    assert not any(link in body for link in _join_urls(rt))
    with rt.session() as session:
        actions = session.scalars(select(WebAuditEntry.action)).all()
    assert "mail.test" in actions
    assert "Test mail sent" in client.get(PAGE).text or "Testmail" in client.get(PAGE).text


def test_test_mail_failure_is_reported(rt: App, client: TestClient) -> None:
    rt.settings = rt.settings.model_copy(
        update={"mail_transport": "smtp", "smtp_host": "127.0.0.1", "smtp_port": 9, "smtp_security": "none"}
    )
    token = csrf_of(client.get(PAGE).text)
    sent = client.post(f"{PAGE}/test", data={"csrf_token": token, "mail": "confirmation", "lang": "de"})
    assert sent.status_code == 303
    page = client.get(PAGE)
    assert 'class="message message-error"' in page.text
    with rt.session() as session:
        assert "mail.test" not in session.scalars(select(WebAuditEntry.action)).all()


def _hold(client: TestClient, kind: str, held: bool) -> None:
    token = csrf_of(client.get(PAGE).text)
    answer = client.post(
        f"{PAGE}/hold", data={"csrf_token": token, "kind": kind, "held": "1" if held else "0"}
    )
    assert answer.status_code == 303


def _confirmations(rt: App) -> dict[str, int]:
    with rt.session() as session:
        states = session.scalars(
            select(OutboxMessage.state).where(OutboxMessage.kind == "confirmation")
        ).all()
    counts: dict[str, int] = {}
    for state in states:
        counts[state] = counts.get(state, 0) + 1
    return counts


def test_a_held_kind_is_not_sent_until_released(rt: App, client: TestClient, tmp_path: Path) -> None:
    _hold(client, "confirmation", True)
    assert "held" in client.get(PAGE).text or "angehalten" in client.get(PAGE).text
    with smtp_server() as server:
        factory = lambda: SmtpTransport(server.host, server.port, security="none", timeout=10)  # noqa: E731
        first = mail_job.run(rt, None, transport_factory=factory)
        assert first.sent == 0 and len(server.messages) == 0
        queued = _confirmations(rt)
        assert set(queued) == {"queued"} and queued["queued"] > 0
        assert mail_job.next_due(rt, None) is None or mail_job.next_due(rt, None) != rt.clock.now()
        _hold(client, "confirmation", False)
        second = mail_job.run(rt, None, transport_factory=factory)
        assert second.sent == queued["queued"] == len(server.messages)
    assert set(_confirmations(rt)) == {"sent"}
    with rt.session() as session:
        actions = session.scalars(select(WebAuditEntry.action).order_by(WebAuditEntry.id)).all()
    assert actions == ["mail.hold", "mail.release"]


def test_hold_and_release_from_the_command_line(rt: App, monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestrator.cli import state as cli_state

    monkeypatch.setattr(cli_state, "runtime_factory", lambda: rt)
    held = invoke(["mail", "hold", "confirmation", "--json"], {})
    assert held.exit_code == 0, held.output
    assert '"held": true' in held.output and '"changed": true' in held.output
    again = invoke(["mail", "hold", "confirmation", "--json"], {})
    assert '"changed": false' in again.output
    sent = invoke(["mail", "send-due", "--json"], {})
    assert '"sent": 0' in sent.output
    released = invoke(["mail", "release", "confirmation"], {})
    assert released.exit_code == 0
    bad = invoke(["mail", "hold", "newsletter"], {})
    assert bad.exit_code == 2


def test_csrf_and_roles(rt: App, client: TestClient) -> None:
    refused = client.post(f"{PAGE}/hold", data={"csrf_token": "wrong", "kind": "confirmation", "held": "1"})
    assert refused.status_code == 403
    refused = client.post(f"{PAGE}/test", data={"mail": "confirmation", "lang": "de"})
    assert refused.status_code == 403
    with rt.session() as session:
        assert session.scalars(select(WebAuditEntry)).all() == []
    moderator = client_for(rt)
    login(moderator, MODERATOR)
    assert moderator.get(PAGE).status_code == 403
    assert moderator.get(f"{PAGE}/preview.html").status_code == 403
    token = csrf_of(moderator.get(f"/events/{EVENT_KEY}/console").text)
    held = moderator.post(f"{PAGE}/hold", data={"csrf_token": token, "kind": "confirmation", "held": "1"})
    assert held.status_code == 403


def test_two_holds_at_the_same_moment_hold_once_and_neither_fails(rt: App) -> None:
    """The command and the mails page hold the same kind while neither has committed yet."""
    from orchestrator.db.models import Event, MailHold
    from orchestrator.mail.holds import set_hold

    results: list[bool] = []
    errors: list[BaseException] = []
    with rt.session() as first:
        event = first.scalars(select(Event)).one()
        assert set_hold(first, event, "reminder", held=True, by="cli", now=rt.clock.now()) is True

        def second_hold() -> None:
            try:
                with rt.session() as second:
                    other = second.scalars(select(Event)).one()
                    started.set()  # from here it waits for the first transaction's lock, or sees its row
                    results.append(
                        set_hold(second, other, "reminder", held=True, by="web", now=rt.clock.now())
                    )
                    second.commit()
            except BaseException as exc:  # reported by the assertion below
                errors.append(exc)

        started = threading.Event()
        racer = threading.Thread(target=second_hold)
        racer.start()
        assert started.wait(30)
        first.commit()
        racer.join(30)
    assert errors == [] and results == [False]
    with rt.session() as session:
        holds = session.scalars(select(MailHold)).all()
        assert [(h.kind, h.held_by) for h in holds] == [("reminder", "cli")]
