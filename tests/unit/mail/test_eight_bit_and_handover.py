"""8bit bodies with BODY=8BITMIME (and the 7bit fallback), dot stuffing, and the delivery handover."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType

import pytest

from orchestrator.mail import EventInfo, MailRenderer, Occasion, Recipient
from orchestrator.mail.fastmime import build_prepared, seven_bit
from orchestrator.mail.prepared import PreparedMessage
from orchestrator.mail.transports import EmlDirectoryTransport, SendResult, SmtpTransport
from orchestrator.mail.transports.smtp import dot_stuffed
from tests.support.smtp_servers import ServerBehaviour, smtp_server

from .conftest import SENDER


def _prepared(
    renderer: MailRenderer, event: EventInfo, person: Recipient, eight_bit: bool
) -> PreparedMessage:
    rendered = renderer.render("reminder", event, person, Occasion(reminder_offset=timedelta(days=1)))
    return build_prepared(
        rendered, sender=SENDER, recipient=person, message_id="<outbox-1@example.org>", eight_bit=eight_bit
    )


def _parse(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _texts(parsed: EmailMessage) -> tuple[str, str]:
    plain, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


def test_eight_bit_parts_decode_to_the_same_text_as_quoted_printable(
    renderer: MailRenderer, event: EventInfo, person_de: Recipient
) -> None:
    qp = _prepared(renderer, event, person_de, eight_bit=False)
    eight = _prepared(renderer, event, person_de, eight_bit=True)
    assert eight.eight_bit and not qp.eight_bit
    assert b"Content-Transfer-Encoding: 8bit" in eight.data
    assert len(eight.data) < len(qp.data)
    assert _texts(_parse(eight.data)) == _texts(_parse(qp.data))
    assert max(map(len, eight.data.split(b"\r\n"))) <= 998
    # The fallback for servers without 8BITMIME: 7bit clean, same content.
    converted = seven_bit(eight)
    assert not converted.eight_bit and converted.data.isascii()
    assert _texts(_parse(converted.data)) == _texts(_parse(qp.data))


def test_a_line_too_long_for_smtp_falls_back_to_quoted_printable(
    renderer: MailRenderer, event: EventInfo, person_de: Recipient
) -> None:
    long_name = Recipient(person_de.email, "Ä" * 600, "Ö" * 600, "de", person_de.join_url)
    msg = _prepared(renderer, event, long_name, eight_bit=True)
    assert max(map(len, msg.data.split(b"\r\n"))) <= 998
    assert _texts(_parse(msg.data))[0].count("Ä" * 600) == 1


@pytest.mark.parametrize("server_has_8bitmime", [True, False])
def test_smtp_announces_8bitmime_or_converts(
    renderer: MailRenderer, event: EventInfo, person_de: Recipient, server_has_8bitmime: bool
) -> None:
    msg = _prepared(renderer, event, person_de, eight_bit=True)
    with smtp_server(ServerBehaviour(eight_bit_mime=server_has_8bitmime)) as server:
        transport = SmtpTransport(server.host, server.port, security="none", timeout=5)
        try:
            transport.send(msg)
        finally:
            transport.close()
        (received,) = server.messages
    assert (b"8bit" in received.data) is server_has_8bitmime
    assert received.data.isascii() is not server_has_8bitmime
    plain, _ = _texts(_parse(received.data))
    assert "Fuß" in plain and person_de.join_url and person_de.join_url in plain


def test_lines_starting_with_a_dot_arrive_intact(person_de: Recipient) -> None:
    data = (
        b"From: a@example.org\r\nTo: b@example.org\r\nSubject: dots\r\nMessage-ID: <d@x>\r\n\r\n"
        b".leading dot\r\n..two\r\n.\r\nlast"
    )
    assert dot_stuffed(data).endswith(b"\r\n..leading dot\r\n...two\r\n..\r\nlast\r\n")
    with smtp_server() as server:
        transport = SmtpTransport(server.host, server.port, security="none", timeout=5)
        try:
            transport.send(PreparedMessage(data, "a@example.org", ("b@example.org",), "<d@x>"))
        finally:
            transport.close()
        (received,) = server.messages
    assert received.data.rstrip(b"\r\n") == data


class RecordingHandover:
    """Records the order of events around the delivering step."""

    def __init__(self, log: list[str]) -> None:
        self.log = log

    def __enter__(self) -> None:
        self.log.append("enter")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.log.append("exit")

    def delivered(self, result: SendResult) -> None:
        self.log.append(f"delivered {result.message_id}")


def test_transports_deliver_inside_the_handover(
    renderer: MailRenderer, event: EventInfo, person_de: Recipient, tmp_path: Path
) -> None:
    msg = _prepared(renderer, event, person_de, eight_bit=True)
    log: list[str] = []
    with smtp_server() as server:
        transport = SmtpTransport(server.host, server.port, security="none", timeout=5)
        try:
            transport.send(msg, RecordingHandover(log))
        finally:
            transport.close()
        assert server.stats.accepted == 1
    eml = EmlDirectoryTransport(tmp_path)
    eml.open()
    eml.send(msg, RecordingHandover(log))
    assert log == ["enter", "delivered <outbox-1@example.org>", "exit"] * 2


def test_a_refused_message_is_not_delivered(
    renderer: MailRenderer, event: EventInfo, person_de: Recipient
) -> None:
    msg = _prepared(renderer, event, person_de, eight_bit=True)
    log: list[str] = []
    with smtp_server(ServerBehaviour(refuse_rcpt={person_de.email: (550, "no such user")})) as server:
        transport = SmtpTransport(server.host, server.port, security="none", timeout=5)
        with pytest.raises(Exception, match="550"):
            transport.send(msg, RecordingHandover(log))
        transport.close()
    assert log == []  # refused at RCPT: the delivering step never started
