"""Sign-up, sign-in, passwords and staff accounts, with Argon2 hashes and an audit trail."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from portal.accounts import passwords, tokens
from portal.accounts.hashing import hash_password, needs_rehash, verify_password
from portal.accounts.models import ROLES, AuditEvent, User, UserRole, new_security_stamp
from portal.authorities.services import get_authority
from portal.errors import InvalidInput
from portal.extensions import db, utcnow
from portal.jobs.services import enqueue
from portal.sessions import services as sessions


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


def _check_password(password: str, *personal: str) -> None:
    """Apply the one password policy (portal.accounts.passwords); raise InvalidInput."""
    found = passwords.problem(password, personal=tuple(p for p in personal if p))
    if found is not None:
        code, params = found
        raise InvalidInput(code, field="password", **params)


def _new_user(
    email: str, password: str, full_name: str, role: str, authority_id, *, confirmed: bool = True
) -> User:
    if get_user_by_email(email) is not None:
        raise InvalidInput("email_taken", field="email")
    _check_password(password, email, full_name)
    user = User(
        email=normalize_email(email),
        password_hash=hash_password(password),
        full_name=full_name.strip(),
        role=role,
        authority_id=authority_id,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def register_applicant(*, email: str, password: str, full_name: str, ip: str | None) -> User:
    """Create a confirmed applicant account (operators, walk-in desks, tests)."""
    user = _new_user(email, password, full_name, "applicant", None)
    audit("account.registered", actor=user, subject=user.email, ip=ip)
    db.session.commit()
    return user


def sign_up(*, email: str, password: str, full_name: str, ip: str | None) -> None:
    """Public sign-up that never tells whether an address has an account (ASVS 2.2, 3.2).

    A new address gets an unconfirmed account and a confirmation link; a registered one gets a
    notice to its owner instead. Either way the caller shows "revise su correo". Raises
    InvalidInput only for the password policy, which does not depend on the address.
    """
    _check_password(password, email, full_name)
    existing = get_user_by_email(email)
    if existing is not None:
        hash_password(password)  # the same Argon2 cost as a new account: timing tells nothing
        audit("account.signup_existing", actor=None, subject=existing.email, ip=ip)
        _account_mail("signup_existing", existing.id)
    else:
        user = _new_user(email, password, full_name, "applicant", None, confirmed=False)
        audit("account.registered", actor=user, subject=user.email, ip=ip)
        _account_mail("confirm", user.id)
    db.session.commit()


def get_confirmation_user(token: str) -> User | None:
    """Return the account a sign-up link names, or None when the link is bad or expired."""
    found = tokens.read("confirm", token, tokens.CONFIRM_MAX_AGE)
    user = db.session.get(User, found[0]) if found else None
    return user if user is not None and user.email == found[1] else None


def confirm_email(*, token: str, ip: str | None) -> User | None:
    """Confirm the address of the account a sign-up link names; None when the link is bad."""
    user = get_confirmation_user(token)
    if user is None:
        db.session.rollback()
        return None
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        audit("account.email_confirmed", actor=user, subject=user.email, ip=ip)
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
    user.role_rows.append(UserRole(role=role))
    audit(
        "account.staff_created",
        actor=actor,
        subject=user.email,
        role=role,
        authority=authority_code,
    )
    db.session.commit()
    return user


def _verify(user: User | None, password: str) -> bool:
    return verify_password(user.password_hash if user else None, password)


def sign_in(
    *, email: str, password: str, ip: str | None, user_agent: str | None
) -> tuple[User, str] | None:
    """Check the password and start a new server-side session; return (user, session id).

    None when the address is unknown, the password wrong, or the account inactive or not yet
    confirmed (one answer for all, so nothing about the account leaks). Audited either way.
    """
    user = get_user_by_email(email)
    ok = _verify(user, password) and user.active and user.email_confirmed_at is not None
    if not ok:
        audit("account.login_failed", actor=None, subject=normalize_email(email)[:200], ip=ip)
        db.session.commit()
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    token = sessions.begin(user, ip=ip, user_agent=user_agent)
    audit("account.login", actor=user, subject=user.email, ip=ip)
    db.session.commit()
    return user, token


def record_throttled(*, email: str, ip: str | None, scope: str) -> None:
    """Audit a sign-in refused by the failed-attempt limit (per account or per address)."""
    audit(
        "account.login_throttled",
        actor=None,
        subject=normalize_email(email)[:200],
        ip=ip,
        scope=scope,
    )
    db.session.commit()


def sign_out(*, actor: User, session_token: str | None, ip: str | None) -> None:
    """End the current session on the server (logout) and audit it."""
    row = sessions.find(session_token)
    if row is not None:
        sessions.end_row(row, "logout", ip=ip, actor=actor)
    audit("account.logout", actor=actor, subject=actor.email, ip=ip)
    db.session.commit()


def _set_password(user: User, password: str) -> None:
    _check_password(password, user.email, user.full_name)
    user.password_hash = hash_password(password)
    user.security_stamp = new_security_stamp()


def change_password(
    *,
    actor: User,
    current_password: str,
    new_password: str,
    session_token: str | None,
    ip: str | None,
    user_agent: str | None,
) -> str:
    """Change the actor's password, end all their sessions and return a new session id.

    Raises InvalidInput(field="current_password") when the current password is wrong, or the
    policy's codes (field="password").
    """
    if not _verify(actor, current_password):
        raise InvalidInput("current_password_wrong", field="current_password")
    _set_password(actor, new_password)
    current = sessions.find(session_token)
    sessions.end_others_rows(actor, keep=None, reason="password_changed", ip=ip)
    token = sessions.begin(
        actor,
        ip=ip,
        user_agent=user_agent,
        second_factor=current.second_factor if current is not None else None,
    )
    audit("account.password_changed", actor=actor, subject=actor.email, ip=ip)
    _account_mail("password_changed", actor.id)
    db.session.commit()
    return token


def request_password_reset(*, email: str, ip: str | None) -> None:
    """E-mail a reset link when the address has an active account; silent otherwise."""
    user = get_user_by_email(email)
    audit(
        "account.password_reset_requested",
        actor=None,
        subject=normalize_email(email)[:200],
        ip=ip,
        known=user is not None,
    )
    if user is not None and user.active:
        _account_mail("reset", user.id)
    db.session.commit()


def user_for_reset(token: str, *, lock: bool = False) -> User | None:
    """The account a reset link is for, while the link is valid and unused; else None."""
    found = tokens.read("reset", token, tokens.RESET_MAX_AGE) or tokens.read(
        "welcome", token, tokens.WELCOME_MAX_AGE
    )
    user = db.session.get(User, found[0], with_for_update=lock) if found else None
    if user is None or not user.active or user.security_stamp != found[1]:
        return None
    return user


def reset_password(*, token: str, new_password: str, ip: str | None) -> User | None:
    """Set a new password from a reset link (once), ending every session; None if bad link.

    Also confirms the address (the link reached it). Raises the policy's InvalidInput codes.
    """
    user = user_for_reset(token, lock=True)  # two clicks at once: the second sees the new stamp
    if user is None:
        db.session.rollback()
        return None
    _set_password(user, new_password)
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    sessions.end_others_rows(user, keep=None, reason="password_changed", ip=ip)
    audit("account.password_reset", actor=user, subject=user.email, ip=ip)
    _account_mail("password_changed", user.id)
    db.session.commit()
    return user


def set_locale(*, actor: User, locale: str) -> None:
    """Remember the language a person chose, for what the portal sends them later."""
    if actor.locale != locale:
        actor.locale = locale
        db.session.commit()


def _account_mail(kind: str, user_id: int) -> None:
    """Queue one account e-mail; its `key` lets a retried job see that it was already sent."""
    enqueue("account_mail", kind=kind, user_id=user_id, key=secrets.token_hex(8))
