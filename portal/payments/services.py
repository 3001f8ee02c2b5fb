"""Queries on payment orders (paying them comes with the payments feature)."""

from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.payments.models import PaymentOrder


def list_payment_orders(application_id: int) -> list[PaymentOrder]:
    return list(
        db.session.scalars(
            sa.select(PaymentOrder)
            .where(PaymentOrder.application_id == application_id)
            .order_by(PaymentOrder.id)
        )
    )
