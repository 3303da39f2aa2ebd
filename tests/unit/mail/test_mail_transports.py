"""EML directory and SMTP transports (real SMTP: aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import email
import os
import socket
import ssl
from email.message import Message
from pathlib import Path

import pytest
from pydantic import SecretStr

from orchestrator.mail import EventInfo, MailRenderer, Recipient
from orchestrator.mail.transports import (
    EmlDirectoryTransport,
    PermanentFailure,
    SmtpTransport,
    TemporaryFailure,
    eml_filename,
)
from tests.support.smtp_servers import ServerBehaviour, free_port, make_self_signed_cert, smtp_server

from .conftest import JOIN_DE, SENDER
from .stdlib_reference import stdlib_message


@pytest.fixture
def make_msg(renderer: MailRenderer, event: EventInfo):  # type: ignore[no-untyped-def]
    def make(address: str, uid: str, language: str = "de") -> Message:
        person = Recipient(address, "Elif", "Fuß", language, JOIN_DE)  # type: ignore[arg-type]
        rendered = renderer.render("confirmation", event, person)
        return stdlib_message(  # transports also take a ready email Message
            rendered, sender=SENDER, recipient=person, message_id=f"<{uid}@fachtag.example.org>"
        )

    return make


# -- .eml directory ------------------------------------------------------------------------------
def test_eml_one_file_per_message_id(tmp_path: Path, make_msg) -> None:  # type: ignore[no-untyped-def]
    transport = EmlDirectoryTransport(tmp_path / "out")
    transport.open()
    first = transport.send(make_msg("a@example.org", "outbox-1"))
    transport.send(make_msg("a@example.org", "outbox-1"))  # same row sent again
    transport.send(make_msg("b@example.org", "outbox-2"))
    transport.close()
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["outbox-1@fachtag.example.org.eml", "outbox-2@fachtag.example.org.eml"]
    assert first.message_id == "<outbox-1@fachtag.example.org>" and first.recipients == ("a@example.org",)
    parsed = email.message_from_bytes((tmp_path / "out" / files[0]).read_bytes())
    assert parsed["Message-ID"] == "<outbox-1@fachtag.example.org>"
    assert parsed.get_content_type() == "multipart/mixed"


@pytest.mark.parametrize("fsync", [True, False])
def test_eml_fsync_is_a_choice(
    tmp_path: Path, make_msg, monkeypatch: pytest.MonkeyPatch, fsync: bool
) -> None:  # type: ignore[no-untyped-def]
    """Each file is synced to disk before it counts as written, unless the setting turns it off."""
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    transport = EmlDirectoryTransport(tmp_path / "out", fsync=fsync)
    transport.open()
    transport.send(make_msg("a@example.org", "outbox-1"))
    transport.send(make_msg("b@example.org", "outbox-2"))
    assert len(synced) == (2 if fsync else 0)
    assert len(list((tmp_path / "out").glob("*.eml"))) == 2


def test_eml_filename_is_safe_and_distinct() -> None:
    assert eml_filename("<outbox-7@example.org>") == "outbox-7@example.org.eml"
    evil = eml_filename("<../../etc/passwd@x>")
    assert "/" not in evil and ".." not in evil.removesuffix(".eml").split("-")[0][:2]
    assert eml_filename("<a/b@x>") != eml_filename("<a_b@x>")


# -- SMTP ------------------------------------------------------------------------------------------
def test_smtp_reuses_one_connection(make_msg) -> None:  # type: ignore[no-untyped-def]
    with smtp_server() as server:
        transport = SmtpTransport(server.host, server.port, security="none", timeout=5)
        transport.open()
        results = [transport.send(make_msg(f"p{i}@example.org", f"outbox-{i}")) for i in range(5)]
        transport.close()
        assert server.stats.connections == 1
        assert [r.response.split()[0] for r in results] == ["250"] * 5
        assert [m.rcpt_tos for m in server.messages] == [[f"p{i}@example.org"] for i in range(5)]
        received = server.messages[0].parsed()
        assert received["Message-ID"] == "<outbox-0@fachtag.example.org>"
        assert received.get_content_type() == "multipart/mixed"


def test_smtp_550_is_permanent_and_next_message_goes_through(make_msg) -> None:  # type: ignore[no-untyped-def]
    behaviour = ServerBehaviour(refuse_rcpt={"gone@example.org": (550, "5.1.1 Mailbox unavailable")})
    with smtp_server(behaviour) as server:
        transport = SmtpTransport(server.host, server.port, security="none", timeout=5)
        with pytest.raises(PermanentFailure) as info:
            transport.send(make_msg("gone@example.org", "outbox-1"))
        assert info.value.code == 550
        assert "5.1.1 Mailbox unavailable" in info.value.reason
        assert "SECRET" not in info.value.reason and "SECRET" not in str(info.value)
        transport.send(make_msg("ok@example.org", "outbox-2"))
        transport.close()
        assert [m.rcpt_tos for m in server.messages] == [["ok@example.org"]]
        assert server.stats.connections == 1  # the refusal did not cost the connection


def test_smtp_451_is_temporary_connection_kept(make_msg) -> None:  # type: ignore[no-untyped-def]
    behaviour = ServerBehaviour(refuse_rcpt={"busy@example.org": (451, "4.7.1 Try again later")})
    with smtp_server(behaviour) as server:
        transport = SmtpTransport(server.host, server.port, security="none", timeout=5)
        with pytest.raises(TemporaryFailure) as info:
            transport.send(make_msg("busy@example.org", "outbox-1"))
        assert info.value.code == 451 and "4.7.1 Try again later" in info.value.reason
        transport.send(make_msg("ok@example.org", "outbox-2"))
        transport.close()
        assert len(server.messages) == 1 and server.stats.connections == 1


def test_smtp_421_is_temporary_and_reconnects(make_msg) -> None:  # type: ignore[no-untyped-def]
    behaviour = ServerBehaviour(refuse_rcpt={"later@example.org": (421, "4.3.2 Service shutting down")})
    with smtp_server(behaviour) as server:
        transport = SmtpTransport(server.host, server.port, security="none", timeout=5)
        with pytest.raises(TemporaryFailure) as info:
            transport.send(make_msg("later@example.org", "outbox-1"))
        assert info.value.code == 421
        transport.send(make_msg("ok@example.org", "outbox-2"))
        transport.send(make_msg("ok2@example.org", "outbox-3"))
        transport.close()
        assert [m.rcpt_tos for m in server.messages] == [["ok@example.org"], ["ok2@example.org"]]
        assert server.stats.connections == 2  # one reconnect after the 421, then reused


def test_smtp_reconnects_once_after_a_dropped_connection(make_msg) -> None:  # type: ignore[no-untyped-def]
    with smtp_server() as server:
        transport = SmtpTransport(server.host, server.port, security="none", timeout=5)
        transport.send(make_msg("a@example.org", "outbox-1"))
        assert transport._conn is not None and transport._conn.sock is not None
        transport._conn.sock.shutdown(socket.SHUT_RDWR)  # the idle connection was dropped
        transport.send(make_msg("b@example.org", "outbox-2"))
        transport.close()
        assert len(server.messages) == 2 and server.stats.connections == 2


def test_smtp_server_down_is_temporary() -> None:
    transport = SmtpTransport("127.0.0.1", free_port(), security="none", timeout=2)
    with pytest.raises(TemporaryFailure, match=r"Cannot connect to the SMTP server 127\.0\.0\.1"):
        transport.open()


def _tls_contexts(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    certfile, keyfile = make_self_signed_cert(tmp_path)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(certfile, keyfile)
    client_ctx = ssl.create_default_context(cafile=str(certfile))
    return server_ctx, client_ctx


def test_smtp_starttls_with_auth(tmp_path: Path, make_msg) -> None:  # type: ignore[no-untyped-def]
    server_ctx, client_ctx = _tls_contexts(tmp_path)
    behaviour = ServerBehaviour(credentials=("mailer", "s3cret"))
    with smtp_server(behaviour, tls_context=server_ctx, require_starttls=True) as server:
        transport = SmtpTransport(
            server.host,
            server.port,
            security="starttls",
            username="mailer",
            password=SecretStr("s3cret"),
            timeout=5,
            ssl_context=client_ctx,
        )
        transport.send(make_msg("a@example.org", "outbox-1"))
        transport.send(make_msg("b@example.org", "outbox-2"))
        transport.close()
        assert len(server.messages) == 2 and server.stats.connections == 1

        wrong = SmtpTransport(
            server.host,
            server.port,
            security="starttls",
            username="mailer",
            password=SecretStr("nope"),
            timeout=5,
            ssl_context=client_ctx,
        )
        with pytest.raises(PermanentFailure) as info:
            wrong.open()
        assert info.value.code == 535 and "nope" not in str(info.value)


def test_smtp_starttls_refuses_untrusted_certificate(tmp_path: Path, make_msg) -> None:  # type: ignore[no-untyped-def]
    server_ctx, _ = _tls_contexts(tmp_path)
    with smtp_server(tls_context=server_ctx) as server:
        transport = SmtpTransport(server.host, server.port, security="starttls", timeout=5)  # system CAs only
        with pytest.raises(TemporaryFailure, match="SSLCertVerificationError"):
            transport.open()
        assert server.messages == []
