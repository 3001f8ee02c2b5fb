"""User accounts and the audit log of account events."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.authorities.models import Authority
from portal.extensions import UTCDateTime, db, utcnow

#: Staff roles in the order a person holding several plays them first (`User.roles`).
STAFF_ROLES = ("clerk", "supervisor", "inspector", "admin")
ROLES = ("applicant", *STAFF_ROLES)


def new_security_stamp() -> str:
    """A random value that changes whenever the password does: it voids reset links."""
    return secrets.token_hex(16)


class UserRole(db.Model):
    """One staff role a person holds; a person may hold several (issue 11, staff and roles)."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True)

    __table_args__ = (
        sa.CheckConstraint("role IN ('clerk', 'supervisor', 'inspector', 'admin')", name="role"),
    )


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    full_name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(20), default="applicant")
    authority_id: Mapped[int | None] = mapped_column(sa.ForeignKey("authorities.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(sa.String(5), default="es")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # None until the owner follows the link sent at sign-up; such an account cannot sign in.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    security_stamp: Mapped[str] = mapped_column(sa.String(32), default=new_security_stamp)

    authority: Mapped[Authority | None] = relationship()
    # `role` is the person's first role (applicant, or the staff role shown beside their
    # name); `role_rows` every staff role they hold. Read them through `roles`/`has_role`.
    # Loaded when first asked (the signed-in person's, once a request); a query that checks
    # the roles of many people loads them with `selectinload(User.role_rows)`.
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('applicant', 'clerk', 'supervisor', 'inspector', 'admin')", name="role"
        ),
        sa.CheckConstraint(
            "(role = 'applicant') = (authority_id IS NULL)", name="staff_have_authority"
        ),
    )

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def roles(self) -> tuple[str, ...]:
        """Every role the person holds, in `ROLES` order (at least `role`)."""
        held = {self.role, *(row.role for row in self.role_rows)}
        return tuple(name for name in ROLES if name in held)

    def has_role(self, *names: str) -> bool:
        """Whether the person holds any of the roles `names`."""
        return any(name in self.roles for name in names)

    @classmethod
    def holding(cls, role: str) -> sa.ColumnElement[bool]:
        """A WHERE clause: the person holds `role`."""
        return sa.or_(cls.role == role, cls.role_rows.any(UserRole.role == role))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class AuditEvent(db.Model):
    """Append-only record of security-relevant events: account events, refused requests, and
    staff reads of case files (`application_id` names the case; PostgreSQL refuses changes)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60))
    subject: Mapped[str | None] = mapped_column(sa.String(200))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    # The staff member an admin change concerns (portal/admin/staff.py); `detail` then holds
    # `before` and `after`.
    target_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    target_user: Mapped[User | None] = relationship(foreign_keys=[target_user_id])
