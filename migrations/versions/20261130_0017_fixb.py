"""payment_orders.code: a verification code for every payment order (issue 10)

Revision ID: 0017_fixb
Revises: 0016_life
Create Date: 2026-11-30 22:40:00

A signed payment order (mandamiento de pago) is verifiable as every issued document is: by
the code printed under its QR, or by its file. Orders issued before get a code here, from the
same alphabet and length (`portal.tracking.services.new_verification_code`); their PDFs do not
print it, but their files are found by their SHA-256.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

#: The alphabet and length of verification codes when this migration was written
#: (portal.tracking.services): a migration never imports the app, whose rules may change.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
CODE_LENGTH = 16


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


revision: str = "0017_fixb"
down_revision: str | None = "0016_life"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payment_orders") as batch:
        batch.add_column(sa.Column("code", sa.String(32), nullable=True))
    orders = sa.table("payment_orders", sa.column("id", sa.Integer), sa.column("code", sa.String))
    bind = op.get_bind()
    for (order_id,) in bind.execute(sa.select(orders.c.id)).all():
        bind.execute(
            orders.update().where(orders.c.id == order_id).values(code=new_verification_code())
        )
    with op.batch_alter_table("payment_orders") as batch:
        batch.alter_column("code", existing_type=sa.String(32), nullable=False)
        batch.create_unique_constraint(batch.f("uq_payment_orders_code"), ["code"])


def downgrade() -> None:
    with op.batch_alter_table("payment_orders") as batch:
        batch.drop_constraint(batch.f("uq_payment_orders_code"), type_="unique")
        batch.drop_column("code")
