"""PaymentOrder: the fees assessed for a case, to be paid before it goes on."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import UTCDateTime, db, utcnow


class PaymentOrder(db.Model):
    __tablename__ = "payment_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    # [{code, label: {es, en}, amount: "12.50", placeholder: bool}] as assessed, kept as issued.
    lines: Mapped[list] = mapped_column(sa.JSON)
    tariff_regime: Mapped[str | None] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payment_reference: Mapped[str | None] = mapped_column(sa.String(80))

    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'paid', 'cancelled')", name="status"),
    )
