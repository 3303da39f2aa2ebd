"""Prepared (fast) messages through aiosmtpd, the .eml directory and the parallel sender."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

from orchestrator.mail import (
    EventInfo,
    Failed,
    MailBuild,
    MailRenderer,
    Occasion,
    Outcome,
    ParallelSender,
    Recipient,
    SendJob,
    Sent,
)
from orchestrator.mail.prepared import OutgoingMail, PreparedMessage
from orchestrator.mail.transports import EmlDirectoryTransport, SendResult, SmtpTransport
from tests.support.smtp_servers import smtp_server

from .conftest import SENDER

LONG_URL = "https://zoom.us/w/85512345678?tk=" + "x" * 400 + "&uuid=WN_abc"


def _people(count: int) -> list[Recipient]:
    names = [
        ("Jürgen", "Müller-Lüdenscheidt"),
        ("Tom & Jerry", "<Cartoon>"),
        ("Ünal", "Ağaoğlu"),
        ("Sam", "T"),
    ]
    return [
        Recipient(
            f"p{i}+tag@example.org",
            names[i % 4][0],
            names[i % 4][1] + f" {i}",
            "de" if i % 2 else "en",
            LONG_URL + str(i),
        )
        for i in range(count)
    ]


def _build(renderer: MailRenderer, event: EventInfo, person: Recipient, i: int) -> MailBuild:
    return MailBuild(
        renderer,
        "reminder",
        event,
        person,
        Occasion(reminder_offset=timedelta(hours=1)),
        SENDER,
        f"<outbox-{i}@fachtag.example.org>",
        "Rückfragen <team@forum-seniorenarbeit.de>",
    )


def _parse(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_aiosmtpd_accepts_prepared_messages_byte_for_byte(renderer: MailRenderer, event: EventInfo) -> None:
    people = _people(6)
    prepared = [_build(renderer, event, p, i)() for i, p in enumerate(people)]
    with smtp_server() as server:
        transport = SmtpTransport(server.host, server.port, security="none", timeout=5)
        transport.open()
        try:
            results = [transport.send(msg) for msg in prepared]
        finally:
            transport.close()
        received = list(server.messages)
    assert [r.message_id for r in results] == [f"<outbox-{i}@fachtag.example.org>" for i in range(6)]
    assert all(r.response.startswith("250") for r in results)  # no "500 Line too long"
    assert server.stats.connections == 1
    assert len(received) == 6
    for msg, got, person in zip(prepared, received, people, strict=True):
        assert got.mail_from == "info@forum-seniorenarbeit.de"
        assert got.rcpt_tos == [person.email]
        assert got.data.rstrip(b"\r\n") == msg.data.rstrip(b"\r\n")  # the server saw our bytes
        parsed = _parse(got.data)
        assert parsed["To"].addresses[0].display_name == person.display_name
        plain = parsed.get_body(("plain",))
        assert plain is not None and person.join_url is not None
        assert person.join_url in plain.get_content()


def test_parallel_sender_with_mailbuild_jobs(renderer: MailRenderer, event: EventInfo) -> None:
    people = _people(24)
    jobs = [SendJob(i, _build(renderer, event, p, i)) for i, p in enumerate(people)]
    outcomes: dict[object, Outcome] = {}
    with smtp_server() as server:
        sender = ParallelSender(
            lambda: SmtpTransport(server.host, server.port, security="none", timeout=5), workers=3
        )
        report = sender.send_all(jobs, lambda job_id, outcome: outcomes.__setitem__(job_id, outcome))
        received = {r.rcpt_tos[0]: _parse(r.data) for r in server.messages}
    assert report.sent == 24 and all(isinstance(o, Sent) for o in outcomes.values())
    assert set(received) == {p.email for p in people}
    for person in people:
        parsed = received[person.email]
        assert [part.get_content_type() for part in parsed.walk()] == [
            "multipart/mixed",
            "multipart/alternative",
            "text/plain",
            "text/html",
            "text/calendar",
        ]
        assert str(parsed["Reply-To"]) == "Rückfragen <team@forum-seniorenarbeit.de>"


def test_eml_directory_writes_prepared_bytes_as_is(
    tmp_path: Path, renderer: MailRenderer, event: EventInfo
) -> None:
    person = _people(1)[0]
    prepared = _build(renderer, event, person, 7)()
    transport = EmlDirectoryTransport(tmp_path)
    transport.open()
    result = transport.send(prepared)
    transport.close()
    assert result.recipients == (person.email,)
    assert (tmp_path / "outbox-7@fachtag.example.org.eml").read_bytes() == prepared.data


class CrashingTransport:
    """A transport with a bug: raises something that is not a TransportError for one message."""

    def __init__(self, sent: list[str]) -> None:
        self.sent = sent

    def open(self) -> None:
        return None

    def send(self, msg: OutgoingMail) -> SendResult:
        assert isinstance(msg, PreparedMessage)
        if "outbox-3@" in msg.message_id:
            raise RuntimeError("bug")
        self.sent.append(msg.message_id)
        return SendResult(msg.message_id, msg.recipients, "250 OK")

    def close(self) -> None:
        return None


def test_transport_bug_fails_one_mail_and_does_not_hang(renderer: MailRenderer, event: EventInfo) -> None:
    people = _people(8)
    jobs = [SendJob(i, _build(renderer, event, p, i)) for i, p in enumerate(people)]
    sent: list[str] = []
    outcomes: dict[object, Outcome] = {}
    report = ParallelSender(lambda: CrashingTransport(sent), workers=2).send_all(
        jobs, lambda job_id, outcome: outcomes.__setitem__(job_id, outcome)
    )
    assert (report.sent, report.failed) == (7, 1)
    assert outcomes[3] == Failed(None, "RuntimeError", "send")
    assert len(sent) == 7
