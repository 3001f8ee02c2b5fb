"""layered calendars: kind, legal source and English name of each day off; days for every
authority; per-authority vacation setting and Holy Week variant

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 12:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("authorities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_vacations", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("calendar_holy_week", sa.String(length=40), nullable=True))
    with op.batch_alter_table("authority_days_off", schema=None) as batch_op:
        batch_op.alter_column("authority_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), server_default="local", nullable=False)
        )
        batch_op.add_column(sa.Column("name_en", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("source", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_authority_days_off_kind"), "kind IN ('local', 'decreed', 'working')"
        )


def downgrade() -> None:
    op.execute("DELETE FROM authority_days_off WHERE authority_id IS NULL OR kind = 'working'")
    with op.batch_alter_table("authority_days_off", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_authority_days_off_kind"), type_="check")
        batch_op.drop_column("source")
        batch_op.drop_column("name_en")
        batch_op.drop_column("kind")
        batch_op.alter_column("authority_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("authorities", schema=None) as batch_op:
        batch_op.drop_column("calendar_holy_week")
        batch_op.drop_column("calendar_vacations")
