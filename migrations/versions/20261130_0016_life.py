"""issued_documents: validity, expiry, revocation and replacement (issue 10)

Revision ID: 0016_life
Revises: 0016_serial
Create Date: 2026-11-30 21:20:00

`valid_until` is computed when a document is issued (the definition's validity); documents
issued before stay without one (no expiry is invented for them). A document replaced by a
corrected one is pointed at by the new one's `replaces_id` (unique: one replacement each).
A case may now hold several documents of a kind (the replaced ones stay verifiable), so the
unique constraint on (application_id, kind) goes; stream SERIAL drops it too, hence the check.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_life"
down_revision: str | None = "0016_serial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE_PER_KIND = "uq_issued_documents_application_id_kind"


def _has_one_per_kind() -> bool:
    inspector = sa.inspect(op.get_bind())
    return any(
        item["name"] == ONE_PER_KIND
        for item in inspector.get_unique_constraints("issued_documents")
    )


def upgrade() -> None:
    one_per_kind = _has_one_per_kind()
    with op.batch_alter_table("issued_documents") as batch:
        batch.add_column(sa.Column("valid_until", sa.Date(), nullable=True))
        batch.add_column(sa.Column("expired_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("revocation_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("revoked_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_issued_documents_revoked_by_id_users"), "users", ["revoked_by_id"], ["id"]
        )
        batch.create_foreign_key(
            batch.f("fk_issued_documents_replaces_id_issued_documents"),
            "issued_documents",
            ["replaces_id"],
            ["id"],
        )
        batch.create_unique_constraint(batch.f("uq_issued_documents_replaces_id"), ["replaces_id"])
        if one_per_kind:
            batch.drop_constraint(ONE_PER_KIND, type_="unique")
    op.create_index(
        "ix_issued_documents_valid_until", "issued_documents", ["valid_until"], unique=False
    )


def downgrade() -> None:
    # The one-per-kind constraint is not put back: the cases may hold replaced documents now.
    op.drop_index("ix_issued_documents_valid_until", table_name="issued_documents")
    with op.batch_alter_table("issued_documents") as batch:
        batch.drop_constraint(batch.f("uq_issued_documents_replaces_id"), type_="unique")
        batch.drop_constraint(
            batch.f("fk_issued_documents_replaces_id_issued_documents"), type_="foreignkey"
        )
        batch.drop_constraint(
            batch.f("fk_issued_documents_revoked_by_id_users"), type_="foreignkey"
        )
        batch.drop_column("replaces_id")
        batch.drop_column("revoked_by_id")
        batch.drop_column("revocation_reason")
        batch.drop_column("expired_at")
        batch.drop_column("valid_until")
