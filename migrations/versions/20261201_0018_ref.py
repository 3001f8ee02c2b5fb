"""reference data with dates: reference_values, and recurring days off in force between years

Revision ID: 0018_ref
Revises: 0017_fixb
Create Date: 2026-12-01 01:00:00

Issue 11 item 7. A minimum wage, the Ley MYPE thresholds and a district's tariff regime are
rows in force from a date (`reference_values`), so a past date reads them as they were then.
The districts' regimes move here from `authorities.tariff_regime`, in force since 1990 (the
first year the calendars show). The minimum wages and MYPE rules are those of
reference/law-and-codes.md §5.1 and §5.2. A recurring day off gets the years it is in force
(`first_year`, `last_year`), so a day added or ended from now on leaves past years alone.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0018_ref"
down_revision: str | None = "0018_test"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NaiveUTC = sa.DateTime  # portal.extensions.UTCDateTime stores naive UTC
ORIGIN = date(1990, 1, 1)
WAGE_SOURCE_2021 = "Decreto Ejecutivo de salarios mínimos, vigente desde el 1 de agosto de 2021"
WAGE_SOURCE_2025 = "Decreto de salarios mínimos publicado el 23 de mayo de 2025"
MYPE_2014 = "Ley MYPE, D.L. 667 de 2014"
MYPE_2026 = "Reforma a la Ley MYPE, Diario Oficial del 16 de marzo de 2026"
#: (kind, key, valid_from, value, source): national values as reference/law-and-codes.md gives them.
NATIONAL = [
    ("minimum_wage", "comercio_servicios", date(2021, 8, 1), {"monthly": "365.00"},
     WAGE_SOURCE_2021),
    ("minimum_wage", "industria", date(2021, 8, 1), {"monthly": "365.00"}, WAGE_SOURCE_2021),
    ("minimum_wage", "comercio_servicios", date(2025, 6, 1), {"monthly": "408.80"},
     WAGE_SOURCE_2025),
    ("minimum_wage", "industria", date(2025, 6, 1), {"monthly": "408.80"}, WAGE_SOURCE_2025),
    ("minimum_wage", "maquila_textil", date(2025, 6, 1), {"monthly": "402.25"},
     WAGE_SOURCE_2025),
    ("mype_rule", "thresholds", date(2014, 1, 1),
     {"micro_max_wages": 482, "small_max_wages": 4817, "micro_max_workers": 10,
      "small_max_workers": 50}, MYPE_2014),
    ("mype_rule", "thresholds", date(2026, 3, 16),
     {"micro_max_wages": 500, "small_max_wages": 5000, "micro_max_workers": 10,
      "small_max_workers": 50}, MYPE_2026),
]  # fmt: skip


def upgrade() -> None:
    values = op.create_table(
        "reference_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=300), server_default="", nullable=False),
        sa.Column("created_at", NaiveUTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authorities.id"],
            name=op.f("fk_reference_values_authority_id_authorities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_values")),
    )
    op.create_index(op.f("ix_reference_values_authority_id"), "reference_values", ["authority_id"])
    op.create_index(
        "ix_reference_values_lookup",
        "reference_values",
        ["kind", "key", "authority_id", "valid_from"],
    )
    now = datetime.now(UTC).replace(tzinfo=None)  # naive UTC, as UTCDateTime stores
    rows = [
        {"kind": k, "key": key, "authority_id": None, "valid_from": when, "value": value,
         "source": source, "created_at": now}
        for k, key, when, value, source in NATIONAL
    ]  # fmt: skip
    authorities = sa.table(
        "authorities", sa.column("id", sa.Integer), sa.column("tariff_regime", sa.String)
    )
    bind = op.get_bind()
    for authority_id, regime in bind.execute(
        sa.select(authorities.c.id, authorities.c.tariff_regime).where(
            authorities.c.tariff_regime.is_not(None)
        )
    ):
        rows.append(
            {"kind": "tariff_regime", "key": "regime", "authority_id": authority_id,
             "valid_from": ORIGIN, "value": {"regime": regime},
             "source": "reference/authorities.md, punto 2", "created_at": now}
        )  # fmt: skip
    op.bulk_insert(values, rows)
    with op.batch_alter_table("authorities") as batch:
        batch.drop_column("tariff_regime")
    with op.batch_alter_table("authority_days_off") as batch:
        batch.add_column(sa.Column("first_year", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("last_year", sa.Integer(), nullable=True))
        batch.drop_constraint("uq_authority_days_off_authority_id_year_month_day", type_="unique")
        batch.create_unique_constraint(
            batch.f("uq_authority_days_off_authority_id_year_month_day_first_year"),
            ["authority_id", "year", "month", "day", "first_year"],
        )


def downgrade() -> None:
    with op.batch_alter_table("authority_days_off") as batch:
        batch.drop_constraint(
            "uq_authority_days_off_authority_id_year_month_day_first_year", type_="unique"
        )
        batch.create_unique_constraint(
            batch.f("uq_authority_days_off_authority_id_year_month_day"),
            ["authority_id", "year", "month", "day"],
        )
        batch.drop_column("last_year")
        batch.drop_column("first_year")
    with op.batch_alter_table("authorities") as batch:
        batch.add_column(sa.Column("tariff_regime", sa.String(length=40), nullable=True))
    values = sa.table(
        "reference_values",
        sa.column("kind", sa.String),
        sa.column("authority_id", sa.Integer),
        sa.column("valid_from", sa.Date),
        sa.column("value", sa.JSON),
    )
    authorities = sa.table(
        "authorities", sa.column("id", sa.Integer), sa.column("tariff_regime", sa.String)
    )
    bind = op.get_bind()
    latest: dict[int, str] = {}
    for authority_id, value in bind.execute(
        sa.select(values.c.authority_id, values.c.value)
        .where(values.c.kind == "tariff_regime")
        .order_by(values.c.valid_from)
    ):
        latest[authority_id] = value["regime"]
    for authority_id, regime in latest.items():
        bind.execute(
            authorities.update()
            .where(authorities.c.id == authority_id)
            .values(tariff_regime=regime)
        )
    op.drop_index("ix_reference_values_lookup", table_name="reference_values")
    op.drop_index(op.f("ix_reference_values_authority_id"), table_name="reference_values")
    op.drop_table("reference_values")
