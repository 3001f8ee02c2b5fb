"""The one place secrets are hashed: passwords and second-factor recovery codes, with Argon2id.

Parameters come from argon2-cffi's named profiles (RFC 9106 §4), chosen by the setting
`ARGON2_PROFILE`:

- ``RFC_9106_LOW_MEMORY`` (the default, OWASP ASVS 4.0.3 §2.4.1): Argon2id, t=3, m=64 MiB,
  p=4, for passwords. Recovery codes carry 49 random bits (portal/two_factor/services.py), so
  they cannot be guessed from a list and a light cost suffices: t=1, m=8 MiB, p=1.
- ``CHEAPEST``: the lowest parameters argon2 accepts, for both. The test settings use it so
  that each of the suite's hundreds of sign-ins does not spend 0.1-0.3 s of CPU; the hashes
  are still real Argon2id and verified the same way.

A hash made with other parameters still verifies; `needs_rehash` says when a sign-in should
store it again with the current ones.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

#: Used for recovery codes unless the profile is CHEAPEST.
_RECOVERY_CODE = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


@cache
def _hashers(profile: str) -> tuple[PasswordHasher, PasswordHasher, str]:
    """(password hasher, recovery-code hasher, a dummy password hash) for a profile name.

    Raises AttributeError for a name argon2.profiles does not have (a wrong setting)."""
    password = PasswordHasher.from_parameters(getattr(profiles, profile))
    recovery = password if profile == "CHEAPEST" else _RECOVERY_CODE
    return password, recovery, password.hash("ventanilla-dummy-password")


def _current() -> tuple[PasswordHasher, PasswordHasher, str]:
    return _hashers(current_app.config.get("ARGON2_PROFILE", "RFC_9106_LOW_MEMORY"))


def hash_password(password: str) -> str:
    """The Argon2id hash (PHC string, ``$argon2id$...``) of a password."""
    return _current()[0].hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether `password` matches `stored`. With no stored hash (unknown account) a dummy one
    is checked instead, so both answers cost the same time (ASVS §2.2.1, no enumeration)."""
    hasher, _recovery, dummy = _current()
    try:
        hasher.verify(stored or dummy, password)
    except (VerificationError, InvalidHashError):
        return False
    return stored is not None


def needs_rehash(stored: str) -> bool:
    """Whether a password hash was made with other parameters than the current ones."""
    return _current()[0].check_needs_rehash(stored)


def hash_recovery_code(code: str) -> str:
    """The Argon2id hash of a normalised second-factor recovery code."""
    return _current()[1].hash(code)


def verify_recovery_code(stored: str, code: str) -> bool:
    """Whether a normalised recovery code matches its stored hash."""
    try:
        return _current()[1].verify(stored, code)
    except (VerificationError, InvalidHashError):
        return False
