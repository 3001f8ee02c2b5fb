"""tracking codes, the notification centre and the applicant's dashboard index

Each filed case gets a secret tracking code for the public tracking page; every message sent to
a person is kept in `notices` (the notification centre); the dashboard pages an applicant's
cases by id (newest first, keyset) through a composite index.

Revision ID: 0014_track
Revises: 0013
Create Date: 2026-11-30 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_track"
down_revision: str | None = "0014_cat"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("tracking_code", sa.String(length=20), nullable=True))
        batch.create_index("ix_applications_applicant_id_id", ["applicant_id", "id"])
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("subject", sa.String(length=250), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notices_user_id_users")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_notices_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("key", name=op.f("uq_notices_key")),
    )
    op.create_index("ix_notices_user_id_id", "notices", ["user_id", "id"])
    op.create_index(op.f("ix_notices_application_id"), "notices", ["application_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_notices_application_id"), table_name="notices")
    op.drop_index("ix_notices_user_id_id", table_name="notices")
    op.drop_table("notices")
    with op.batch_alter_table("applications") as batch:
        batch.drop_index("ix_applications_applicant_id_id")
        batch.drop_column("tracking_code")
