"""abrir mi negocio: CLAEES activity codes (versioned), saved business plans

Revision ID: 0014_plan
Revises: 0013
Create Date: 2026-11-30 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_plan"
down_revision: str | None = "0014_pay"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime  # portal.extensions.UTCDateTime stores naive UTC


def upgrade() -> None:
    op.create_table(
        "activity_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_version", sa.String(length=40), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("folded", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_codes")),
        sa.UniqueConstraint(
            "table_version", "code", name=op.f("uq_activity_codes_table_version_code")
        ),
    )
    op.create_table(
        "business_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("journey", sa.String(length=40), nullable=False),
        sa.Column("journey_version", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_business_plans_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_plans")),
    )
    op.create_index(op.f("ix_business_plans_owner_id"), "business_plans", ["owner_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_business_plans_owner_id"), table_name="business_plans")
    op.drop_table("business_plans")
    op.drop_table("activity_codes")
