"""Build ``X-Zoom-App-Context`` headers the way the Zoom client does (for tests only).

Frame: ``[ivLength 1 byte][iv][aadLength 2 bytes LE][aad][cipherLength 4 bytes LE][cipherText]``
``[tag 16 bytes]``, base64-encoded; AES-256-GCM with key = SHA-256(client secret).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def pack_frame(iv: bytes, aad: bytes, cipher_text: bytes, tag: bytes) -> str:
    """Base64 of the binary frame, from its parts (lets tests build broken frames too)."""
    raw = (
        bytes([len(iv)])
        + iv
        + struct.pack("<H", len(aad))
        + aad
        + struct.pack("<I", len(cipher_text))
        + cipher_text
        + tag
    )
    return base64.b64encode(raw).decode("ascii")


def encrypt_parts(
    plaintext: bytes, secret: str, *, iv: bytes | None = None, aad: bytes = b""
) -> tuple[bytes, bytes, bytes]:
    """(iv, cipher text, tag) of ``plaintext`` under SHA-256(secret)."""
    nonce = iv if iv is not None else os.urandom(12)
    sealed = AESGCM(hashlib.sha256(secret.encode()).digest()).encrypt(nonce, plaintext, aad or None)
    return nonce, sealed[:-16], sealed[-16:]


def context_claims(
    *,
    now: datetime,
    uid: str = "host-user-1",
    mid: str | None = "mtg-uuid-1==",
    typ: str = "meeting",
    aud: str = "client-id-1",
    iss: str = "marketplace.zoom.us",
    **extra: Any,
) -> dict[str, Any]:
    """Plausible claims as Zoom sends them (``ts`` in milliseconds)."""
    claims: dict[str, Any] = {
        "typ": typ,
        "uid": uid,
        "ts": int(now.timestamp() * 1000),
        "aud": aud,
        "iss": iss,
    }
    if mid is not None:
        claims["mid"] = mid
    claims.update(extra)
    return claims


def encrypt_context(
    claims: dict[str, Any] | bytes, secret: str, *, iv: bytes | None = None, aad: bytes = b""
) -> str:
    """A header value carrying ``claims`` (a dict is JSON-encoded; bytes are taken as the plaintext)."""
    plaintext = claims if isinstance(claims, bytes) else json.dumps(claims).encode()
    nonce, cipher_text, tag = encrypt_parts(plaintext, secret, iv=iv, aad=aad)
    return pack_frame(nonce, aad, cipher_text, tag)
