"""the catalogue: searchable entries (unaccent full-text on PostgreSQL), offices' contact details

Revision ID: 0014_cat
Revises: 0013
Create Date: 2026-11-30 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014_cat"
down_revision: str | None = "0014_plan"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_VECTOR = sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")

# `unaccent(text)` is STABLE (it reads the search_path for its dictionary), so it cannot feed an
# index; this wrapper names the dictionary and is IMMUTABLE (the usual PostgreSQL recipe).
UNACCENT_FUNCTION = """
CREATE OR REPLACE FUNCTION catalogue_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
"""


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public")
        op.execute(UNACCENT_FUNCTION)
    with op.batch_alter_table("authorities") as batch:
        batch.add_column(sa.Column("address", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("hours", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("phone", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("email", sa.String(length=120), nullable=True))
        batch.add_column(
            sa.Column("contact_confirmed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "catalogue_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("districts", sa.Text(), nullable=False),
        sa.Column("life_events", sa.String(length=200), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("search_vector", SEARCH_VECTOR, nullable=True),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authorities.id"],
            name=op.f("fk_catalogue_entries_authority_id_authorities"),
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedures.id"],
            name=op.f("fk_catalogue_entries_procedure_id_procedures"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["procedure_versions.id"],
            name=op.f("fk_catalogue_entries_version_id_procedure_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_entries")),
        sa.UniqueConstraint("version_id", name=op.f("uq_catalogue_entries_version_id")),
    )
    op.create_index(
        op.f("ix_catalogue_entries_procedure_id"), "catalogue_entries", ["procedure_id"]
    )
    op.create_index(
        op.f("ix_catalogue_entries_authority_id"), "catalogue_entries", ["authority_id"]
    )
    op.create_index(
        "ix_catalogue_entries_search_vector",
        "catalogue_entries",
        ["search_vector"],
        postgresql_using="gin",
    )
    # Entries are built from the definitions by `flask seed` (or any publication); existing
    # deployments run it once after this migration.


def downgrade() -> None:
    op.drop_index("ix_catalogue_entries_search_vector", table_name="catalogue_entries")
    op.drop_index(op.f("ix_catalogue_entries_authority_id"), table_name="catalogue_entries")
    op.drop_index(op.f("ix_catalogue_entries_procedure_id"), table_name="catalogue_entries")
    op.drop_table("catalogue_entries")
    with op.batch_alter_table("authorities") as batch:
        batch.drop_column("contact_confirmed")
        batch.drop_column("email")
        batch.drop_column("phone")
        batch.drop_column("hours")
        batch.drop_column("address")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS catalogue_unaccent(text)")
        # The extension stays: other objects may use it, and creating it needs a superuser.
