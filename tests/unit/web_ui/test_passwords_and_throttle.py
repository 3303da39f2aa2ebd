"""Password hashing (argon2id), strength rules, login throttling, safe redirects, cookie flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from orchestrator.errors import BadInput
from orchestrator.settings import Settings
from orchestrator.web.ui.install import cookie_secure, session_secret
from orchestrator.web.ui.passwords import hash_password, needs_rehash, verify_password
from orchestrator.web.ui.routes_auth import safe_next
from orchestrator.web.ui.throttle import LoginThrottle

T0 = datetime(2025, 8, 27, 8, 0, tzinfo=UTC)


def test_hash_is_argon2id_salted_and_verifies() -> None:
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first.startswith("$argon2id$") and first != second  # random salt
    assert "correct horse" not in first
    assert verify_password(first, "correct horse battery")
    assert not verify_password(first, "correct horse batterx")
    assert not verify_password(None, "correct horse battery")  # unknown user
    assert not verify_password("not a hash", "correct horse battery")
    assert not needs_rehash(first)


def test_password_strength() -> None:
    with pytest.raises(BadInput, match="at least 10 characters"):
        hash_password("short")
    with pytest.raises(BadInput, match="at most 1024"):
        hash_password("x" * 1025)


def test_throttle_blocks_after_the_limit_within_the_window() -> None:
    throttle = LoginThrottle(limit=3, window=timedelta(minutes=15))
    for minute in range(3):
        assert not throttle.blocked("a@example.org", T0 + timedelta(minutes=minute))
        throttle.failed("a@example.org", T0 + timedelta(minutes=minute))
    assert throttle.blocked("a@example.org", T0 + timedelta(minutes=3))
    assert not throttle.blocked("b@example.org", T0 + timedelta(minutes=3))
    assert not throttle.blocked("a@example.org", T0 + timedelta(minutes=15, seconds=1))  # first one expired
    throttle.succeeded("a@example.org")
    assert not throttle.blocked("a@example.org", T0 + timedelta(minutes=4))


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/events/x", "/events/x"),
        ("/events/x?round=2", "/events/x?round=2"),
        ("https://evil.example", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_after_login_only_local_paths(target: object, expected: str) -> None:
    assert safe_next(target) == expected


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_cookie_secure_by_default_except_on_loopback() -> None:
    assert cookie_secure(_settings(http_host="0.0.0.0")) is True
    assert cookie_secure(_settings(http_host="127.0.0.1")) is False
    assert cookie_secure(_settings(http_host="localhost")) is False
    assert cookie_secure(_settings(http_host="127.0.0.1", public_url="https://fachtag.example.org")) is True
    assert cookie_secure(_settings(http_host="0.0.0.0", session_cookie_secure="false")) is False
    assert cookie_secure(_settings(http_host="127.0.0.1", session_cookie_secure="true")) is True


def test_session_secret_from_settings_or_random() -> None:
    assert session_secret(_settings(session_secret=SecretStr("s" * 40))) == "s" * 40
    first, second = session_secret(_settings()), session_secret(_settings())
    assert len(first) >= 48 and first != second
