"""representations: accounts a legal unit's owner authorizes to act for it

Revision ID: 0014_repr
Revises: 0013
Create Date: 2026-11-30 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_repr"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime  # portal.extensions.UTCDateTime stores naive UTC


def upgrade() -> None:
    op.create_table(
        "representations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("legal_unit_id", sa.Integer(), nullable=False),
        sa.Column("invited_email", sa.String(length=254), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("granted_by_id", sa.Integer(), nullable=False),
        sa.Column("granted_at", UTC(), nullable=False),
        sa.Column("accepted_at", UTC(), nullable=True),
        sa.Column("revoked_at", UTC(), nullable=True),
        sa.ForeignKeyConstraint(
            ["legal_unit_id"],
            ["legal_units.id"],
            name=op.f("fk_representations_legal_unit_id_legal_units"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["users.id"], name=op.f("fk_representations_account_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_id"], ["users.id"], name=op.f("fk_representations_granted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_representations")),
    )
    op.create_index(op.f("ix_representations_legal_unit_id"), "representations", ["legal_unit_id"])
    op.create_index(op.f("ix_representations_account_id"), "representations", ["account_id"])
    op.create_index(
        "uq_representations_standing",
        "representations",
        ["legal_unit_id", "invited_email"],
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
        sqlite_where=sa.text("revoked_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_representations_standing", table_name="representations")
    op.drop_index(op.f("ix_representations_account_id"), table_name="representations")
    op.drop_index(op.f("ix_representations_legal_unit_id"), table_name="representations")
    op.drop_table("representations")
