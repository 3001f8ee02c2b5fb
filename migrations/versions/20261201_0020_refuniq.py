"""reference_values: one version per kind, key, authority and first day

Revision ID: 0020_refuniq
Revises: 0019_count
Create Date: 2026-12-01 05:35:00

Two admins (or one double click on the confirmation) adding the same dated value at the same
moment both passed the service's "is there a version from that day?" check and stored two
rows (a newcomer's trial, issue 11). The database now keeps one: a unique index over kind,
key, the authority (national values, with no authority, count as authority 0) and the first
day. The second insert fails and the portal sends the person back to the page, which shows
the one version (portal/error_pages.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_refuniq"
down_revision: str | None = "0019_count"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "uq_reference_values_version",
        "reference_values",
        ["kind", "key", sa.text("coalesce(authority_id, 0)"), "valid_from"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_reference_values_version", table_name="reference_values")
