"""subjects as records: legal units, properties, establishments' life span, case links

Revision ID: 0013
Revises: 0009
Create Date: 2026-11-30 12:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime  # portal.extensions.UTCDateTime stores naive UTC


def upgrade() -> None:
    op.create_table(
        "legal_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nit", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_legal_units_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_units")),
        sa.UniqueConstraint("nit", name=op.f("uq_legal_units_nit")),
    )
    op.create_index(op.f("ix_legal_units_owner_id"), "legal_units", ["owner_id"])
    op.create_table(
        "properties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cadastral_key", sa.String(length=40), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("lot_area_m2", sa.Numeric(14, 2), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"], ["authorities.id"], name=op.f("fk_properties_district_id_authorities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_properties")),
        sa.UniqueConstraint("cadastral_key", name=op.f("uq_properties_cadastral_key")),
    )
    op.create_index(op.f("ix_properties_district_id"), "properties", ["district_id"])
    with op.batch_alter_table("establishments") as batch:
        batch.add_column(sa.Column("legal_unit_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("address", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("details", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch.add_column(sa.Column("valid_to", sa.Date(), nullable=True))
        batch.add_column(sa.Column("updated_at", UTC(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_establishments_legal_unit_id_legal_units"),
            "legal_units",
            ["legal_unit_id"],
            ["id"],
        )
        batch.create_index(op.f("ix_establishments_legal_unit_id"), ["legal_unit_id"])
    # Establishments registered before: their life starts on the day they were registered.
    op.execute(
        "UPDATE establishments SET details = '{}', updated_at = registered_at, "
        "valid_from = CAST(registered_at AS DATE), valid_to = CAST(closed_at AS DATE)"
    )
    with op.batch_alter_table("establishments") as batch:
        batch.alter_column("details", existing_type=sa.JSON(), nullable=False)
        batch.alter_column("updated_at", existing_type=UTC(), nullable=False)
    op.create_table(
        "case_subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("legal_unit_id", sa.Integer(), nullable=True),
        sa.Column("establishment_id", sa.Integer(), nullable=True),
        sa.Column("property_id", sa.Integer(), nullable=True),
        sa.Column("acting_as", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN legal_unit_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN establishment_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN property_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_case_subjects_one_record"),
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_case_subjects_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["establishment_id"],
            ["establishments.id"],
            name=op.f("fk_case_subjects_establishment_id_establishments"),
        ),
        sa.ForeignKeyConstraint(
            ["legal_unit_id"],
            ["legal_units.id"],
            name=op.f("fk_case_subjects_legal_unit_id_legal_units"),
        ),
        sa.ForeignKeyConstraint(
            ["property_id"], ["properties.id"], name=op.f("fk_case_subjects_property_id_properties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_subjects")),
        sa.UniqueConstraint(
            "application_id", "role", name=op.f("uq_case_subjects_application_id_role")
        ),
    )
    for column in ("application_id", "legal_unit_id", "establishment_id", "property_id"):
        op.create_index(op.f(f"ix_case_subjects_{column}"), "case_subjects", [column])


def downgrade() -> None:
    op.drop_table("case_subjects")
    with op.batch_alter_table("establishments") as batch:
        batch.drop_index(op.f("ix_establishments_legal_unit_id"))
        batch.drop_constraint(
            op.f("fk_establishments_legal_unit_id_legal_units"), type_="foreignkey"
        )
        for column in ("updated_at", "valid_to", "valid_from", "details", "address"):
            batch.drop_column(column)
        batch.drop_column("legal_unit_id")
    op.drop_index(op.f("ix_properties_district_id"), table_name="properties")
    op.drop_table("properties")
    op.drop_index(op.f("ix_legal_units_owner_id"), table_name="legal_units")
    op.drop_table("legal_units")
