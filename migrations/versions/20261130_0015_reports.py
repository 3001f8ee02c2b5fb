"""reports: reason codes on history entries, the due date in force at decision, period indexes

`history_entries.reasons` holds the reason codes chosen from the definition's catalogue;
`applications.decided_due_on` keeps the legal due date in force when the case reached a final
state (`due_on` is cleared then), so the deadline report compares in SQL; the indexes let the
reports read one period (filings, decisions, history, verdicts) without scanning every case.

Revision ID: 0015_reports
Revises: 0014_steps
Create Date: 2026-11-30 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_reports"
down_revision: str | None = "0014_steps"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("history_entries") as batch:
        batch.add_column(sa.Column("reasons", sa.JSON(), nullable=True))
        batch.create_index("ix_history_entries_occurred_at", ["occurred_at"])
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("decided_due_on", sa.Date(), nullable=True))
        batch.create_index("ix_applications_filed_at", ["filed_at"])
        batch.create_index("ix_applications_decided_at", ["decided_at"])
    with op.batch_alter_table("review_verdicts") as batch:
        batch.create_index("ix_review_verdicts_decided_at", ["decided_at"])


def downgrade() -> None:
    with op.batch_alter_table("review_verdicts") as batch:
        batch.drop_index("ix_review_verdicts_decided_at")
    with op.batch_alter_table("applications") as batch:
        batch.drop_index("ix_applications_decided_at")
        batch.drop_index("ix_applications_filed_at")
        batch.drop_column("decided_due_on")
    with op.batch_alter_table("history_entries") as batch:
        batch.drop_index("ix_history_entries_occurred_at")
        batch.drop_column("reasons")
