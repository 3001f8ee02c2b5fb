"""payments: payment references, due dates and PDFs of payment orders; provider notifications

Revision ID: 0014_pay
Revises: 0013
Create Date: 2026-11-30 16:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_pay"
down_revision: str | None = "0014_repr"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime  # portal.extensions.UTCDateTime stores naive UTC


def upgrade() -> None:
    with op.batch_alter_table("payment_orders") as batch:
        batch.add_column(sa.Column("reference", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("paid_via", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("pdf_key", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("rendered_at", UTC(), nullable=True))
        batch.create_unique_constraint(op.f("uq_payment_orders_reference"), ["reference"])
        batch.create_check_constraint(
            "ck_payment_orders_paid_via", "paid_via IN ('counter', 'online')"
        )
    op.create_table(
        "payment_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=30), nullable=False),
        sa.Column("transaction_id", sa.String(length=80), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("received_at", UTC(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('paid', 'duplicate', 'cancelled', 'amount_mismatch', 'unknown_reference')",
            name=op.f("ck_payment_notifications_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["payment_orders.id"],
            name=op.f("fk_payment_notifications_order_id_payment_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_notifications")),
        sa.UniqueConstraint(
            "provider",
            "transaction_id",
            name=op.f("uq_payment_notifications_provider_transaction_id"),
        ),
    )
    op.create_index(
        op.f("ix_payment_notifications_order_id"), "payment_notifications", ["order_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_payment_notifications_order_id"), table_name="payment_notifications")
    op.drop_table("payment_notifications")
    with op.batch_alter_table("payment_orders") as batch:
        batch.drop_constraint("ck_payment_orders_paid_via", type_="check")
        batch.drop_constraint(op.f("uq_payment_orders_reference"), type_="unique")
        for column in ("rendered_at", "sha256", "pdf_key", "paid_via", "due_on", "reference"):
            batch.drop_column(column)
