"""SMTP transport (smtplib): one connection reused for many messages.

Reusing the connection saves the TCP/TLS handshake, greeting, EHLO and login per mail, which is
most of the cost with a distant provider. The envelope is sent step by step (MAIL, RCPT, DATA)
rather than via ``sendmail`` so each reply code maps cleanly: 4xx → :class:`TemporaryFailure`,
5xx → :class:`PermanentFailure`, and after a 421 or a dropped connection the next message
reconnects. A connection that turns out dead before MAIL FROM was accepted is reopened once
and the message sent on the fresh one (nothing had been delivered yet, so no duplicate).

DATA is written in two steps: the dot-stuffed content, then the final "." inside the caller's
:class:`~orchestrator.mail.transports.base.Handover`. Until that dot the server discards the
message if the connection is lost, so only the dot and its reply can leave a message delivered
without the sender knowing.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import socket
import ssl
from typing import Literal

from pydantic import SecretStr

from orchestrator.i18n import translate
from orchestrator.mail.fastmime import seven_bit
from orchestrator.mail.headers import PLAIN_ADDRESS
from orchestrator.mail.prepared import OutgoingMail, PreparedMessage, as_prepared
from orchestrator.mail.transports.base import (
    Handover,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
)

log = logging.getLogger(__name__)

Security = Literal["none", "starttls", "ssl"]


def _reply_text(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return " ".join(text.split())[:300]


def _failure(code: int, reply: bytes | str, stage: str) -> TemporaryFailure | PermanentFailure:
    reason = f"{stage}: {code} {_reply_text(reply)}"
    return PermanentFailure(code, reason) if 500 <= code < 600 else TemporaryFailure(code, reason)


def dot_stuffed(data: bytes) -> bytes:
    """``data`` as DATA content (RFC 5321 4.5.2): a leading "." doubled, ending in CRLF, no final dot.

    ``smtplib`` does this with a regular expression over the whole message on every send; the
    plain byte search and replace here are C loops and usually find nothing to do.
    """
    if data.startswith(b"."):
        data = b"." + data
    if b"\n." in data:
        data = data.replace(b"\n.", b"\n..")
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data


def _envelope_command(
    conn: smtplib.SMTP, verb: str, keyword: str, address: str, options: tuple[str, ...] = ()
) -> tuple[int, bytes]:
    """MAIL FROM / RCPT TO; a plain address is written directly.

    ``smtplib``'s ``mail()``/``rcpt()`` run every address through the pure-Python address parser
    (~25 µs each, under the GIL); for a plain ``local@domain`` that only adds the angle brackets.
    """
    if PLAIN_ADDRESS.fullmatch(address):
        return conn.docmd(verb, " ".join((f"{keyword}:<{address}>", *options)))
    return conn.mail(address, options) if verb == "MAIL" else conn.rcpt(address, options)


class SmtpTransport:
    """SMTP with STARTTLS, implicit TLS or plain (loopback/tests); optional AUTH."""

    def __init__(  # noqa: PLR0913  the connection settings of smtplib, each a plain value
        self,
        host: str,
        port: int,
        security: Security = "starttls",
        username: str | None = None,
        password: SecretStr | None = None,
        timeout: float = 30.0,
        local_hostname: str | None = None,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if security not in ("none", "starttls", "ssl"):
            raise ValueError(f"unknown SMTP security {security!r}")
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self._password = password
        self.timeout = timeout
        self.local_hostname = local_hostname
        self._ssl_context = ssl_context
        self._conn: smtplib.SMTP | None = None
        self.connections_opened = 0

    def __repr__(self) -> str:
        return f"SmtpTransport(host={self.host!r}, port={self.port}, security={self.security!r})"

    # -- connection ---------------------------------------------------------------------------
    def open(self) -> None:
        """Connect, say EHLO, upgrade to TLS and log in as configured."""
        if self._conn is not None:
            return
        context = self._ssl_context or ssl.create_default_context()
        conn: smtplib.SMTP | None = None
        try:
            if self.security == "ssl":
                conn = smtplib.SMTP_SSL(
                    self.host,
                    self.port,
                    local_hostname=self.local_hostname,
                    timeout=self.timeout,
                    context=context,
                )
            else:
                conn = smtplib.SMTP(
                    self.host, self.port, local_hostname=self.local_hostname, timeout=self.timeout
                )
            conn.ehlo()
            if self.security == "starttls":
                conn.starttls(context=context)
                conn.ehlo()
            if self.username:
                secret = self._password.get_secret_value() if self._password else ""
                conn.login(self.username, secret)
        except smtplib.SMTPAuthenticationError as exc:
            self._discard(conn)
            raise PermanentFailure(
                exc.smtp_code,
                translate(
                    "SMTP login as {user} was refused: {code} {reply}",
                    user=self.username or "",
                    code=exc.smtp_code,
                    reply=_reply_text(exc.smtp_error),
                ),
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            self._discard(conn)
            raise PermanentFailure(
                None,
                translate(
                    "The SMTP server {host}:{port} does not support {what}.",
                    host=self.host,
                    port=self.port,
                    what=str(exc) or "STARTTLS/AUTH",
                ),
            ) from None
        except smtplib.SMTPResponseException as exc:
            self._discard(conn)
            raise _failure(exc.smtp_code, exc.smtp_error, "connect") from None
        except (OSError, smtplib.SMTPException) as exc:
            self._discard(conn)
            raise TemporaryFailure(
                None,
                translate(
                    "Cannot connect to the SMTP server {host}:{port}: {why}",
                    host=self.host,
                    port=self.port,
                    why=type(exc).__name__ + (f" {exc}" if str(exc) else ""),
                ),
            ) from None
        # The final dot is written on its own (see send); with Nagle's algorithm that small write
        # would wait for the ACK of the content, which the server delays by up to 40 ms.
        if conn.sock is not None:
            with contextlib.suppress(OSError):
                conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._conn = conn
        self.connections_opened += 1
        log.debug("smtp connected", extra={"smtp_host": self.host, "smtp_port": self.port})

    def close(self) -> None:
        """Say QUIT and close; never raises."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()

    @staticmethod
    def _discard(conn: smtplib.SMTP | None) -> None:
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        self._discard(conn)

    # -- sending ------------------------------------------------------------------------------
    def send(self, msg: OutgoingMail, handover: Handover | None = None) -> SendResult:
        """Send one message over the (re)used connection; the final dot goes inside ``handover``."""
        conn, prepared = self._mail_from(as_prepared(msg))
        recipients, message_id, data = prepared.recipients, prepared.message_id, prepared.data
        try:
            for rcpt in recipients:
                code, reply = _envelope_command(conn, "RCPT", "TO", rcpt)
                if code not in (250, 251):
                    raise _failure(code, reply, "RCPT TO")
            code, reply = conn.docmd("DATA")
            if code != 354:
                raise _failure(code, reply, "DATA")
            # Everything but the final dot: a server that loses the connection now discards it.
            conn.send(dot_stuffed(data))
            with handover or contextlib.nullcontext():
                conn.send(b".\r\n")
                code, reply = conn.getreply()
                result = SendResult(
                    message_id=message_id,
                    recipients=tuple(recipients),
                    response=f"{code} {_reply_text(reply)}",
                )
                if code == 250 and handover is not None:
                    handover.delivered(result)
            if code != 250:
                raise _failure(code, reply, "DATA")
        except (TemporaryFailure, PermanentFailure) as failure:
            self._after_refusal(failure.code)
            raise
        except (OSError, smtplib.SMTPException) as exc:
            # Dropped mid-transaction: the server may or may not have taken it; the outbox decides.
            self._drop()
            raise TemporaryFailure(
                None,
                translate(
                    "The SMTP connection broke while sending {mid}: {why}",
                    mid=message_id,
                    why=type(exc).__name__,
                ),
            ) from None
        log.debug("smtp accepted", extra={"message_id": message_id, "smtp_code": code})
        return result

    def _mail_from(self, prepared: PreparedMessage) -> tuple[smtplib.SMTP, PreparedMessage]:
        """MAIL FROM on the open connection, reconnecting once if the old connection died.

        8bit content is announced with ``BODY=8BITMIME``, or converted to 7bit for a server that
        does not offer it; returns the connection and the message as it is to be sent.
        """
        for attempt in (1, 2):
            self.open()
            conn = self._conn
            assert conn is not None
            options: tuple[str, ...] = ()
            if prepared.eight_bit:
                if conn.has_extn("8bitmime"):
                    options = ("BODY=8BITMIME",)
                else:
                    prepared = seven_bit(prepared)
            try:
                code, reply = _envelope_command(conn, "MAIL", "FROM", prepared.sender, options)
            except (TimeoutError, smtplib.SMTPServerDisconnected, ConnectionError, OSError):
                self._drop()
                if attempt == 2:
                    raise TemporaryFailure(
                        None,
                        translate(
                            "The SMTP server {host}:{port} closed the connection.",
                            host=self.host,
                            port=self.port,
                        ),
                    ) from None
                continue
            if code == 250:
                return conn, prepared
            self._after_refusal(code)
            raise _failure(code, reply, "MAIL FROM")
        raise AssertionError("unreachable")

    def _after_refusal(self, code: int | None) -> None:
        """Reset the transaction so the connection serves the next message; drop it after 421."""
        if code == 421 or self._conn is None:
            self._drop()
            return
        try:
            self._conn.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()
