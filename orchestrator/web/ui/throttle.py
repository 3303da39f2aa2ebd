"""Slowing down password guessing with a growing delay per account and per client address.

Counts live in the store (table ``login_attempt``), so a restart forgets nothing and every process
shares them. Each attempt is counted *before* the password is checked, by one conditional UPDATE
that also refuses while the key's delay runs: of many parallel attempts only those that find no
delay running are checked. The first few failures are free; after them each failure doubles the
wait before the next attempt (1 s, 2 s, 4 s … at most 15 minutes). There is no hard lockout: the
right password works as soon as the short wait is over, and a success resets the account's count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from orchestrator.db.models import LoginAttempt
from orchestrator.web.inbox import write_lock


@dataclass(frozen=True)
class ThrottlePolicy:
    """``free`` failures without delay, then ``first_delay`` doubling up to ``max_delay``."""

    free: int
    first_delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = timedelta(minutes=15)
    # A key whose last attempt is older than this starts counting from zero again.
    forget_after: timedelta = timedelta(hours=24)

    def delay(self, failures: int) -> timedelta:
        """The wait after ``failures`` consecutive failures."""
        over = failures - self.free
        if over <= 0:
            return timedelta(0)
        exponent = min(over - 1, 30)  # 2**30 s is far beyond any cap
        delay: timedelta = min(self.first_delay * (2**exponent), self.max_delay)
        return delay


# One account: 3 free attempts. One address (maybe a whole office behind NAT): 20.
ACCOUNT_POLICY = ThrottlePolicy(free=3)
ADDRESS_POLICY = ThrottlePolicy(free=20)


def account_key(email: str) -> str:
    return f"account:{email}"[:400]


def address_key(address: str) -> str:
    return f"address:{address}"[:400]


@dataclass(frozen=True)
class Refused:
    """The attempt was not checked: wait ``seconds`` first."""

    seconds: int


class LoginThrottle:
    """Claims and settles login attempts against the ``login_attempt`` table."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        account: ThrottlePolicy = ACCOUNT_POLICY,
        address: ThrottlePolicy = ADDRESS_POLICY,
    ) -> None:
        self.sessions = sessions
        self.account = account
        self.address = address

    def claim(self, email: str, address: str, now: datetime) -> Refused | None:
        """Count one attempt for the account and the address, counted as failed until :meth:`succeeded`.

        ``Refused`` (nothing counted) while a delay of either key runs; ``None``: go ahead and check.
        """
        keys = [(address_key(address), self.address), (account_key(email), self.account)]
        with write_lock(self.sessions), self.sessions() as db:
            for key, policy in keys:
                wait = _claim_one(db, key, policy, now)
                if wait is not None:
                    db.rollback()  # the claim of the other key is not counted either
                    return Refused(wait)
            db.commit()
        return None

    def succeeded(self, email: str, address: str, now: datetime) -> None:
        """The password was right: forget the account's failures; the address's claim is taken back."""
        with write_lock(self.sessions), self.sessions() as db:
            db.execute(delete(LoginAttempt).where(LoginAttempt.key == account_key(email)))
            db.execute(
                update(LoginAttempt)
                .where(LoginAttempt.key == address_key(address), LoginAttempt.failures > 0)
                .values(failures=LoginAttempt.failures - 1)
            )
            # Opportunistic clean-up of keys nobody used for a long time.
            db.execute(
                delete(LoginAttempt).where(
                    LoginAttempt.last_attempt_at
                    < now - max(self.account.forget_after, self.address.forget_after)
                )
            )
            db.commit()


def _claim_one(db: Session, key: str, policy: ThrottlePolicy, now: datetime) -> int | None:
    """Count one attempt for ``key`` unless its delay runs; returns the seconds to wait when refused."""
    for _attempt in range(3):
        stale = LoginAttempt.last_attempt_at < now - policy.forget_after
        # The WHERE makes counting and refusing one atomic step: a parallel attempt either sees the
        # delay this one sets, or waits for this row's lock and then sees it.
        result = db.execute(
            update(LoginAttempt)
            .where(LoginAttempt.key == key)
            .where((LoginAttempt.not_before.is_(None)) | (LoginAttempt.not_before <= now) | stale)
            .values(failures=case((stale, 1), else_=LoginAttempt.failures + 1), last_attempt_at=now)
            .returning(LoginAttempt.failures)
        )
        failures = result.scalar_one_or_none()
        if failures is not None:
            _set_delay(db, key, now + policy.delay(failures))
            return None
        not_before = db.scalar(select(LoginAttempt.not_before).where(LoginAttempt.key == key))
        if not_before is not None:
            return max(1, math.ceil((not_before - now).total_seconds()))
        try:
            with db.begin_nested():
                db.add(
                    LoginAttempt(key=key, failures=1, last_attempt_at=now, not_before=now + policy.delay(1))
                )
            return None
        except IntegrityError:
            continue  # a parallel attempt created the row first: count against it
    return 1


def _set_delay(db: Session, key: str, not_before: datetime) -> None:
    db.execute(update(LoginAttempt).where(LoginAttempt.key == key).values(not_before=not_before))
