"""Device cookies: a browser where an account signed in before is not held by that account's
failed-attempt limit, so guessing from elsewhere cannot lock a clerk out of their own desk.

OWASP's "Slow down online guessing attacks with device cookies": after a successful sign-in
the browser gets a signed cookie naming the account (by hash) and a random device id. A sign-in
from such a browser for that account is counted per device instead of per account; everyone
else shares the per-account limit. The cookie holds no session and signs nobody in.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "ventanilla_dispositivo"
MAX_AGE = 365 * 24 * 3600
MAX_ACCOUNTS = 5  # a shared office computer: a few clerks


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="ventanilla-device")


def account_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _read() -> dict:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return {}
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("d"), str):
        return {}
    accounts = data.get("a")
    return {"d": data["d"], "a": accounts if isinstance(accounts, list) else []}


def trusted_for(email: str) -> str | None:
    """The device id when this browser signed in to `email`'s account before, else None."""
    data = _read()
    if email and data and account_hash(email) in data["a"]:
        return data["d"]
    return None


def remember(response, email: str):
    """Add the account to this browser's device cookie (after a successful sign-in)."""
    data = _read() or {"d": secrets.token_urlsafe(16), "a": []}
    accounts = [a for a in data["a"] if a != account_hash(email)] + [account_hash(email)]
    value = _serializer().dumps({"d": data["d"], "a": accounts[-MAX_ACCOUNTS:]})
    response.set_cookie(
        COOKIE,
        value,
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"] or request.is_secure,
    )
    return response
