"""Signed, expiring links for e-mail (itsdangerous): password reset and e-mail confirmation.

A reset link carries the user's `security_stamp`, which changes when the password does, so it
works once and dies with any later password change. Both expire (`max_age`, seconds).
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

RESET_MAX_AGE = 3600  # one hour (ASVS 2.5.x: short-lived, single use)
CONFIRM_MAX_AGE = 48 * 3600
# A new staff member's first link (the admin console): a reset link that lasts three days.
WELCOME_MAX_AGE = 72 * 3600


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"ventanilla-{purpose}")


def make(purpose: str, user_id: int, stamp: str) -> str:
    """Sign (user id, stamp) for one purpose ("reset", "welcome" or "confirm")."""
    return _serializer(purpose).dumps({"u": user_id, "s": stamp})


def read(purpose: str, token: str, max_age: int) -> tuple[int, str] | None:
    """Return (user id, stamp) of a valid, unexpired token of that purpose, else None."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    return data["u"], str(data.get("s"))
