"""The web side of server-side sessions: what the signed cookie holds and how it is checked.

Flask's cookie keeps `_user_id` (Flask-Login) and `sid`, the random id of a `user_sessions`
row. Flask-Login's user loader (`load_user`) accepts the cookie only while that row lives, so a
copied cookie dies at logout and a re-signed old one is refused. Flask-Login's remember-me
cookie is never set, and a forged one still passes through `load_user`, which has no `sid`
then and refuses it. The cookie is `Secure` whenever the request came over HTTPS.
"""

from __future__ import annotations

from flask import flash, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from portal.accounts.models import User
from portal.sessions import services as sessions

SESSION_KEY = "sid"
KEEP = ("locale",)  # what survives signing in and out
ENDED_MESSAGES = {
    "idle": _l("Su sesión se cerró por inactividad. Entre de nuevo para continuar."),
    "absolute": _l("Su sesión llegó a su duración máxima. Entre de nuevo para continuar."),
    "revoked": _l("Esta sesión fue cerrada desde otro dispositivo. Entre de nuevo."),
    "password_changed": _l("Su contraseña cambió y cerramos esta sesión. Entre de nuevo."),
}


class SecureWhenHttpsSessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie `Secure` on HTTPS requests (direct or via a trusted proxy)."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or (request and request.is_secure))


def _reset_cookie() -> None:
    kept = {key: session[key] for key in KEEP if key in session}
    session.clear()
    session.update(kept)


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user of a live session, else None (signed out)."""
    try:
        wanted = int(user_id)
    except (TypeError, ValueError):
        return None
    user, ended = sessions.resume(
        token=session.get(SESSION_KEY), user_id=wanted, ip=request.remote_addr
    )
    if user is None:
        _reset_cookie()
        if ended in ENDED_MESSAGES:
            flash(str(ENDED_MESSAGES[ended]), "info")
    return user


def check_early() -> None:
    """Before each request: settle who is signed in before any view logic runs, so the loader's
    own small commit (activity, expiry) never meets a view's unfinished work."""
    if request.endpoint != "static":
        _ = current_user.is_authenticated


def start(user: User, token: str) -> None:
    """Sign `user` in with a fresh cookie that carries the new session id (no fixation)."""
    _reset_cookie()
    session[SESSION_KEY] = token
    login_user(user, remember=False)


def describe(row, *, current: bool) -> dict:
    """What the sessions page shows of one session: device, local times, address."""
    from ua_parser import parse

    parsed = parse(row.user_agent or "")
    parts = [
        parsed.user_agent.family if parsed.user_agent else None,
        parsed.os.family if parsed.os else None,
        parsed.device.family if parsed.device and parsed.device.family != "Other" else None,
    ]
    device = " · ".join(p for p in parts if p) or str(_l("Dispositivo desconocido"))
    return {
        "id": row.id,
        "device": device,
        "started": format_datetime(row.created_at, "dd/MM/yyyy HH:mm"),
        "last_seen": format_datetime(row.last_seen_at, "dd/MM/yyyy HH:mm"),
        "ip": row.ip,
        "current": current,
    }


def current_token() -> str | None:
    return session.get(SESSION_KEY)


def finish() -> None:
    """Forget the session in this browser (the server side is ended by the service)."""
    logout_user()
    _reset_cookie()
