"""Request body limits for every route, enforced on the bytes actually received.

A ``Content-Length`` can be missing (chunked transfer) or lie, so the middleware counts the bytes
of each ``http.request`` message as the route reads them and stops at the limit: the route gets
:class:`BodyTooLarge` (an HTTP 413) instead of more data, and nothing beyond the limit is ever held
in memory. An honest ``Content-Length`` above the limit is answered 413 before anything is read.

The limits live here, in one place: the Zoom webhook, the import upload, and every other form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

WEBHOOK_PATH = "/zoom/webhook"
# The registration import, a new event's agenda file and the agenda editor (its text view).
_UPLOAD_PATH = re.compile(r"^(?:/events/[^/]+/import|/new-event/upload|/events/[^/]+/agenda(?:/text)?)$")


@dataclass
class BodyLimits:
    """Largest accepted request body per kind of route, in bytes."""

    webhook_bytes: int = 256 * 1024  # Zoom's notifications are a few KB
    upload_bytes: int = 10 * 1024 * 1024  # the registration export (multipart form)
    form_bytes: int = 64 * 1024  # login, console and dashboard buttons: a few hundred bytes

    def for_path(self, path: str) -> int:
        """The limit of the route at ``path``."""
        if path == WEBHOOK_PATH:
            return self.webhook_bytes
        if _UPLOAD_PATH.match(path):
            return self.upload_bytes
        return self.form_bytes


class BodyTooLarge(HTTPException):
    """The request body exceeds the route's limit (raised while the route reads it)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail="body too large")
        self.limit = limit


class BodyLimitMiddleware:
    """Pure ASGI middleware applying :class:`BodyLimits` to every HTTP request."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.for_path(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            # Raised outside any route's error handling (e.g. by another middleware reading the body).
            if started:
                raise
            await _too_large(send)


def _content_length(scope: Scope) -> int | None:
    """The declared length; a malformed one counts as unknown (the byte count still applies)."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


async def _too_large(send: Send) -> None:
    body = b'{"detail":"body too large"}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
