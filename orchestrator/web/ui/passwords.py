"""Password hashing with argon2id (argon2-cffi); hashes are PHC strings that carry their parameters."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from orchestrator.errors import BadInput
from orchestrator.i18n import _

MIN_LENGTH = 10
MAX_LENGTH = 1024  # argon2 copes with more, but nobody types that: refuse absurd inputs early

_hasher = PasswordHasher()
# Compared against when the e-mail is unknown, so a login takes equally long either way.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def check_strength(password: str) -> None:
    """Refuse passwords that are too short or too long (``BadInput``)."""
    if len(password) < MIN_LENGTH:
        raise BadInput(_("The password needs at least {count} characters.", count=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise BadInput(_("The password may have at most {count} characters.", count=MAX_LENGTH))


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (after :func:`check_strength`)."""
    check_strength(password)
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (``None``: an unknown user; still takes the time)."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash uses weaker parameters than today's defaults (rehash at the next login)."""
    return _hasher.check_needs_rehash(stored_hash)
