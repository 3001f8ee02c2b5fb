"""case access audit; audit and history tables append-only

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 10:10:00

Audit events may name the case they concern (staff reads, refused requests), and on
PostgreSQL the audit and history tables refuse UPDATE and DELETE with a trigger. SQLite (the
embedded default) has no such trigger here: the rule is the PostgreSQL deployment's.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("audit_events", "history_entries", "review_verdicts", "inspections")


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("application_id", sa.Integer(), nullable=True))
        batch.create_index("ix_audit_events_application_id", ["application_id"])
        batch.create_foreign_key(
            "fk_audit_events_application_id_applications",
            "applications",
            ["application_id"],
            ["id"],
        )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% on % refused: the table is append-only', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """
    )
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION refuse_change()")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_constraint("fk_audit_events_application_id_applications", type_="foreignkey")
        batch.drop_index("ix_audit_events_application_id")
        batch.drop_column("application_id")
