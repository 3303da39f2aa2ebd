"""Password hashing (argon2id), strength rules, login throttling, safe redirects, cookie flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from orchestrator.db import migrate
from orchestrator.db.models import LoginAttempt
from orchestrator.db.session import make_engine, make_sessionmaker
from orchestrator.errors import BadInput
from orchestrator.settings import Settings
from orchestrator.web.ui.install import cookie_secure, session_secret
from orchestrator.web.ui.passwords import hash_password, needs_rehash, verify_password
from orchestrator.web.ui.routes_auth import safe_next
from orchestrator.web.ui.throttle import LoginThrottle, Refused, ThrottlePolicy

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


def test_throttle_delay_grows_and_is_capped() -> None:
    policy = ThrottlePolicy(free=3)
    delays = [policy.delay(n).total_seconds() for n in range(1, 10)]
    assert delays == [0, 0, 0, 1, 2, 4, 8, 16, 32]
    assert policy.delay(500) == timedelta(minutes=15)  # never a longer lockout


def test_throttle_counts_in_the_store_and_refuses_during_the_delay(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate.upgrade(url)
    sessions = make_sessionmaker(make_engine(url))
    throttle = LoginThrottle(sessions, account=ThrottlePolicy(free=2), address=ThrottlePolicy(free=10))
    assert throttle.claim("a@example.org", "10.0.0.1", T0) is None
    assert throttle.claim("a@example.org", "10.0.0.1", T0) is None
    assert throttle.claim("a@example.org", "10.0.0.1", T0) is None  # the third sets a 1 s delay
    assert throttle.claim("a@example.org", "10.0.0.1", T0) == Refused(1)
    assert throttle.claim("b@example.org", "10.0.0.1", T0) is None  # another account is not slowed
    # a new throttle on the same store (a restart) still knows the count
    again = LoginThrottle(sessions, account=ThrottlePolicy(free=2), address=ThrottlePolicy(free=10))
    assert again.claim("a@example.org", "10.0.0.1", T0 + timedelta(milliseconds=500)) == Refused(1)
    assert again.claim("a@example.org", "10.0.0.1", T0 + timedelta(seconds=1)) is None  # 4th: 2 s now
    assert again.claim("a@example.org", "10.0.0.1", T0 + timedelta(seconds=2)) == Refused(1)
    again.succeeded("a@example.org", "10.0.0.1", T0 + timedelta(seconds=2))
    assert again.claim("a@example.org", "10.0.0.1", T0 + timedelta(seconds=2)) is None
    with sessions() as db:
        rows = db.execute(select(LoginAttempt.key, LoginAttempt.failures))
        keys = {key: failures for key, failures in rows}
    assert keys == {"account:a@example.org": 1, "account:b@example.org": 1, "address:10.0.0.1": 5}


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
