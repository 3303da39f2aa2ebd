"""The ``X-Zoom-App-Context`` header: decrypt, check and turn into a typed :class:`AppContext`.

The Zoom client sends this header when it opens a Zoom App's Home URL. Its value is base64 of
``[ivLength: 1 byte][iv][aadLength: 2 bytes LE][aad][cipherLength: 4 bytes LE][cipherText][tag: 16 bytes]``,
encrypted with AES-256-GCM under SHA-256(client secret). The plaintext is JSON with at least
``typ``, ``uid``, ``ts`` (milliseconds), ``aud`` and ``iss``, and ``mid`` (the meeting UUID) inside a
meeting.

Anything wrong raises :class:`AppContextRefused` carrying one :class:`RefusalReason`; its message
never contains the header or the secret (neither is ever logged).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import struct
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from orchestrator.i18n import N_, _

HEADER_NAME = "X-Zoom-App-Context"
# A real context is a few hundred characters; anything far larger is refused before decoding.
MAX_HEADER_CHARS = 8192
DEFAULT_MAX_AGE = timedelta(minutes=5)
# Tolerated clock difference for contexts stamped slightly "in the future".
CLOCK_SKEW = timedelta(seconds=60)
TAG_BYTES = 16
# AES-GCM accepts nonces of 8 to 128 bytes (``cryptography``'s limits); Zoom uses 12.
MIN_IV_BYTES, MAX_IV_BYTES = 8, 128
MEETING_TYPES = frozenset({"meeting", "webinar"})
ZOOM_ISSUER = "marketplace.zoom.us"


class RefusalReason(StrEnum):
    MISSING = "missing"
    MALFORMED = "malformed"
    UNDECRYPTABLE = "undecryptable"
    WRONG_APP = "wrong_app"
    STALE = "stale"
    NOT_IN_MEETING = "not_in_meeting"
    UNKNOWN_MEETING = "unknown_meeting"
    NOT_ALLOWED = "not_allowed"


REFUSAL_MESSAGES: dict[RefusalReason, str] = {
    RefusalReason.MISSING: N_(
        "This page only works inside the Zoom client: the Zoom app context is missing."
    ),
    RefusalReason.MALFORMED: N_("The Zoom app context could not be read (malformed)."),
    RefusalReason.UNDECRYPTABLE: N_(
        "The Zoom app context could not be decrypted: it does not come from this Zoom app "
        "(check the app's client secret)."
    ),
    RefusalReason.WRONG_APP: N_("The Zoom app context was issued for a different Zoom app."),
    RefusalReason.STALE: N_(
        "The Zoom app context is outdated. Please close the app and open it again in the meeting."
    ),
    RefusalReason.NOT_IN_MEETING: N_("Please open this app from within the event's Zoom meeting."),
    RefusalReason.UNKNOWN_MEETING: N_("This Zoom meeting does not belong to an event of this orchestrator."),
    RefusalReason.NOT_ALLOWED: N_(
        "Only the meeting's host or a moderator registered for this event may use this app."
    ),
}


class AppContextRefused(Exception):
    """The header was refused; ``reason`` says why, :meth:`message` explains it to the user."""

    def __init__(self, reason: RefusalReason) -> None:
        super().__init__(reason.value)
        self.reason = reason

    def message(self) -> str:
        """The reason in the current language (German by default)."""
        return _(REFUSAL_MESSAGES[self.reason])


@dataclass(frozen=True)
class AppContext:
    """A checked app context: who opened the app (``uid``), where (``typ``) and in which meeting."""

    typ: str
    uid: str
    meeting_uuid: str | None
    issued_at: datetime
    audience: str
    issuer: str
    attend_role: str | None = None
    expires_at: datetime | None = None

    @property
    def in_meeting(self) -> bool:
        return self.typ in MEETING_TYPES and bool(self.meeting_uuid)


def _b64decode(value: str) -> bytes:
    """Standard or URL-safe base64, padding optional (Node's Buffer accepts both)."""
    text = value.strip().replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise AppContextRefused(RefusalReason.MALFORMED) from None


def _unpack(raw: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """Split the binary frame into (iv, aad, ciphertext, tag); any length mismatch is malformed."""
    try:
        pos = 0
        iv_length = raw[pos]
        pos += 1
        iv = raw[pos : pos + iv_length]
        pos += iv_length
        (aad_length,) = struct.unpack_from("<H", raw, pos)
        pos += 2
        aad = raw[pos : pos + aad_length]
        pos += aad_length
        (cipher_length,) = struct.unpack_from("<I", raw, pos)
        pos += 4
        cipher_text = raw[pos : pos + cipher_length]
        pos += cipher_length
        tag = raw[pos:]
    except (IndexError, struct.error):
        raise AppContextRefused(RefusalReason.MALFORMED) from None
    if (
        not MIN_IV_BYTES <= iv_length <= MAX_IV_BYTES
        or len(iv) != iv_length
        or len(aad) != aad_length
        or len(cipher_text) != cipher_length
        or cipher_length == 0
        or len(tag) != TAG_BYTES
    ):
        raise AppContextRefused(RefusalReason.MALFORMED)
    return iv, aad, cipher_text, tag


def context_key(client_secret: str) -> bytes:
    """The AES-256 key Zoom uses: SHA-256 of the app's client secret."""
    return hashlib.sha256(client_secret.encode("utf-8")).digest()


def decrypt_app_context(header: str | None, client_secret: str) -> dict[str, Any]:
    """Decode and decrypt the header into its JSON claims (no checks on their content yet)."""
    if header is None or not header.strip():
        raise AppContextRefused(RefusalReason.MISSING)
    if len(header) > MAX_HEADER_CHARS:
        raise AppContextRefused(RefusalReason.MALFORMED)
    if not client_secret:
        raise ValueError("the Zoom app's client secret is not configured")
    iv, aad, cipher_text, tag = _unpack(_b64decode(header))
    try:
        plain = AESGCM(context_key(client_secret)).decrypt(iv, cipher_text + tag, aad or None)
    except InvalidTag:
        raise AppContextRefused(RefusalReason.UNDECRYPTABLE) from None
    try:
        claims = json.loads(plain.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise AppContextRefused(RefusalReason.MALFORMED) from None
    if not isinstance(claims, dict):
        raise AppContextRefused(RefusalReason.MALFORMED)
    return claims


def _text_claim(claims: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    value = claims.get(name)
    if value is None or value == "":
        if required:
            raise AppContextRefused(RefusalReason.MALFORMED)
        return None
    if not isinstance(value, str) or len(value) > 500:
        raise AppContextRefused(RefusalReason.MALFORMED)
    return value


def _time_claim(claims: dict[str, Any], name: str, *, required: bool) -> datetime | None:
    value = claims.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise AppContextRefused(RefusalReason.MALFORMED)
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        raise AppContextRefused(RefusalReason.MALFORMED) from None


def parse_claims(claims: dict[str, Any]) -> AppContext:
    """Typed claims; missing or wrongly typed required fields are malformed."""
    issued_at = _time_claim(claims, "ts", required=True)
    assert issued_at is not None  # required claims are never None
    return AppContext(
        typ=_text_claim(claims, "typ") or "",
        uid=_text_claim(claims, "uid") or "",
        meeting_uuid=_text_claim(claims, "mid", required=False),
        issued_at=issued_at,
        audience=_text_claim(claims, "aud", required=False) or "",
        issuer=_text_claim(claims, "iss", required=False) or "",
        attend_role=_text_claim(claims, "attendrole", required=False),
        expires_at=_time_claim(claims, "exp", required=False),
    )


def verify_app_context(
    header: str | None,
    *,
    client_secret: str,
    now: datetime,
    is_known_meeting: Callable[[str], bool],
    client_id: str | None = None,
    max_age: timedelta = DEFAULT_MAX_AGE,
) -> AppContext:
    """Check the header completely: decryptable, for this app, fresh, in a meeting the store knows.

    ``is_known_meeting`` answers whether a meeting UUID belongs to an event in the store.
    """
    context = parse_claims(decrypt_app_context(header, client_secret))
    if client_id is not None and context.audience != client_id:
        raise AppContextRefused(RefusalReason.WRONG_APP)
    if context.issuer and context.issuer != ZOOM_ISSUER:
        raise AppContextRefused(RefusalReason.WRONG_APP)
    if context.issued_at < now - max_age or context.issued_at > now + CLOCK_SKEW:
        raise AppContextRefused(RefusalReason.STALE)
    if context.expires_at is not None and context.expires_at < now:
        raise AppContextRefused(RefusalReason.STALE)
    if not context.in_meeting:
        raise AppContextRefused(RefusalReason.NOT_IN_MEETING)
    assert context.meeting_uuid is not None  # in_meeting guarantees it
    if not is_known_meeting(context.meeting_uuid):
        raise AppContextRefused(RefusalReason.UNKNOWN_MEETING)
    return context


def require_allowed_user(
    context: AppContext, *, host_user_ids: Collection[str], allowed_user_ids: Collection[str] = ()
) -> None:
    """Let only the meeting's host or a Zoom user the event allows (moderators) through."""
    if context.uid not in host_user_ids and context.uid not in allowed_user_ids:
        raise AppContextRefused(RefusalReason.NOT_ALLOWED)
