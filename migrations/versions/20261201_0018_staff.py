"""user_roles: a person may hold several staff roles; audit_events.target_user_id (issue 11)

Revision ID: 0018_staff
Revises: 0017_fixb
Create Date: 2026-12-01 00:45:00

Every staff member's present role becomes their first row in `user_roles`; `users.role` stays
as the person's first role (applicant or staff, the check on `authority_id` reads it). Admin
changes to staff name the person they concern in `audit_events.target_user_id`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_staff"
down_revision: str | None = "0018_ref"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.CheckConstraint(
            "role IN ('clerk', 'supervisor', 'inspector', 'admin')", name=op.f("ck_user_roles_role")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_roles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_roles")),
    )
    op.execute(
        "INSERT INTO user_roles (user_id, role) SELECT id, role FROM users WHERE role != 'applicant'"
    )
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("target_user_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_audit_events_target_user_id"), ["target_user_id"])
        batch.create_foreign_key(
            batch.f("fk_audit_events_target_user_id_users"), "users", ["target_user_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_constraint(batch.f("fk_audit_events_target_user_id_users"), type_="foreignkey")
        batch.drop_index(batch.f("ix_audit_events_target_user_id"))
        batch.drop_column("target_user_id")
    op.drop_table("user_roles")
