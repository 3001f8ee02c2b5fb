"""walk-in filing: the cases a clerk opened at the counter for a citizen, and their claim

Revision ID: 0015_walkin
Revises: 0014_steps
Create Date: 2026-11-30 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_walkin"
down_revision: str | None = "0015_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime  # portal.extensions.UTCDateTime stores naive UTC


def upgrade() -> None:
    op.create_table(
        "walk_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("clerk_id", sa.Integer(), nullable=False),
        sa.Column("id_kind", sa.String(length=3), nullable=False),
        sa.Column("identifier", sa.String(length=20), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("claim_code", sa.String(length=20), nullable=False),
        sa.Column("registered_owner", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("claimed_at", UTC(), nullable=True),
        sa.Column("claimed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("id_kind IN ('dui', 'nit')", name=op.f("ck_walk_ins_id_kind")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_walk_ins_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["claimed_by_id"], ["users.id"], name=op.f("fk_walk_ins_claimed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["clerk_id"], ["users.id"], name=op.f("fk_walk_ins_clerk_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_walk_ins")),
        sa.UniqueConstraint("application_id", name=op.f("uq_walk_ins_application_id")),
    )
    op.create_index(op.f("ix_walk_ins_clerk_id"), "walk_ins", ["clerk_id"])
    op.create_index(op.f("ix_walk_ins_identifier"), "walk_ins", ["identifier"])


def downgrade() -> None:
    op.drop_index(op.f("ix_walk_ins_identifier"), table_name="walk_ins")
    op.drop_index(op.f("ix_walk_ins_clerk_id"), table_name="walk_ins")
    op.drop_table("walk_ins")
