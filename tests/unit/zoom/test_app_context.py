"""The X-Zoom-App-Context header: real encrypted headers in Zoom's frame format, every refusal."""

from __future__ import annotations

import base64
import json
import logging
import struct
from datetime import UTC, datetime, timedelta

import pytest

from orchestrator import i18n
from orchestrator.zoom.app_context import (
    MAX_HEADER_CHARS,
    AppContext,
    AppContextRefused,
    RefusalReason,
    decrypt_app_context,
    require_allowed_user,
    verify_app_context,
)
from tests.support.zoom_app_context import context_claims, encrypt_context, encrypt_parts, pack_frame

SECRET = "zoom-app-client-secret-for-tests"
CLIENT_ID = "client-id-1"
NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
MEETING = "mtg-uuid-1=="


def known(uuid: str) -> bool:
    return uuid == MEETING


def verify(header: str | None, **overrides: object) -> AppContext:
    options: dict[str, object] = {
        "client_secret": SECRET,
        "now": NOW,
        "is_known_meeting": known,
        "client_id": CLIENT_ID,
    }
    options.update(overrides)
    return verify_app_context(header, **options)  # type: ignore[arg-type]


def refusal(header: str | None, **overrides: object) -> RefusalReason:
    with pytest.raises(AppContextRefused) as caught:
        verify(header, **overrides)
    return caught.value.reason


def test_a_valid_meeting_context_is_accepted_with_typed_fields() -> None:
    header = encrypt_context(context_claims(now=NOW - timedelta(seconds=30), attendrole="host"), SECRET)
    context = verify(header)
    assert context == AppContext(
        typ="meeting",
        uid="host-user-1",
        meeting_uuid=MEETING,
        issued_at=NOW - timedelta(seconds=30),
        audience=CLIENT_ID,
        issuer="marketplace.zoom.us",
        attend_role="host",
    )
    assert context.in_meeting


def test_additional_data_and_url_safe_base64_without_padding_are_accepted() -> None:
    header = encrypt_context(context_claims(now=NOW), SECRET, aad=b"zoom-aad")
    url_safe = header.replace("+", "-").replace("/", "_").rstrip("=")
    assert verify(url_safe).uid == "host-user-1"


def test_missing_header_is_refused() -> None:
    assert refusal(None) is RefusalReason.MISSING
    assert refusal("   ") is RefusalReason.MISSING


@pytest.mark.parametrize(
    "header",
    [
        "not base64 at all!",
        base64.b64encode(b"").decode() + "AA",
        base64.b64encode(b"\x0c" + b"\x00" * 5).decode(),  # truncated after the iv length
        pack_frame(b"\x00" * 4, b"", b"x", b"\x00" * 16),  # iv shorter than GCM allows
        pack_frame(b"\x00" * 12, b"", b"", b"\x00" * 16),  # empty cipher text
    ],
)
def test_malformed_frames_are_refused(header: str) -> None:
    assert refusal(header) is RefusalReason.MALFORMED


def test_lengths_that_do_not_add_up_are_malformed() -> None:
    iv, cipher_text, tag = encrypt_parts(json.dumps(context_claims(now=NOW)).encode(), SECRET)
    good = base64.b64decode(pack_frame(iv, b"", cipher_text, tag))
    assert refusal(base64.b64encode(good[:-1]).decode()) is RefusalReason.MALFORMED  # short tag
    assert refusal(base64.b64encode(good + b"\x00").decode()) is RefusalReason.MALFORMED  # trailing byte
    lying = bytearray(good)
    struct.pack_into("<I", lying, 1 + len(iv) + 2, len(cipher_text) + 100)
    assert refusal(base64.b64encode(bytes(lying)).decode()) is RefusalReason.MALFORMED


def test_oversized_header_is_refused_before_decoding() -> None:
    assert refusal("A" * (MAX_HEADER_CHARS + 1)) is RefusalReason.MALFORMED


def test_wrong_secret_or_tampering_is_undecryptable() -> None:
    header = encrypt_context(context_claims(now=NOW), "another-apps-secret")
    assert refusal(header) is RefusalReason.UNDECRYPTABLE
    iv, cipher_text, tag = encrypt_parts(json.dumps(context_claims(now=NOW)).encode(), SECRET, aad=b"a")
    flipped = bytes([cipher_text[0] ^ 1]) + cipher_text[1:]
    assert refusal(pack_frame(iv, b"a", flipped, tag)) is RefusalReason.UNDECRYPTABLE
    assert refusal(pack_frame(iv, b"b", cipher_text, tag)) is RefusalReason.UNDECRYPTABLE  # other aad


@pytest.mark.parametrize(
    "plaintext",
    [
        b"not json",
        b"\xff\xfe",
        b"[1, 2]",
        json.dumps({"typ": "meeting", "uid": "u", "mid": MEETING}).encode(),  # no ts
        json.dumps({"typ": "meeting", "uid": "u", "mid": MEETING, "ts": "yesterday"}).encode(),
        json.dumps({"typ": "meeting", "mid": MEETING, "ts": 1}).encode(),  # no uid
        json.dumps({"typ": "meeting", "uid": 7, "mid": MEETING, "ts": 1}).encode(),
    ],
)
def test_decryptable_but_unusable_claims_are_malformed(plaintext: bytes) -> None:
    assert refusal(encrypt_context(plaintext, SECRET)) is RefusalReason.MALFORMED


def test_stale_and_future_contexts_are_refused() -> None:
    assert refusal(encrypt_context(context_claims(now=NOW - timedelta(minutes=5, seconds=1)), SECRET)) is (
        RefusalReason.STALE
    )
    assert (
        refusal(encrypt_context(context_claims(now=NOW + timedelta(minutes=5)), SECRET))
        is RefusalReason.STALE
    )
    expired = context_claims(now=NOW, exp=int((NOW - timedelta(seconds=1)).timestamp() * 1000))
    assert refusal(encrypt_context(expired, SECRET)) is RefusalReason.STALE


def test_max_age_is_configurable() -> None:
    header = encrypt_context(context_claims(now=NOW - timedelta(minutes=8)), SECRET)
    assert verify(header, max_age=timedelta(minutes=10)).uid == "host-user-1"
    assert refusal(header) is RefusalReason.STALE


def test_contexts_outside_a_meeting_are_refused() -> None:
    assert refusal(encrypt_context(context_claims(now=NOW, typ="panel", mid=None), SECRET)) is (
        RefusalReason.NOT_IN_MEETING
    )
    assert refusal(encrypt_context(context_claims(now=NOW, mid=None), SECRET)) is RefusalReason.NOT_IN_MEETING


def test_a_meeting_the_store_does_not_know_is_refused() -> None:
    header = encrypt_context(context_claims(now=NOW, mid="some-other-meeting=="), SECRET)
    assert refusal(header) is RefusalReason.UNKNOWN_MEETING


def test_a_context_for_another_app_is_refused() -> None:
    assert (
        refusal(encrypt_context(context_claims(now=NOW, aud="other-client"), SECRET))
        is RefusalReason.WRONG_APP
    )
    assert (
        refusal(encrypt_context(context_claims(now=NOW, iss="evil.example"), SECRET))
        is RefusalReason.WRONG_APP
    )


def test_only_the_host_or_allowed_users_get_through() -> None:
    context = verify(encrypt_context(context_claims(now=NOW, uid="moderator-7"), SECRET))
    require_allowed_user(context, host_user_ids={"host-user-1"}, allowed_user_ids={"moderator-7"})
    with pytest.raises(AppContextRefused) as caught:
        require_allowed_user(context, host_user_ids={"host-user-1"})
    assert caught.value.reason is RefusalReason.NOT_ALLOWED


def test_every_refusal_has_a_german_and_an_english_message() -> None:
    for reason in RefusalReason:
        error = AppContextRefused(reason)
        with i18n.language("de"):
            german = error.message()
        with i18n.language("en"):
            english = error.message()
        assert german and english and german != english


def test_refusals_never_carry_the_header_or_the_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    header = encrypt_context(context_claims(now=NOW - timedelta(hours=1)), SECRET)
    with pytest.raises(AppContextRefused) as caught:
        verify(header)
    shown = f"{caught.value!s} {caught.value!r} {caught.value.message()} {caplog.text}"
    assert header not in shown and SECRET not in shown
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_decrypt_without_a_configured_secret_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="client secret is not configured"):
        decrypt_app_context(encrypt_context(context_claims(now=NOW), SECRET), "")
