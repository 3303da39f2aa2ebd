"""Short-lived tokens for the Zoom App's own JSON calls, bound to one checked app context.

After the Home URL has checked ``X-Zoom-App-Context``, the page gets a token naming the event, the
meeting UUID and the Zoom user, valid for ~10 minutes. The app sends it back in a request header
(``X-App-Token``), never in a cookie: a cross-site form or image cannot carry a custom header, so the
JSON calls are CSRF-safe without a separate CSRF token.

Format: ``v1.<base64url(JSON claims)>.<base64url(HMAC-SHA256)>``; the HMAC key is derived from the
Zoom app's client secret with a purpose label, so these tokens are useless anywhere else.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from orchestrator.i18n import N_, _

TOKEN_HEADER = "X-App-Token"  # noqa: S105 - a header name, not a secret
DEFAULT_LIFETIME = timedelta(minutes=10)
MAX_TOKEN_CHARS = 2048
_VERSION = "v1"
_PURPOSE = b"orchestrator.zoomapp.token.v1"
_CLOCK_SKEW = timedelta(seconds=60)


class TokenRefusal(StrEnum):
    MISSING = "missing"
    INVALID = "invalid"
    EXPIRED = "expired"
    WRONG_MEETING = "wrong_meeting"


TOKEN_MESSAGES: dict[TokenRefusal, str] = {
    TokenRefusal.MISSING: N_("The app's access token is missing. Please reload the app."),
    TokenRefusal.INVALID: N_("The app's access token is invalid. Please reload the app."),
    TokenRefusal.EXPIRED: N_("The app's access token has expired. Please reload the app."),
    TokenRefusal.WRONG_MEETING: N_("The app's access token belongs to a different meeting or event."),
}


class AppTokenRefused(Exception):
    """The token was refused; ``reason`` says why."""

    def __init__(self, reason: TokenRefusal) -> None:
        super().__init__(reason.value)
        self.reason = reason

    def message(self) -> str:
        return _(TOKEN_MESSAGES[self.reason])


@dataclass(frozen=True)
class AppTokenClaims:
    event_id: int
    meeting_uuid: str
    zoom_user_id: str
    issued_at: datetime
    expires_at: datetime


def _key(secret: str) -> bytes:
    if not secret:
        raise ValueError("the Zoom app's client secret is not configured")
    return hmac.new(secret.encode("utf-8"), _PURPOSE, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise AppTokenRefused(TokenRefusal.INVALID) from None


def _sign(body: str, secret: str) -> str:
    return _b64(hmac.new(_key(secret), f"{_VERSION}.{body}".encode("ascii"), hashlib.sha256).digest())


def issue_app_token(
    *,
    event_id: int,
    meeting_uuid: str,
    zoom_user_id: str,
    secret: str,
    now: datetime,
    lifetime: timedelta = DEFAULT_LIFETIME,
) -> str:
    """A token for the app page opened by ``zoom_user_id`` in ``meeting_uuid`` of ``event_id``."""
    claims = {
        "e": event_id,
        "m": meeting_uuid,
        "u": zoom_user_id,
        "i": int(now.timestamp()),
        "x": int((now + lifetime).timestamp()),
    }
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    return f"{_VERSION}.{body}.{_sign(body, secret)}"


def _claims(payload: dict[str, Any]) -> AppTokenClaims:
    event_id, meeting, user, issued, expires = (payload.get(k) for k in ("e", "m", "u", "i", "x"))
    if (
        not isinstance(event_id, int)
        or not isinstance(meeting, str)
        or not isinstance(user, str)
        or not isinstance(issued, int)
        or not isinstance(expires, int)
    ):
        raise AppTokenRefused(TokenRefusal.INVALID)
    return AppTokenClaims(
        event_id=event_id,
        meeting_uuid=meeting,
        zoom_user_id=user,
        issued_at=datetime.fromtimestamp(issued, UTC),
        expires_at=datetime.fromtimestamp(expires, UTC),
    )


def verify_app_token(
    token: str | None,
    *,
    secret: str,
    now: datetime,
    event_id: int | None = None,
    meeting_uuid: str | None = None,
) -> AppTokenClaims:
    """Check signature and expiry (and, when given, that it is for this event and meeting)."""
    if token is None or not token.strip():
        raise AppTokenRefused(TokenRefusal.MISSING)
    if len(token) > MAX_TOKEN_CHARS or not token.isascii():
        raise AppTokenRefused(TokenRefusal.INVALID)
    parts = token.strip().split(".")
    if len(parts) != 3 or parts[0] != _VERSION:
        raise AppTokenRefused(TokenRefusal.INVALID)
    _, body, signature = parts
    if not hmac.compare_digest(signature, _sign(body, secret)):
        raise AppTokenRefused(TokenRefusal.INVALID)
    try:
        payload = json.loads(_unb64(body))
    except ValueError:
        raise AppTokenRefused(TokenRefusal.INVALID) from None
    if not isinstance(payload, dict):
        raise AppTokenRefused(TokenRefusal.INVALID)
    claims = _claims(payload)
    if claims.expires_at <= now or claims.issued_at > now + _CLOCK_SKEW:
        raise AppTokenRefused(TokenRefusal.EXPIRED)
    if (event_id is not None and claims.event_id != event_id) or (
        meeting_uuid is not None and claims.meeting_uuid != meeting_uuid
    ):
        raise AppTokenRefused(TokenRefusal.WRONG_MEETING)
    return claims
