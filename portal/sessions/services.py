"""Start, resume and end server-side sessions (OWASP ASVS 4.0.3 §3.2, §3.3, §3.7).

The signed Flask cookie carries only a random id (256 bits); the `user_sessions` row decides
whether it is alive. So logging out, an idle or absolute limit, a password change or "cerrar
las demás sesiones" end a session on the server, and a copied or re-signed cookie stops
working at once. Works the same on SQLite and PostgreSQL, with or without Redis.

Limits (config, minutes): staff 30 idle / 720 absolute; applicants 120 idle / 10080 (7 days)
absolute. `last_seen_at` is written at most once a minute, so idleness is measured to the minute.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy.orm import joinedload

from portal.accounts.models import AuditEvent, User
from portal.extensions import db, utcnow
from portal.sessions.models import UserSession

TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def limits_for(user: User) -> tuple[timedelta, timedelta]:
    """Return (idle, absolute) limits of the user's sessions, from the config, by role."""
    kind = "STAFF" if user.is_staff else "APPLICANT"
    config = current_app.config
    return (
        timedelta(minutes=config[f"SESSION_IDLE_MINUTES_{kind}"]),
        timedelta(minutes=config[f"SESSION_MAX_MINUTES_{kind}"]),
    )


def _audit_end(row: UserSession, reason: str, ip: str | None, actor: User | None) -> None:
    db.session.add(
        AuditEvent(
            action="account.session_ended",
            actor_id=(actor or row.user).id,
            subject=row.user.email,
            ip=ip,
            detail={"reason": reason, "session": row.id},
        )
    )


def end_row(row: UserSession, reason: str, *, ip: str | None, actor: User | None = None) -> None:
    """Mark one session ended and audit it (flush only; the caller commits)."""
    if row.ended_at is None:
        row.ended_at, row.ended_reason = utcnow(), reason
        _audit_end(row, reason, ip, actor)
        db.session.flush()


def begin(
    user: User, *, ip: str | None, user_agent: str | None, second_factor: str | None = None
) -> str:
    """Add a new session for `user` and return its random id for the cookie (flush only).

    `second_factor` carries how a session it replaces passed the second step (a password
    change in the same browser); a sign-in starts without it.
    """
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        UserSession(
            user_id=user.id,
            token_hash=_hash(token),
            created_at=now,
            last_seen_at=now,
            ip=ip,
            user_agent=(user_agent or "")[:300] or None,
            second_factor=second_factor,
        )
    )
    db.session.flush()
    return token


def find(token: str | None) -> UserSession | None:
    """The session row of a cookie's id, alive or not; None for an unknown id.

    Within a request the row is read once and kept (the user loader and the second-factor
    check both ask for it on every staff page); it is read again only when it left the
    database session.
    """
    if not token:
        return None
    memo = getattr(request, "user_session_rows", None) if has_request_context() else None
    row = memo.get(token) if memo is not None else None
    if row is not None and row in db.session:
        return row
    user = joinedload(UserSession.user)
    row = (
        db.session.execute(
            sa.select(UserSession)
            .where(UserSession.token_hash == _hash(token))
            # The user, their roles and a staff member's office come in the same statement:
            # every signed-in page reads the user, and every staff page the roles and the
            # office (its calendar, its scope).
            .options(user.joinedload(User.authority), user.joinedload(User.role_rows))
        )
        .unique()
        .scalar_one_or_none()
    )
    if row is not None and has_request_context():
        if memo is None:
            memo = request.user_session_rows = {}
        memo[token] = row
    return row


def _expiry_reason(row: UserSession, now: datetime) -> str | None:
    idle, absolute = limits_for(row.user)
    if now - row.created_at >= absolute:
        return "absolute"
    if now - row.last_seen_at >= idle:
        return "idle"
    return None


def resume(*, token: str | None, user_id: int, ip: str | None) -> tuple[User | None, str | None]:
    """Return (user, None) while the cookie's session lives, else (None, why it ended).

    Called on every request by Flask-Login's user loader. Ends the session when a limit is
    passed (audited), and refreshes `last_seen_at` at most once a minute. Commits when it
    writes. `why` is None for an unknown or foreign id, else the stored reason.
    """
    row = find(token)
    if row is None or row.user_id != user_id or not row.user.active:
        return None, None
    if row.ended_at is not None:
        return None, row.ended_reason
    now = utcnow()
    reason = _expiry_reason(row, now)
    if reason is not None:
        end_row(row, reason, ip=ip)
        db.session.commit()
        return None, reason
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    return row.user, None


def end(*, token: str | None, reason: str, ip: str | None) -> None:
    """End the cookie's session (logout)."""
    row = find(token)
    if row is not None:
        end_row(row, reason, ip=ip)
    db.session.commit()


def active_sessions(user: User) -> list[UserSession]:
    """The user's sessions that are still alive, most recent first (for the sessions page)."""
    now = utcnow()
    rows = db.session.scalars(
        sa.select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).all()
    return [row for row in rows if _expiry_reason(row, now) is None]


def end_others_rows(user: User, *, keep: UserSession | None, reason: str, ip: str | None) -> int:
    """End every live session of `user` except `keep` (flush only); return how many."""
    rows = db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    ).all()
    ended = 0
    for row in rows:
        if keep is None or row.id != keep.id:
            end_row(row, reason, ip=ip, actor=user)
            ended += 1
    return ended


def end_others(*, actor: User, current_token: str | None, ip: str | None) -> int:
    """ "Cerrar las demás sesiones": end all the actor's sessions but this one; return how many."""
    ended = end_others_rows(actor, keep=find(current_token), reason="revoked", ip=ip)
    db.session.commit()
    return ended


def end_one(*, actor: User, session_id: int, ip: str | None) -> bool:
    """End one of the actor's own sessions by its row id; False when it is not theirs."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != actor.id:
        db.session.rollback()
        return False
    end_row(row, "revoked", ip=ip, actor=actor)
    db.session.commit()
    return True
