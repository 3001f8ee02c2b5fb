"""applications: the legal clock's events, the next breach day and the Art. 97 notice date

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-30 13:00:00

`clock_remaining_days` (one suspension slot) gives way to `clock`, the primitives of
`workflows.clocks.Clock`. An open case keeps its stored due date: a running one becomes a clock
that ends on `due_on`; a suspended one a clock suspended on the day it entered its state with
the business days it had left. Every open filed case gets `next_breach_on` = the upgrade's day,
so the first sweep visits it once and stores its real next breach day.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOCAL_TZ = ZoneInfo("America/El_Salvador")


def _local_iso(moment) -> str:
    if isinstance(moment, str):  # SQLite hands back text
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:  # stored as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).date().isoformat()


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("clock", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("next_breach_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("notify_by", sa.Date(), nullable=True))
        batch.create_index(
            batch.f("ix_applications_next_breach_on"), ["next_breach_on"], unique=False
        )
    applications = sa.table(
        "applications",
        sa.column("id", sa.Integer),
        sa.column("due_on", sa.Date),
        sa.column("clock_remaining_days", sa.Integer),
        sa.column("state_entered_at", sa.DateTime),
        sa.column("decided_at", sa.DateTime),
        sa.column("clock", sa.JSON),
        sa.column("tracking_number", sa.String),
        sa.column("next_breach_on", sa.Date),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            applications.c.id,
            applications.c.due_on,
            applications.c.clock_remaining_days,
            applications.c.state_entered_at,
        ).where(
            applications.c.decided_at.is_(None),
            sa.or_(
                applications.c.due_on.is_not(None),
                applications.c.clock_remaining_days.is_not(None),
            ),
        )
    ).all()
    for row in rows:
        if row.due_on is not None:
            clock = {"started_on": row.due_on.isoformat(), "business_days": 0, "events": []}
        else:
            since = _local_iso(row.state_entered_at)
            clock = {
                "started_on": since,
                "business_days": max(0, row.clock_remaining_days),
                "events": [{"kind": "suspend", "on": since, "reason": ""}],
            }
        bind.execute(applications.update().where(applications.c.id == row.id).values(clock=clock))
    bind.execute(
        applications.update()
        .where(applications.c.tracking_number.is_not(None), applications.c.decided_at.is_(None))
        .values(next_breach_on=datetime.now(LOCAL_TZ).date())
    )
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("clock_remaining_days")


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("clock_remaining_days", sa.Integer(), nullable=True))
        batch.drop_index(batch.f("ix_applications_next_breach_on"))
        batch.drop_column("notify_by")
        batch.drop_column("next_breach_on")
        batch.drop_column("clock")
