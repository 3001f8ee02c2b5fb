"""Enrol, verify, recover, regenerate, disable and reset a person's second factor.

TOTP is RFC 6238 (HMAC-SHA1, 6 digits, 30-second steps) through pyotp, the codes every
authenticator app shows. A code is accepted within one step either side of now (RFC 6238 §5.2,
for clocks a little off) and only once: the step of the last accepted code is kept and no code
of that step or an earlier one passes again (§5.2, "MUST NOT accept the second attempt of the
same OTP"). Ten recovery codes, shown once, are kept as Argon2 hashes and each works once.

Supervisors and admins must have a second factor (`REQUIRED_ROLES`); clerks and inspectors may.
A session (`UserSession.second_factor`) records how it passed the second step, on the server:
ending the session (sign-out, limits, another device) ends the verification with it.

The secret is stored as given to the app (base32) and shown only while enrolment is pending:
no well-kept encryption library is among the dependencies, and the database is the one place
that also holds the password hashes (OWASP ASVS 4.0.3 §2.8.3 asks for a key store for such
secrets: a later step when one exists).
"""

from __future__ import annotations

import secrets

import pyotp
import sqlalchemy as sa

from portal.accounts.hashing import hash_recovery_code, verify_recovery_code
from portal.accounts.models import AuditEvent, User
from portal.errors import InvalidInput, NotAllowed
from portal.extensions import db, utcnow
from portal.sessions import services as sessions
from portal.two_factor.models import RecoveryCode, SecondFactor

REQUIRED_ROLES = frozenset({"supervisor", "admin"})
ISSUER = "Ventanilla Única AMSS"
WINDOW = 1  # steps accepted either side of now
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper
# Recovery codes carry 10 random characters of 31 (49 bits): unlike a password they cannot be
# guessed from a list, so a light Argon2 cost suffices (portal/accounts/hashing.py).
VERIFIED = ("totp", "recovery")
#: Session marks: the step a person still owes before anything else.
ENROL, VERIFY = "enrol", "verify"


def _audit(action: str, user: User, ip: str | None, actor: User | None = None, **detail) -> None:
    db.session.add(
        AuditEvent(
            action=action,
            actor_id=(actor or user).id,
            subject=user.email,
            ip=ip,
            detail=dict(detail),
        )
    )
    db.session.flush()


def required_for(user: User) -> bool:
    """Whether the person's role must sign in with a second factor (supervisors, admins)."""
    return user.has_role(*REQUIRED_ROLES)


def offered_to(user: User) -> bool:
    """Whether the person may have a second factor at all (staff; never applicants)."""
    return user.is_staff


def get_factor(user: User, *, lock: bool = False) -> SecondFactor | None:
    """The person's authenticator, pending or confirmed; None when there is none."""
    query = sa.select(SecondFactor).where(SecondFactor.user_id == user.id)
    return db.session.scalar(query.with_for_update() if lock else query)


def is_enrolled(user: User) -> bool:
    """Whether the person has confirmed an authenticator."""
    factor = get_factor(user)
    return factor is not None and factor.confirmed_at is not None


def pending_step(*, user: User, session_token: str | None) -> str | None:
    """Return what the session still owes before anything else: ENROL, VERIFY or None.

    A session of someone with no second factor and no duty to have one is marked "none" once
    (committed), so later requests read the mark alone. Applicants never owe anything.
    """
    if not offered_to(user):
        return None
    row = sessions.find(session_token)
    if row is None or row.user_id != user.id:
        return VERIFY  # the loader already refuses these; never let one through here
    if row.second_factor in VERIFIED or (row.second_factor == "none" and not required_for(user)):
        return None
    if is_enrolled(user):
        return VERIFY
    if required_for(user):
        return ENROL
    row.second_factor = "none"
    db.session.commit()
    return None


def _mark_session(session_token: str | None, how: str) -> None:
    row = sessions.find(session_token)
    if row is not None:
        row.second_factor = how


def begin_enrolment(*, actor: User, secret: str | None = None) -> SecondFactor:
    """Start (or resume) enrolment: a pending authenticator with a new random secret.

    Args:
        actor: The staff member enrolling; their own authenticator only.
        secret: A base32 secret to use instead of a random one (demo data and tests only).

    Raises:
        NotAllowed: `second_factor_enrolled` when one is already confirmed (enrolment never
            replaces a working authenticator: disabling or an admin reset comes first);
            `staff_only` for applicants.
    """
    if not offered_to(actor):
        raise NotAllowed("staff_only")
    factor = get_factor(actor, lock=True)
    if factor is not None and factor.confirmed_at is not None:
        db.session.rollback()
        raise NotAllowed("second_factor_enrolled")
    if factor is None:
        factor = SecondFactor(user_id=actor.id, secret=secret or pyotp.random_base32())
        db.session.add(factor)
    elif secret:
        factor.secret = secret
    db.session.commit()
    return factor


def provisioning_uri(factor: SecondFactor, user: User) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code (Key Uri Format)."""
    return pyotp.TOTP(factor.secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _matching_step(factor: SecondFactor, code: str) -> tuple[int | None, bool]:
    """Return (step, replayed): the newest step within the window whose code is `code`.

    `replayed` is True when the code matches only steps already used.
    """
    totp = pyotp.TOTP(factor.secret)
    now = totp.timecode(utcnow().timestamp())
    replayed = False
    for step in range(now + WINDOW, now - WINDOW - 1, -1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            if factor.last_step is not None and step <= factor.last_step:
                replayed = True
                continue
            return step, False
    return None, replayed


def _clean_totp(code: str) -> str:
    cleaned = "".join((code or "").split())
    if not (len(cleaned) == 6 and cleaned.isdigit()):
        raise InvalidInput("totp_format", field="code")
    return cleaned


def _check_totp(factor: SecondFactor, user: User, code: str, ip: str | None, purpose: str):
    """Accept `code` once (recording its step) or audit the failure and raise InvalidInput."""
    try:
        cleaned = _clean_totp(code)
    except InvalidInput:
        _failed(user, ip, purpose, "format")
        raise
    step, replayed = _matching_step(factor, cleaned)
    if step is None:
        _failed(user, ip, purpose, "replayed" if replayed else "wrong")
        raise InvalidInput("totp_used" if replayed else "totp_wrong", field="code")
    factor.last_step = step


def _failed(user: User, ip: str | None, purpose: str, reason: str) -> None:
    """Audit a refused code in its own commit: the refusal is kept though nothing else is."""
    db.session.rollback()
    _audit("account.second_factor_failed", user, ip, purpose=purpose, reason=reason)
    db.session.commit()


def record_throttled(*, actor: User, ip: str | None) -> None:
    """Audit a code refused unchecked because the person's failed-code limit is full."""
    db.session.rollback()
    _audit("account.second_factor_throttled", actor, ip)
    db.session.commit()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_recovery_code(raw)))
    db.session.flush()
    return codes


def confirm_enrolment(
    *, actor: User, code: str, session_token: str | None, ip: str | None
) -> list[str] | None:
    """Confirm the pending authenticator with its first code; return the recovery codes.

    The codes are returned once, to be shown once; only their hashes are kept. The session
    counts as verified. None when the authenticator was already confirmed (a second click).

    Raises:
        InvalidInput: field "code": `totp_format`, `totp_wrong`, `totp_used` (audited).
        NotAllowed: `second_factor_not_started` when no enrolment is pending.
    """
    factor = get_factor(actor, lock=True)
    if factor is None:
        db.session.rollback()
        raise NotAllowed("second_factor_not_started")
    if factor.confirmed_at is not None:
        db.session.rollback()
        return None
    _check_totp(factor, actor, code, ip, "enrol")
    factor.confirmed_at = utcnow()
    codes = _new_recovery_codes(actor)
    _mark_session(session_token, "totp")
    _audit("account.second_factor_enrolled", actor, ip)
    db.session.commit()
    return codes


def verify_sign_in(*, actor: User, code: str, session_token: str | None, ip: str | None) -> None:
    """Pass the session's second step with a code from the authenticator.

    Raises:
        InvalidInput: field "code": `totp_format`, `totp_wrong`, `totp_used` (audited).
        NotAllowed: `second_factor_not_enrolled`.
    """
    factor = get_factor(actor, lock=True)
    if factor is None or factor.confirmed_at is None:
        db.session.rollback()
        raise NotAllowed("second_factor_not_enrolled")
    _check_totp(factor, actor, code, ip, "sign_in")
    _mark_session(session_token, "totp")
    db.session.commit()


def use_recovery_code(*, actor: User, code: str, session_token: str | None, ip: str | None) -> int:
    """Pass the session's second step with a recovery code (spent); return how many remain.

    Raises:
        InvalidInput: field "code": `recovery_code_wrong` when it is not one of the person's
            unused codes (audited).
    """
    cleaned = "".join(ch for ch in (code or "").lower() if ch.isalnum())
    rows = db.session.scalars(
        sa.select(RecoveryCode)
        .where(RecoveryCode.user_id == actor.id, RecoveryCode.used_at.is_(None))
        .with_for_update()
    ).all()
    found = None
    for row in rows:
        if verify_recovery_code(row.code_hash, cleaned):
            found = row
            break
    if found is None or len(cleaned) != 10:
        _failed(actor, ip, "recovery", "wrong")
        raise InvalidInput("recovery_code_wrong", field="code")
    found.used_at = utcnow()
    _mark_session(session_token, "recovery")
    remaining = len(rows) - 1
    _audit("account.recovery_code_used", actor, ip, remaining=remaining)
    db.session.commit()
    return remaining


def remaining_recovery_codes(user: User) -> int:
    """How many of the person's recovery codes are still unused."""
    return db.session.scalar(
        sa.select(sa.func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )


def regenerate_recovery_codes(*, actor: User, code: str, ip: str | None) -> list[str]:
    """Replace every recovery code with ten new ones (returned once), after a current code.

    Raises:
        InvalidInput: field "code": `totp_format`, `totp_wrong`, `totp_used` (audited).
        NotAllowed: `second_factor_not_enrolled`.
    """
    factor = get_factor(actor, lock=True)
    if factor is None or factor.confirmed_at is None:
        db.session.rollback()
        raise NotAllowed("second_factor_not_enrolled")
    _check_totp(factor, actor, code, ip, "regenerate")
    codes = _new_recovery_codes(actor)
    _audit("account.recovery_codes_regenerated", actor, ip)
    db.session.commit()
    return codes


def remove_factor(user: User) -> None:
    """Delete the person's authenticator and recovery codes (flush only; the caller audits)."""
    _remove(user)


def _remove(user: User) -> None:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(sa.delete(SecondFactor).where(SecondFactor.user_id == user.id))


def disable(*, actor: User, code: str, session_token: str | None, ip: str | None) -> None:
    """Remove the actor's own authenticator and recovery codes, after a current code.

    Raises:
        InvalidInput: field "code": `second_factor_required` for roles that must keep it;
            `totp_format`, `totp_wrong`, `totp_used` (audited).
        NotAllowed: `second_factor_not_enrolled`.
    """
    if required_for(actor):
        raise InvalidInput("second_factor_required", field="code")
    factor = get_factor(actor, lock=True)
    if factor is None or factor.confirmed_at is None:
        db.session.rollback()
        raise NotAllowed("second_factor_not_enrolled")
    _check_totp(factor, actor, code, ip, "disable")
    _remove(actor)
    _mark_session(session_token, "none")
    _audit("account.second_factor_disabled", actor, ip)
    db.session.commit()


def reset_second_factor(*, actor: User, user: User, ip: str | None) -> None:
    """An admin removes a person's authenticator (a lost phone, no recovery code left).

    The person enrols again at their next sign-in when their role requires it. Their sessions
    stay as they are; the admin console (issue 11) decides who may call this and whether to
    end them. Audited with the admin as actor.
    """
    _remove(user)
    _audit("account.second_factor_reset", user, ip, actor=actor)
    db.session.commit()
