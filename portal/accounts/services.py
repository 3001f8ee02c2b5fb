"""Sign-up, sign-in and staff accounts, with Argon2 password hashes and an audit trail."""

from __future__ import annotations

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portal.accounts.models import ROLES, AuditEvent, User
from portal.authorities.services import get_authority
from portal.errors import InvalidInput
from portal.extensions import db, utcnow

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("ventanilla-dummy-password")
MIN_PASSWORD_LENGTH = 10


def normalize_email(email: str) -> str:
    return email.strip().lower()


def audit(
    action: str,
    *,
    actor: User | None,
    subject: str | None = None,
    ip: str | None = None,
    **detail: object,
) -> None:
    """Record an audit event in the current transaction (flush only)."""
    db.session.add(
        AuditEvent(
            action=action,
            actor_id=actor.id if actor else None,
            subject=subject,
            ip=ip,
            detail=dict(detail),
        )
    )
    db.session.flush()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("password_too_short", field="password", min=MIN_PASSWORD_LENGTH)


def _new_user(email: str, password: str, full_name: str, role: str, authority_id) -> User:
    if get_user_by_email(email) is not None:
        raise InvalidInput("email_taken", field="email")
    _check_password(password)
    user = User(
        email=normalize_email(email),
        password_hash=_hasher.hash(password),
        full_name=full_name.strip(),
        role=role,
        authority_id=authority_id,
    )
    db.session.add(user)
    db.session.flush()
    return user


def register_applicant(*, email: str, password: str, full_name: str, ip: str | None) -> User:
    """Create an applicant account."""
    user = _new_user(email, password, full_name, "applicant", None)
    audit("account.registered", actor=user, subject=user.email, ip=ip)
    db.session.commit()
    return user


def create_staff(
    *,
    email: str,
    password: str,
    role: str,
    authority_code: str,
    full_name: str | None = None,
    actor: User | None = None,
) -> User:
    """Create a staff account scoped to one authority (operators' CLI, later the admin console)."""
    if role not in ROLES or role == "applicant":
        raise InvalidInput("unknown_role", field="role", role=role)
    authority = get_authority(authority_code)
    if authority is None:
        raise InvalidInput("unknown_authority", field="authority", authority=authority_code)
    user = _new_user(email, password, full_name or email.split("@")[0], role, authority.id)
    audit(
        "account.staff_created",
        actor=actor,
        subject=user.email,
        role=role,
        authority=authority_code,
    )
    db.session.commit()
    return user


def authenticate(*, email: str, password: str, ip: str | None) -> User | None:
    """Return the user when the password matches, recording the attempt either way."""
    user = get_user_by_email(email)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        ok = user is not None and user.active
    except (VerificationError, InvalidHashError):
        ok = False
    if ok:
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        user.last_login_at = utcnow()
        audit("account.login", actor=user, subject=user.email, ip=ip)
    else:
        audit("account.login_failed", actor=None, subject=normalize_email(email), ip=ip)
    db.session.commit()
    return user if ok else None


def record_logout(*, actor: User, ip: str | None) -> None:
    audit("account.logout", actor=actor, subject=actor.email, ip=ip)
    db.session.commit()


def set_locale(*, actor: User, locale: str) -> None:
    """Remember the language a person chose, for what the portal sends them later."""
    if actor.locale != locale:
        actor.locale = locale
        db.session.commit()
