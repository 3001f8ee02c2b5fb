"""issued documents: serial numbers per authority, type and year; several per case; resolutions

`document_counters` keeps the last serial per issuing authority, document type code (CONST,
CERT, RES, MAND) and El Salvador year. `issued_documents` gains `authority_id`, `serial`
(unique) and `history_entry_id` (the act that issued it, unique with `kind`, so an effect run
twice issues once); the unique (application_id, kind) goes (a case may hold several documents
of a kind over time) and `kind` admits 'resolution'. `payment_orders` gains `serial`.

The backfill numbers the existing documents and orders per authority, type and local year of
issue in the order (issued_at, id), and sets the counters to the last number given; existing
documents keep `history_entry_id` empty (which act issued them was not recorded).

Revision ID: 0016_serial
Revises: 0015_queue
Create Date: 2026-11-30 21:30:00
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0016_serial"
down_revision: str | None = "0015_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOCAL_TZ = ZoneInfo("America/El_Salvador")
TYPE_CODES = {"receipt": "CONST", "certificate": "CERT", "resolution": "RES"}


def upgrade() -> None:
    op.create_table(
        "document_counters",
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authorities.id"],
            name=op.f("fk_document_counters_authority_id_authorities"),
        ),
        sa.PrimaryKeyConstraint(
            "authority_id", "doc_type", "year", name=op.f("pk_document_counters")
        ),
    )
    with op.batch_alter_table("issued_documents") as batch:
        batch.add_column(sa.Column("authority_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("serial", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("history_entry_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("payment_orders") as batch:
        batch.add_column(sa.Column("serial", sa.String(length=40), nullable=True))

    _backfill()

    with op.batch_alter_table("issued_documents") as batch:
        batch.alter_column("authority_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("serial", existing_type=sa.String(length=40), nullable=False)
        batch.drop_constraint(op.f("uq_issued_documents_application_id_kind"), type_="unique")
        batch.drop_constraint(op.f("ck_issued_documents_kind"), type_="check")
        batch.create_check_constraint(
            op.f("ck_issued_documents_kind"), "kind IN ('receipt', 'certificate', 'resolution')"
        )
        batch.create_unique_constraint(op.f("uq_issued_documents_serial"), ["serial"])
        batch.create_unique_constraint(
            op.f("uq_issued_documents_history_entry_id_kind"), ["history_entry_id", "kind"]
        )
        batch.create_foreign_key(
            op.f("fk_issued_documents_authority_id_authorities"),
            "authorities",
            ["authority_id"],
            ["id"],
        )
        batch.create_foreign_key(
            op.f("fk_issued_documents_history_entry_id_history_entries"),
            "history_entries",
            ["history_entry_id"],
            ["id"],
        )
        batch.create_index(op.f("ix_issued_documents_authority_id"), ["authority_id"])
    with op.batch_alter_table("payment_orders") as batch:
        batch.alter_column("serial", existing_type=sa.String(length=40), nullable=False)
        batch.create_unique_constraint(op.f("uq_payment_orders_serial"), ["serial"])


def _aware(issued_at) -> datetime:
    """A stored naive-UTC timestamp (a string on SQLite) as an aware datetime."""
    if isinstance(issued_at, str):
        issued_at = datetime.fromisoformat(issued_at)
    return issued_at.replace(tzinfo=UTC)


def _backfill() -> None:
    """Number the rows per (authority, type, local year) by (issued_at, id); set the counters."""
    conn = op.get_bind()
    authority_of = dict(conn.execute(sa.text("SELECT id, authority_id FROM applications")).all())
    prefix_of = dict(conn.execute(sa.text("SELECT id, tracking_prefix FROM authorities")).all())
    documents = conn.execute(
        sa.text("SELECT id, application_id, kind, issued_at FROM issued_documents")
    ).all()
    orders = conn.execute(sa.text("SELECT id, application_id, issued_at FROM payment_orders")).all()
    rows = [
        ("issued_documents", d.id, d.application_id, TYPE_CODES[d.kind], _aware(d.issued_at))
        for d in documents
    ]
    rows += [
        ("payment_orders", o.id, o.application_id, "MAND", _aware(o.issued_at)) for o in orders
    ]
    rows.sort(key=lambda r: (r[4], r[1]))
    last: dict[tuple[int, str, int], int] = defaultdict(int)
    for table, row_id, application_id, doc_type, issued_at in rows:
        authority_id = authority_of[application_id]
        key = (authority_id, doc_type, issued_at.astimezone(LOCAL_TZ).year)
        last[key] += 1
        serial = f"{prefix_of[authority_id]}-{doc_type}-{key[2]}-{last[key]:06d}"
        values = {"id": row_id, "serial": serial, "authority_id": authority_id}
        if table == "issued_documents":
            conn.execute(
                sa.text(
                    "UPDATE issued_documents SET serial = :serial, authority_id = :authority_id "
                    "WHERE id = :id"
                ),
                values,
            )
        else:
            conn.execute(
                sa.text("UPDATE payment_orders SET serial = :serial WHERE id = :id"), values
            )
    for (authority_id, doc_type, year), number in sorted(last.items()):
        conn.execute(
            sa.text(
                "INSERT INTO document_counters (authority_id, doc_type, year, last) "
                "VALUES (:authority_id, :doc_type, :year, :last)"
            ),
            {"authority_id": authority_id, "doc_type": doc_type, "year": year, "last": number},
        )


def downgrade() -> None:
    conn = op.get_bind()
    # The older schema knows one document per case and kind, and no resolutions: keep the newest.
    conn.execute(sa.text("DELETE FROM issued_documents WHERE kind = 'resolution'"))
    conn.execute(
        sa.text(
            "DELETE FROM issued_documents WHERE id NOT IN (SELECT max(id) FROM issued_documents "
            "GROUP BY application_id, kind)"
        )
    )
    with op.batch_alter_table("payment_orders") as batch:
        batch.drop_constraint(op.f("uq_payment_orders_serial"), type_="unique")
        batch.drop_column("serial")
    with op.batch_alter_table("issued_documents") as batch:
        batch.drop_index(op.f("ix_issued_documents_authority_id"))
        batch.drop_constraint(
            op.f("fk_issued_documents_history_entry_id_history_entries"), type_="foreignkey"
        )
        batch.drop_constraint(
            op.f("fk_issued_documents_authority_id_authorities"), type_="foreignkey"
        )
        batch.drop_constraint(op.f("uq_issued_documents_history_entry_id_kind"), type_="unique")
        batch.drop_constraint(op.f("uq_issued_documents_serial"), type_="unique")
        batch.drop_constraint(op.f("ck_issued_documents_kind"), type_="check")
        batch.create_check_constraint(
            op.f("ck_issued_documents_kind"), "kind IN ('receipt', 'certificate')"
        )
        batch.create_unique_constraint(
            op.f("uq_issued_documents_application_id_kind"), ["application_id", "kind"]
        )
        batch.drop_column("history_entry_id")
        batch.drop_column("serial")
        batch.drop_column("authority_id")
    op.drop_table("document_counters")
