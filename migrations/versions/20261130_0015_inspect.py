"""inspection visits (scheduled, recorded or cancelled), checklist answers, photos; opinions

Revision ID: 0015_inspect
Revises: 0014_steps
Create Date: 2026-11-30 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_inspect"
down_revision: str | None = "0015_walkin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime  # portal.extensions.UTCDateTime stores naive UTC


def upgrade() -> None:
    op.create_table(
        "inspection_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=False),
        sa.Column("scheduled_for", sa.Date(), nullable=False),
        sa.Column("scheduled_by_id", sa.Integer(), nullable=False),
        sa.Column("scheduled_at", UTC(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("cancelled_at", UTC(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('scheduled', 'recorded', 'cancelled')",
            name=op.f("ck_inspection_visits_status"),
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_inspection_visits_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"], ["users.id"], name=op.f("fk_inspection_visits_inspector_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["scheduled_by_id"],
            ["users.id"],
            name=op.f("fk_inspection_visits_scheduled_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_visits")),
    )
    op.create_index(
        op.f("ix_inspection_visits_application_id"), "inspection_visits", ["application_id"]
    )
    op.create_index(
        op.f("ix_inspection_visits_inspector_id"), "inspection_visits", ["inspector_id"]
    )
    with op.batch_alter_table("inspections") as batch:
        batch.add_column(sa.Column("visit_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_inspections_visit_id_inspection_visits"),
            "inspection_visits",
            ["visit_id"],
            ["id"],
        )
    op.create_table(
        "inspection_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=80), nullable=False),
        sa.Column("answer", sa.String(length=20), nullable=False),
        sa.Column("observation", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "answer IN ('cumple', 'no_cumple', 'no_aplica')",
            name=op.f("ck_inspection_answers_answer"),
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_inspection_answers_inspection_id_inspections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_answers")),
        sa.UniqueConstraint(
            "inspection_id", "item", name=op.f("uq_inspection_answers_inspection_id_item")
        ),
    )
    op.create_index(
        op.f("ix_inspection_answers_inspection_id"), "inspection_answers", ["inspection_id"]
    )
    op.create_table(
        "inspection_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_inspection_photos_inspection_id_inspections"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_inspection_photos_uploaded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_photos")),
    )
    op.create_index(
        op.f("ix_inspection_photos_inspection_id"), "inspection_photos", ["inspection_id"]
    )
    op.create_table(
        "opinions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("institution", sa.String(length=60), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", UTC(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("suspends_clock", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("answer", sa.String(length=20), nullable=True),
        sa.Column("answer_text", sa.Text(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("answered_at", UTC(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("document_filename", sa.String(length=255), nullable=True),
        sa.Column("document_content_type", sa.String(length=100), nullable=True),
        sa.Column("document_size", sa.Integer(), nullable=True),
        sa.Column("document_sha256", sa.String(length=64), nullable=True),
        sa.Column("document_key", sa.String(length=255), nullable=True),
        sa.Column("cancelled_at", UTC(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'answered', 'cancelled')", name=op.f("ck_opinions_status")
        ),
        sa.CheckConstraint(
            "answer IN ('positiva', 'negativa', 'con_condiciones')",
            name=op.f("ck_opinions_answer"),
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_opinions_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_opinions_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_opinions_answered_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opinions")),
    )
    op.create_index(op.f("ix_opinions_application_id"), "opinions", ["application_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_opinions_application_id"), table_name="opinions")
    op.drop_table("opinions")
    op.drop_index(op.f("ix_inspection_photos_inspection_id"), table_name="inspection_photos")
    op.drop_table("inspection_photos")
    op.drop_index(op.f("ix_inspection_answers_inspection_id"), table_name="inspection_answers")
    op.drop_table("inspection_answers")
    with op.batch_alter_table("inspections") as batch:
        batch.drop_constraint(
            batch.f("fk_inspections_visit_id_inspection_visits"), type_="foreignkey"
        )
        batch.drop_column("visit_id")
    op.drop_index(op.f("ix_inspection_visits_inspector_id"), table_name="inspection_visits")
    op.drop_index(op.f("ix_inspection_visits_application_id"), table_name="inspection_visits")
    op.drop_table("inspection_visits")
