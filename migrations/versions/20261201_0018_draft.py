"""procedure_versions.revision, updated_at, updated_by_id: drafts edited in the admin console

Revision ID: 0018_draft
Revises: 0017_fixb
Create Date: 2026-12-01 00:45:00

A draft is saved by admins, sometimes two at once. Each save names the revision it was
made from; a save from an older revision is refused (`portal.admin.services.StaleDraft`), so
the second of two admins never overwrites the first without seeing it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_draft"
down_revision: str | None = "0017_fixb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("procedure_versions") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        # No foreign key: a version outlives staff accounts; the audit log links the change.
        batch.add_column(sa.Column("updated_by_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("procedure_versions") as batch:
        batch.drop_column("updated_by_id")
        batch.drop_column("updated_at")
        batch.drop_column("revision")
