"""Staff and roles in the admin console: create, change, deactivate, reset the second factor.

Every change is audited with the admin as actor, the person as target and their record
`before` and `after` (JSON). An admin manages the staff of their scope only: OPAMSS admins
(the metropolitan office) all of them, a municipal admin their municipio and its districts;
anyone else is `NotFound` (the view answers 404, audited). Each command repeated with the same
input changes nothing (a double submission).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.hashing import hash_password
from portal.accounts.models import STAFF_ROLES, AuditEvent, User, UserRole
from portal.accounts.services import get_user_by_email, normalize_email
from portal.applications.models import Application
from portal.authorities.models import Authority
from portal.authorities.services import scope_ids
from portal.errors import InvalidInput, NotAllowed, NotFound
from portal.extensions import db
from portal.jobs.services import enqueue
from portal.sessions import services as sessions
from portal.sessions.models import UserSession
from portal.two_factor import services as two_factor
from portal.two_factor.models import SecondFactor

CREATED, CHANGED = "staff.created", "staff.changed"
DEACTIVATED, REACTIVATED = "staff.deactivated", "staff.reactivated"
SECOND_FACTOR_RESET = "staff.second_factor_reset"
CASES_REASSIGNED = "staff.cases_reassigned"  # by portal.assignment.services.reassign_cases
#: The admin changes to staff, in the order the audit search offers them.
ADMIN_ACTIONS = (
    CREATED, CHANGED, DEACTIVATED, REACTIVATED, SECOND_FACTOR_RESET, CASES_REASSIGNED,
)  # fmt: skip


@dataclass(frozen=True)
class StaffFilters:
    authority_id: int | None = None
    role: str | None = None
    active: bool | None = None


def scope_of(actor: User) -> set[int] | None:
    """Authority ids whose staff the admin manages; None means all (the metropolitan office)."""
    if actor.authority is not None and actor.authority.kind == "metropolitan_office":
        return None
    return scope_ids(actor.authority_id)


def authorities_for(actor: User) -> list[Authority]:
    """The authorities an admin may give staff to, by name."""
    query = sa.select(Authority).order_by(Authority.name)
    scope = scope_of(actor)
    if scope is not None:
        query = query.where(Authority.id.in_(scope))
    return list(db.session.scalars(query))


def list_staff_for(actor: User, filters: StaffFilters) -> list[tuple[User, bool]]:
    """The staff of the admin's scope, by name, each with whether their second factor works."""
    query = (
        sa.select(User)
        .where(User.role != "applicant")
        .options(joinedload(User.authority), selectinload(User.role_rows))
        .order_by(User.full_name, User.id)
    )
    scope = scope_of(actor)
    if scope is not None:
        query = query.where(User.authority_id.in_(scope))
    if filters.authority_id is not None:
        query = query.where(User.authority_id == filters.authority_id)
    if filters.role is not None:
        query = query.where(User.holding(filters.role))
    if filters.active is not None:
        query = query.where(User.active.is_(filters.active))
    people = list(db.session.scalars(query))
    enrolled = set(
        db.session.scalars(
            sa.select(SecondFactor.user_id).where(
                SecondFactor.user_id.in_([p.id for p in people] or [0]),
                SecondFactor.confirmed_at.is_not(None),
            )
        )
    )
    return [(person, person.id in enrolled) for person in people]


def get_staff_for(actor: User, user_id: int, *, lock: bool = False) -> User:
    """A staff member of the admin's scope.

    Raises:
        NotFound: no such person, an applicant, or staff of an authority out of scope.
    """
    query = sa.select(User).where(User.id == user_id).options(joinedload(User.authority))
    user = db.session.scalar(query.with_for_update(of=User) if lock else query)
    scope = scope_of(actor)
    if user is None or not user.is_staff or (scope is not None and user.authority_id not in scope):
        if lock:
            db.session.rollback()
        raise NotFound("not_found")
    return user


def is_enrolled(user: User) -> bool:
    return two_factor.is_enrolled(user)


def open_cases_of(user: User) -> list[Application]:
    """The person's assigned cases still open (to give to someone else once they leave)."""
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.assignee_id == user.id, Application.queue_due.is_not(None))
            .options(joinedload(Application.procedure))
            .order_by(Application.queue_due, Application.id)
        )
    )


# ---------------------------------------------------------------- commands


def _snapshot(user: User) -> dict:
    """What the audit keeps of a person before and after a change."""
    return {
        "full_name": user.full_name,
        "email": user.email,
        "authority": user.authority.code if user.authority is not None else None,
        "roles": [role for role in user.roles if role != "applicant"],
        "active": user.active,
        "second_factor": two_factor.get_factor(user) is not None,
    }


def _audit(action: str, *, actor: User, user: User, before, after, ip, **detail) -> None:
    db.session.add(
        AuditEvent(
            action=action,
            actor_id=actor.id,
            subject=user.email,
            target_user_id=user.id,
            ip=ip,
            detail={"before": before, "after": after, **detail},
        )
    )
    db.session.flush()


def _roles(roles) -> list[str]:
    chosen = [role for role in STAFF_ROLES if role in set(roles or ())]
    if not chosen or len(chosen) != len(set(roles)):
        raise InvalidInput("staff_no_role", field="roles")
    return chosen


def _authority(actor: User, authority_id) -> Authority:
    scope = scope_of(actor)
    authority = db.session.get(Authority, authority_id) if authority_id else None
    if authority is None or (scope is not None and authority.id not in scope):
        raise InvalidInput("invalid_choice", field="authority")
    return authority


def _set_roles(user: User, roles: list[str]) -> None:
    """Give the person exactly `roles` (ordered as STAFF_ROLES); `role` is the first."""
    user.role = roles[0]
    for row in [row for row in user.role_rows if row.role not in roles]:
        user.role_rows.remove(row)
    held = {row.role for row in user.role_rows}
    user.role_rows.extend(UserRole(role=role) for role in roles if role not in held)


def _keep_an_admin(user: User, *, roles: list[str], authority_id: int, active: bool) -> None:
    """Refuse a change that leaves the person's authority with no active admin."""
    if not (user.active and user.has_role("admin")):
        return
    if active and "admin" in roles and authority_id == user.authority_id:
        return
    others = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.authority_id == user.authority_id,
            User.active.is_(True),
            User.holding("admin"),
            User.id != user.id,
        )
    )
    if not others:
        db.session.rollback()
        raise InvalidInput("last_admin", field="roles")


def create_staff_member(
    *, actor: User, full_name: str, email: str, authority_id: int, roles, ip: str | None
) -> tuple[User, bool]:
    """Create a staff account and e-mail its owner a one-time link to choose a password.

    The account cannot sign in until the link is used (it confirms the address); a role that
    requires a second factor enrols it at first sign-in. The same request made again by the
    same admin (a double submission) returns the account it created and sends nothing.

    Returns:
        (the person, whether this call created them).

    Raises:
        InvalidInput: `staff_email_taken` (email), `staff_no_role` (roles), `invalid_choice`
            (authority out of scope).
    """
    chosen = _roles(roles)
    authority = _authority(actor, authority_id)
    wanted = {"full_name": full_name.strip(), "authority": authority.code, "roles": chosen}
    existing = get_user_by_email(email)
    if existing is not None:
        if _created_by(existing, actor) and all(
            _snapshot(existing)[key] == value for key, value in wanted.items()
        ):
            db.session.rollback()
            return existing, False
        db.session.rollback()
        raise InvalidInput("staff_email_taken", field="email")
    user = User(
        email=normalize_email(email),
        # Nobody knows this password: the owner chooses theirs through the e-mailed link.
        password_hash=hash_password(secrets.token_urlsafe(32)),
        full_name=full_name.strip(),
        authority_id=authority.id,
        authority=authority,
        email_confirmed_at=None,
    )
    _set_roles(user, chosen)
    db.session.add(user)
    db.session.flush()
    _audit(CREATED, actor=actor, user=user, before=None, after=_snapshot(user), ip=ip)
    enqueue("account_mail", kind="welcome", user_id=user.id, key=secrets.token_hex(8))
    db.session.commit()
    return user, True


def _created_by(user: User, actor: User) -> bool:
    return (
        db.session.scalar(
            sa.select(AuditEvent.id).where(
                AuditEvent.action == CREATED,
                AuditEvent.target_user_id == user.id,
                AuditEvent.actor_id == actor.id,
            )
        )
        is not None
    )


def change_staff_member(
    *, actor: User, user_id: int, authority_id: int, roles, ip: str | None
) -> bool:
    """Change a person's roles and authority; False when they already had exactly these.

    Raises:
        NotFound: the person is not in the admin's scope.
        InvalidInput: `staff_no_role`, `last_admin` (roles); `invalid_choice` (authority).
    """
    user = get_staff_for(actor, user_id, lock=True)
    chosen = _roles(roles)
    authority = _authority(actor, authority_id)
    before = _snapshot(user)
    if before["roles"] == chosen and user.authority_id == authority.id:
        db.session.rollback()
        return False
    _keep_an_admin(user, roles=chosen, authority_id=authority.id, active=True)
    _set_roles(user, chosen)
    user.authority_id, user.authority = authority.id, authority
    db.session.flush()
    _audit(CHANGED, actor=actor, user=user, before=before, after=_snapshot(user), ip=ip)
    db.session.commit()
    return True


def _end_sessions(user: User, *, actor: User, reason: str, ip: str | None) -> int:
    rows = db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    ).all()
    for row in rows:
        sessions.end_row(row, reason, ip=ip, actor=actor)
    return len(rows)


def deactivate_staff_member(*, actor: User, user_id: int, ip: str | None) -> bool:
    """Deactivate a person: they cannot sign in and every session of theirs ends now.

    Returns False when they were inactive already. Their assigned open cases stay assigned
    (`open_cases_of` lists them; the admin gives them to someone else in one go,
    `portal.assignment.services.reassign_cases`, or a supervisor one by one).

    Raises:
        NotFound: the person is not in the admin's scope.
        NotAllowed: `cannot_deactivate_self`; `last_admin` (the authority's only admin).
    """
    user = get_staff_for(actor, user_id, lock=True)
    if user.id == actor.id:
        db.session.rollback()
        raise NotAllowed("cannot_deactivate_self")
    if not user.active:
        db.session.rollback()
        return False
    try:
        _keep_an_admin(user, roles=list(user.roles), authority_id=user.authority_id, active=False)
    except InvalidInput as refused:
        raise NotAllowed(refused.code) from refused
    before = _snapshot(user)
    user.active = False
    ended = _end_sessions(user, actor=actor, reason="deactivated", ip=ip)
    _audit(
        DEACTIVATED, actor=actor, user=user, before=before, after=_snapshot(user), ip=ip,
        sessions_ended=ended,
    )  # fmt: skip
    db.session.commit()
    return True


def reactivate_staff_member(*, actor: User, user_id: int, ip: str | None) -> bool:
    """Let a deactivated person sign in again; False when they were active already."""
    user = get_staff_for(actor, user_id, lock=True)
    if user.active:
        db.session.rollback()
        return False
    before = _snapshot(user)
    user.active = True
    _audit(REACTIVATED, actor=actor, user=user, before=before, after=_snapshot(user), ip=ip)
    db.session.commit()
    return True


def reset_staff_second_factor(*, actor: User, user_id: int, ip: str | None) -> bool:
    """Remove a person's authenticator and recovery codes and end their sessions.

    At their next sign-in they enrol again (a role that requires a second factor cannot skip
    it). Returns False when they had none (nothing to reset).
    """
    user = get_staff_for(actor, user_id, lock=True)
    if two_factor.get_factor(user, lock=True) is None:
        db.session.rollback()
        return False
    before = _snapshot(user)
    two_factor.remove_factor(user)
    ended = _end_sessions(user, actor=actor, reason="second_factor_reset", ip=ip)
    _audit(
        SECOND_FACTOR_RESET, actor=actor, user=user, before=before, after=_snapshot(user), ip=ip,
        sessions_ended=ended,
    )  # fmt: skip
    db.session.commit()
    return True
