"""applications: the assignee and the queue columns (open cases by legal due date), indexed

Revision ID: 0015_queue
Revises: 0014_steps
Create Date: 2026-11-30 18:30:00

`queue_due`, `acting_roles` and `clock_suspended` are derived when a case changes
(`portal.review.queues.derive`). The backfill derives them for every filed open case from its
pinned definition (the roles of its state, final or not) and its stored clock: `queue_due` is
`state_due_on`, or 9999-12-31 when the stage has no deadline.
"""

import json
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0015_queue"
down_revision: str | None = "0015_reviewpage"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NO_DUE = date(9999, 12, 31)
INDEXES = (
    ("", ()),
    ("_authority", ("authority_id",)),
    ("_assignee", ("assignee_id",)),
    ("_procedure", ("procedure_id",)),
)


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("queue_due", sa.Date(), nullable=True))
        batch.add_column(sa.Column("acting_roles", sa.String(length=120), nullable=True))
        batch.add_column(
            sa.Column("clock_suspended", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.create_foreign_key(
            "fk_applications_assignee_id_users", "users", ["assignee_id"], ["id"]
        )
    _backfill()
    for suffix, lead in INDEXES:
        op.create_index(
            f"ix_applications_queue{suffix}",
            "applications",
            [*lead, "queue_due", "filed_at", "id"],
            unique=False,
            postgresql_where=sa.text("queue_due IS NOT NULL"),
            sqlite_where=sa.text("queue_due IS NOT NULL"),
        )


def _backfill() -> None:
    import workflows
    from workflows.calendar import BusinessCalendar
    from workflows.clocks import Clock

    bind = op.get_bind()
    versions = bind.execute(
        sa.text("SELECT id, definition FROM procedure_versions WHERE status = 'published'")
    ).all()
    applications = sa.table(
        "applications",
        sa.column("id", sa.Integer),
        sa.column("procedure_version_id", sa.Integer),
        sa.column("state", sa.String),
        sa.column("filed_at", sa.DateTime),
        sa.column("clock", sa.JSON),
        sa.column("state_due_on", sa.Date),
        sa.column("queue_due", sa.Date),
        sa.column("acting_roles", sa.String),
        sa.column("clock_suspended", sa.Boolean),
    )
    calendar = BusinessCalendar()  # suspension does not depend on the days off
    for version_id, raw in versions:
        definition = workflows.load(raw if isinstance(raw, dict) else json.loads(raw))
        for state in definition.states:
            if state.is_final or state.kind == "draft":
                continue
            roles = f",{','.join(state.roles)}," if state.roles else None
            where = sa.and_(
                applications.c.procedure_version_id == version_id,
                applications.c.state == state.code,
                applications.c.filed_at.is_not(None),
            )
            bind.execute(
                applications.update()
                .where(where)
                .values(
                    queue_due=sa.func.coalesce(
                        applications.c.state_due_on, sa.literal(NO_DUE, sa.Date)
                    ),
                    acting_roles=roles,
                )
            )
            for row_id, clock in bind.execute(
                sa.select(applications.c.id, applications.c.clock).where(
                    where, applications.c.clock.is_not(None)
                )
            ).all():
                if clock and Clock.from_dict(clock, calendar).is_suspended:
                    bind.execute(
                        applications.update()
                        .where(applications.c.id == row_id)
                        .values(clock_suspended=True)
                    )


def downgrade() -> None:
    for suffix, _lead in INDEXES:
        op.drop_index(f"ix_applications_queue{suffix}", table_name="applications")
    with op.batch_alter_table("applications") as batch:
        batch.drop_constraint("fk_applications_assignee_id_users", type_="foreignkey")
        for column in ("clock_suspended", "acting_roles", "queue_due", "assignee_id"):
            batch.drop_column(column)
