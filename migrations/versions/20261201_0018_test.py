"""Test mode: applications.is_test and test_mails (issue 11, item 4)

Revision ID: 0018_test
Revises: 0017_fixb
Create Date: 2026-12-01 00:40:00

An admin files test cases on a draft version; they are ordinary cases flagged `is_test`, and
the e-mails they would send are captured in `test_mails` instead of being delivered.
Publishing the draft deletes its test cases with all they produced, so the append-only tables
(0007's `refuse_change`) let a row of a test case be deleted, and nothing else.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_test"
down_revision: str | None = "0018_draft"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime  # portal.extensions.UTCDateTime stores naive UTC

#: 0007's trigger function as it was, restored on downgrade.
REFUSE_EVERY_CHANGE = """
CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""
#: The same, but a row of a test case may be deleted (with its case, on publishing its draft).
REFUSE_BUT_TEST_CASES = """
CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (
        SELECT 1 FROM applications
        WHERE id = (to_jsonb(OLD) ->> 'application_id')::integer AND is_test
    ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% on % refused: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(
            sa.Column("is_test", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "test_mails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(250), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("captured_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_test_mails_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_test_mails")),
        sa.UniqueConstraint("key", name=op.f("uq_test_mails_key")),
    )
    op.create_index(op.f("ix_test_mails_application_id"), "test_mails", ["application_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(REFUSE_BUT_TEST_CASES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(REFUSE_EVERY_CHANGE)
    op.drop_index(op.f("ix_test_mails_application_id"), table_name="test_mails")
    op.drop_table("test_mails")
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("is_test")
