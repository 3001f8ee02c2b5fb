"""decision outputs on history entries; the seat (place) of each authority

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 10:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("authorities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seat", sa.String(length=80), nullable=True))
    with op.batch_alter_table("history_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outputs", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("history_entries", schema=None) as batch_op:
        batch_op.drop_column("outputs")
    with op.batch_alter_table("authorities", schema=None) as batch_op:
        batch_op.drop_column("seat")
