"""drafts: answers as typed (unvalidated), their last save, expiry warning and deletion

Revision ID: 0014_steps
Revises: 0013
Create Date: 2026-11-30 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_steps"
down_revision: str | None = "0014_track"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime  # portal.extensions.UTCDateTime stores naive UTC


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("draft_answers", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("draft_saved_at", UTC(), nullable=True))
        batch.add_column(sa.Column("draft_warned_at", UTC(), nullable=True))
        batch.add_column(sa.Column("discarded_at", UTC(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        for column in ("discarded_at", "draft_warned_at", "draft_saved_at", "draft_answers"):
            batch.drop_column(column)
