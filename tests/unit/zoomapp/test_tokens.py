"""Short-lived app tokens bound to the checked app context."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from orchestrator.web.zoomapp.tokens import (
    MAX_TOKEN_CHARS,
    AppTokenClaims,
    AppTokenRefused,
    TokenRefusal,
    issue_app_token,
    verify_app_token,
)

SECRET = "zoom-app-client-secret-for-tests"
NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def token(**overrides: object) -> str:
    options: dict[str, object] = {
        "event_id": 3,
        "meeting_uuid": "mtg-uuid-1==",
        "zoom_user_id": "host-user-1",
        "secret": SECRET,
        "now": NOW,
    }
    options.update(overrides)
    return issue_app_token(**options)  # type: ignore[arg-type]


def refusal(value: str | None, **overrides: object) -> TokenRefusal:
    options: dict[str, object] = {"secret": SECRET, "now": NOW}
    options.update(overrides)
    with pytest.raises(AppTokenRefused) as caught:
        verify_app_token(value, **options)  # type: ignore[arg-type]
    return caught.value.reason


def test_a_fresh_token_round_trips_its_binding() -> None:
    claims = verify_app_token(
        token(), secret=SECRET, now=NOW + timedelta(minutes=9), event_id=3, meeting_uuid="mtg-uuid-1=="
    )
    assert claims == AppTokenClaims(3, "mtg-uuid-1==", "host-user-1", NOW, NOW + timedelta(minutes=10))


def test_expired_token_is_refused() -> None:
    assert refusal(token(), now=NOW + timedelta(minutes=10)) is TokenRefusal.EXPIRED
    assert (
        refusal(token(lifetime=timedelta(seconds=30)), now=NOW + timedelta(seconds=31))
        is TokenRefusal.EXPIRED
    )


def test_token_from_the_future_is_refused() -> None:
    assert refusal(token(now=NOW + timedelta(minutes=5))) is TokenRefusal.EXPIRED


def test_other_event_or_meeting_is_refused() -> None:
    assert refusal(token(), event_id=4) is TokenRefusal.WRONG_MEETING
    assert refusal(token(), meeting_uuid="other==") is TokenRefusal.WRONG_MEETING


def test_missing_token_is_refused() -> None:
    assert refusal(None) is TokenRefusal.MISSING
    assert refusal("") is TokenRefusal.MISSING


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: t.replace("v1.", "v2.", 1),
        lambda t: "v1." + t.split(".")[2] + "." + t.split(".")[1],
        lambda t: t + ".extra",
        lambda t: "v1.!!!.???",
        lambda t: "ü" + t,
        lambda t: "v1." + "A" * MAX_TOKEN_CHARS,
    ],
)
def test_tampered_tokens_are_invalid(mangle) -> None:  # type: ignore[no-untyped-def]
    assert refusal(mangle(token())) is TokenRefusal.INVALID


def test_a_token_signed_with_another_secret_is_invalid() -> None:
    assert refusal(token(secret="another-secret")) is TokenRefusal.INVALID


def test_changing_the_payload_breaks_the_signature() -> None:
    import base64
    import json

    version, body, signature = token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["e"] = 99
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert refusal(f"{version}.{forged}.{signature}") is TokenRefusal.INVALID


def test_messages_are_translated() -> None:
    from orchestrator import i18n

    for reason in TokenRefusal:
        with i18n.language("de"):
            german = AppTokenRefused(reason).message()
        with i18n.language("en"):
            english = AppTokenRefused(reason).message()
        assert german and english and german != english
