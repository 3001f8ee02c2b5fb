"""outbox leases and mail deliveries

Each outbox message is taken with a lease before its work starts and records every attempt;
each e-mail sent is recorded once (mail_deliveries.key is unique).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_OUTBOX_COLUMNS = ("taken_at", "lease_expires_at", "failed_at", "last_failed_at")


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        for name in NEW_OUTBOX_COLUMNS:
            batch.add_column(sa.Column(name, sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("taken_by", sa.String(length=120), nullable=True))
    op.create_table(
        "mail_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_deliveries")),
        sa.UniqueConstraint("key", name=op.f("uq_mail_deliveries_key")),
    )


def downgrade() -> None:
    op.drop_table("mail_deliveries")
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("taken_by")
        for name in reversed(NEW_OUTBOX_COLUMNS):
            batch.drop_column(name)
