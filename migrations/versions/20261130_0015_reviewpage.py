"""review beside the data: submissions, carried verdicts with reasons, internal notes

Revision ID: 0015_reviewpage
Revises: 0014_steps
Create Date: 2026-11-30 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_reviewpage"
down_revision: str | None = "0015_totp"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime  # portal.extensions.UTCDateTime stores naive UTC
#: Never updated nor deleted (PostgreSQL refuses it, with 0007's `refuse_change`).
APPEND_ONLY = ("submissions", "case_notes")


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("history_entry_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", UTC(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_submissions_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["history_entry_id"],
            ["history_entries.id"],
            name=op.f("fk_submissions_history_entry_id_history_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("history_entry_id", name=op.f("uq_submissions_history_entry_id")),
    )
    op.create_index("ix_submissions_application_id", "submissions", ["application_id"])
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("written_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_case_notes_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_case_notes_author_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    op.create_index("ix_case_notes_application_id", "case_notes", ["application_id"])
    # history_entries.reasons comes with 0015_reports.
    with op.batch_alter_table("review_verdicts") as batch:
        batch.add_column(sa.Column("reasons", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("submission_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_review_verdicts_submission_id_submissions"),
            "submissions",
            ["submission_id"],
            ["id"],
        )
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_change()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
    with op.batch_alter_table("review_verdicts") as batch:
        batch.drop_constraint("fk_review_verdicts_submission_id_submissions", type_="foreignkey")
        batch.drop_column("submission_id")
        batch.drop_column("reasons")
    op.drop_index("ix_case_notes_application_id", table_name="case_notes")
    op.drop_table("case_notes")
    op.drop_index("ix_submissions_application_id", table_name="submissions")
    op.drop_table("submissions")
