"""PaymentOrder: the fees assessed for a case, to be paid before it goes on; and what payment
providers told us about paying them (PaymentNotification)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import UTCDateTime, db, utcnow
from portal.tracking.services import new_verification_code

#: How an order was paid: recorded at the office's counter, or notified by an online provider.
PAID_VIA = ("counter", "online")


class PaymentOrder(db.Model):
    """A mandamiento de pago, created in the transaction that fires `request_payment`.

    `reference` is the payment reference a bank or gateway quotes (`portal.payments.references`),
    `due_on` the last day to pay (business days on the issuing office's calendar); the PDF is
    rendered later by a job (`render_payment_order`) and stored once (`pdf_key`).
    """

    __tablename__ = "payment_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    # The order within its case (MP-<expediente>-<n>), quoted in e-mails and on the status page.
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    # The issuing authority's serial of the order as a document: OPAMSS-MAND-2026-000042
    # (`portal.certificates.serials`), printed on its PDF.
    serial: Mapped[str] = mapped_column(sa.String(40), unique=True)
    # Its public verification code, printed under the QR (`/verificar/<code>`), as an issued
    # document's (`portal.tracking.services.new_verification_code`).
    code: Mapped[str] = mapped_column(
        sa.String(32), unique=True, default=lambda: new_verification_code()
    )
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    # [{code, label: {es, en}, amount: "12.50", placeholder: bool}] as assessed, kept as issued.
    lines: Mapped[list] = mapped_column(sa.JSON)
    tariff_regime: Mapped[str | None] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payment_reference: Mapped[str | None] = mapped_column(sa.String(80))
    # None on orders issued before payment references existed.
    reference: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    paid_via: Mapped[str | None] = mapped_column(sa.String(20))
    pdf_key: Mapped[str | None] = mapped_column(sa.String(255))
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'paid', 'cancelled')", name="status"),
        sa.CheckConstraint("paid_via IN ('counter', 'online')", name="paid_via"),
    )


#: What became of a provider's notification (see `portal.payments.services.receive_notification`).
OUTCOMES = ("paid", "duplicate", "cancelled", "amount_mismatch", "unknown_reference")


class PaymentNotification(db.Model):
    """One notification of a payment provider, kept once per provider transaction id.

    The unique (provider, transaction_id) makes a repeated callback a no-op; `outcome` says what
    it did: `paid` paid the order; `duplicate` is money taken for an order already paid (to be
    refunded, shown to staff); `cancelled` the person gave up; `amount_mismatch` and
    `unknown_reference` changed nothing.
    """

    __tablename__ = "payment_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(sa.String(30))
    transaction_id: Mapped[str] = mapped_column(sa.String(80))
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payment_orders.id"), index=True)
    reference: Mapped[str] = mapped_column(sa.String(40))
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    outcome: Mapped[str] = mapped_column(sa.String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("provider", "transaction_id"),
        sa.CheckConstraint(
            "outcome IN ('paid', 'duplicate', 'cancelled', 'amount_mismatch', 'unknown_reference')",
            name="outcome",
        ),
    )
