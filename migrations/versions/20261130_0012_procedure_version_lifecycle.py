"""procedure_versions: lifecycle (draft, published with valid-from, retired) and draft source

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 13:00:00
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("procedure_versions") as batch:
        batch.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="published")
        )
        batch.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch.add_column(sa.Column("retired_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("source", sa.Text(), nullable=True))
        batch.create_check_constraint(
            "ck_procedure_versions_status", "status IN ('draft', 'published', 'retired')"
        )
    # Existing versions were all published; their valid-from was inside the definition.
    versions = sa.table(
        "procedure_versions",
        sa.column("id", sa.Integer),
        sa.column("definition", sa.JSON),
        sa.column("valid_from", sa.Date),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(versions.c.id, versions.c.definition)).all():
        valid_from = (row.definition or {}).get("valid_from")
        if valid_from:
            connection.execute(
                versions.update()
                .where(versions.c.id == row.id)
                .values(valid_from=date.fromisoformat(valid_from))
            )


def downgrade() -> None:
    with op.batch_alter_table("procedure_versions") as batch:
        batch.drop_constraint("ck_procedure_versions_status", type_="check")
        batch.drop_column("source")
        batch.drop_column("retired_at")
        batch.drop_column("valid_from")
        batch.drop_column("status")
