"""aiosmtpd test servers on loopback with configurable behaviour.

* :func:`smtp_server` runs a server in a thread of this process (tests): records every message,
  counts connections, refuses chosen recipients with chosen codes (a 421 also closes the
  connection, as real servers do), optionally delays each reply (a "distant provider"), and can
  offer STARTTLS and AUTH.
* :func:`smtp_server_process` runs the same server in a separate *process* (benchmarks), so the
  server's CPU does not compete with the sender for the GIL; :meth:`ProcessServer.stats` asks it
  for its counters.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import multiprocessing
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"


@dataclass(frozen=True)
class ServerBehaviour:
    """How the test server answers. Picklable, so it can be sent to a server process."""

    # recipient address (lower case) -> (code, text) answered to RCPT TO, e.g. (550, "5.1.1 No such user")
    refuse_rcpt: dict[str, tuple[int, str]] = field(default_factory=dict)
    # how often each refusal in refuse_rcpt applies before the recipient is accepted (absent: always)
    refuse_times: dict[str, int] = field(default_factory=dict)
    # seconds added before every reply (greeting, EHLO, MAIL, RCPT, DATA, end of data, QUIT ...)
    reply_delay: float = 0.0
    record_messages: bool = True
    # (username, password) required via AUTH when set (aiosmtpd insists on TLS for AUTH)
    credentials: tuple[str, str] | None = None
    # False: a server without 8BITMIME (aiosmtpd then also decodes the data; we record the bytes)
    eight_bit_mime: bool = True


@dataclass
class ReceivedMessage:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    def parsed(self) -> Message:
        return message_from_bytes(self.data)


class ServerStats:
    """Counters shared between the server's event loop thread and the test."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.connections = 0
        self.open_connections = 0
        self.peak_connections = 0
        self.accepted = 0
        self.refused: list[tuple[str, int]] = []
        self.messages: list[ReceivedMessage] = []
        self.refusals_used: dict[str, int] = {}

    def connection_opened(self) -> None:
        with self._lock:
            self.connections += 1
            self.open_connections += 1
            self.peak_connections = max(self.peak_connections, self.open_connections)

    def connection_closed(self) -> None:
        with self._lock:
            self.open_connections -= 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "connections": self.connections,
                "peak_connections": self.peak_connections,
                "accepted": self.accepted,
                "refused": list(self.refused),
            }


class BehaviourHandler:
    """aiosmtpd handler: refuses chosen recipients, records accepted messages."""

    def __init__(self, behaviour: ServerBehaviour, stats: ServerStats) -> None:
        self.behaviour = behaviour
        self.stats = stats

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        key = address.lower()
        refusal = self.behaviour.refuse_rcpt.get(key)
        if refusal is not None:
            limit = self.behaviour.refuse_times.get(key)
            with self.stats._lock:
                used = self.stats.refusals_used.get(key, 0)
                applies = limit is None or used < limit
                if applies:
                    self.stats.refusals_used[key] = used + 1
                    self.stats.refused.append((key, refusal[0]))
            if applies:
                return f"{refusal[0]} {refusal[1]}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.stats._lock:
            self.stats.accepted += 1
            number = self.stats.accepted
            if self.behaviour.record_messages:
                content = envelope.original_content or b""
                self.stats.messages.append(
                    ReceivedMessage(str(envelope.mail_from), list(envelope.rcpt_tos), content)
                )
        return f"250 2.0.0 OK queued as test-{number}"


class _TestSMTP(SMTP):
    """Counts connections, delays replies, closes the connection after a 421."""

    def __init__(self, handler: BehaviourHandler, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._test_handler = handler
        self._counted = False
        self._lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if not self._counted:  # STARTTLS calls this a second time for the same connection
            self._counted = True
            self._test_handler.stats.connection_opened()
        super().connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._counted and not self._lost:
            self._lost = True
            self._test_handler.stats.connection_closed()
        super().connection_lost(exc)

    async def push(self, status: str | bytes) -> None:  # type: ignore[override]
        text = status.decode("ascii", "replace") if isinstance(status, bytes) else status
        delay = self._test_handler.behaviour.reply_delay
        if delay and len(text) >= 4 and text[3] == " ":  # final line of a reply only
            await asyncio.sleep(delay)
        await super().push(status)
        if text.startswith("421") and self.transport is not None:
            self.transport.close()


class _TestController(Controller):
    def factory(self) -> SMTP:
        return _TestSMTP(self.handler, **self.SMTP_kwargs)


@dataclass
class RunningServer:
    host: str
    port: int
    stats: ServerStats

    @property
    def messages(self) -> list[ReceivedMessage]:
        return self.stats.messages


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _authenticator(credentials: tuple[str, str]) -> Any:
    def check(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and (
                auth_data.login.decode(),
                auth_data.password.decode(),
            )
            == credentials
        )
        return AuthResult(success=ok, handled=False)

    return check


@contextlib.contextmanager
def smtp_server(
    behaviour: ServerBehaviour | None = None,
    *,
    tls_context: ssl.SSLContext | None = None,
    require_starttls: bool = False,
) -> Iterator[RunningServer]:
    """An aiosmtpd server on 127.0.0.1 (random free port) in a background thread."""
    behaviour = behaviour or ServerBehaviour()
    stats = ServerStats()
    kwargs: dict[str, Any] = {}
    if tls_context is not None:
        kwargs.update(tls_context=tls_context, require_starttls=require_starttls)
    if behaviour.credentials is not None:
        kwargs.update(authenticator=_authenticator(behaviour.credentials), auth_required=True)
    if not behaviour.eight_bit_mime:
        kwargs.update(decode_data=True)
    port = free_port()
    controller = _TestController(
        BehaviourHandler(behaviour, stats),
        hostname=HOST,
        port=port,
        server_hostname="localhost",
        ready_timeout=10,
        **kwargs,
    )
    controller.start()
    # _trigger_server opened a probe connection; start the count from zero for the test
    with stats._lock:
        stats.connections = 0
        stats.peak_connections = 0
    try:
        yield RunningServer(HOST, port, stats)
    finally:
        controller.stop()


# -- server in a separate process (benchmarks) -------------------------------------------------
def _serve_in_process(behaviour: ServerBehaviour, conn: Connection) -> None:
    with smtp_server(behaviour) as server:
        conn.send(server.port)
        while True:
            command = conn.recv()
            if command == "stats":
                conn.send(server.stats.snapshot())
            elif command == "reset":
                with server.stats._lock:
                    server.stats.connections = server.stats.accepted = server.stats.peak_connections = 0
                    server.stats.refused.clear()
                    server.stats.messages.clear()
                conn.send("ok")
            else:
                conn.send("bye")
                return


@dataclass
class ProcessServer:
    host: str
    port: int
    _conn: Connection

    def stats(self) -> dict[str, Any]:
        self._conn.send("stats")
        result: dict[str, Any] = self._conn.recv()
        return result

    def reset(self) -> None:
        self._conn.send("reset")
        self._conn.recv()


@contextlib.contextmanager
def smtp_server_process(behaviour: ServerBehaviour | None = None) -> Iterator[ProcessServer]:
    """The test server in its own process (spawned), for benchmarks."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_serve_in_process, args=(behaviour or ServerBehaviour(), child), daemon=True)
    process.start()
    try:
        if not parent.poll(30):
            raise RuntimeError("SMTP server process did not start")
        port = parent.recv()
        yield ProcessServer(HOST, port, parent)
    finally:
        with contextlib.suppress(OSError, EOFError, BrokenPipeError):
            parent.send("stop")
            parent.recv()
        process.join(10)
        if process.is_alive():
            process.terminate()


# -- TLS helper ---------------------------------------------------------------------------------
def make_self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1/localhost: (certfile, keyfile)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = directory / "cert.pem", directory / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return certfile, keyfile
