"""What the payment section of a case's pages shows (applicant's status page, clerk's case)."""

from __future__ import annotations

import workflows
from portal.applications.models import Application
from portal.payments.services import how_to_pay, list_duplicates, list_payment_orders


def payments_view(
    application: Application, definition: workflows.Definition, viewer_is_applicant: bool
) -> dict:
    """The case's orders, how to pay the pending ones, and payments to refund (staff only).

    Keys: `orders` (PaymentOrder list, oldest first), `how` (`HowToPay`, or None when nothing
    is pending), `pay_online` (the applicant may start an online payment), `duplicates`
    (PaymentNotification list: money taken for orders already paid; empty for the applicant),
    `paid_at` (order id -> "27/03/2026 10:15", El Salvador time).
    """
    from portal.applications.effects import LOCAL_TZ

    orders = list_payment_orders(application.id)
    pending = any(order.status == "pending" for order in orders)
    how = how_to_pay(application, definition) if pending else None
    return {
        "orders": orders,
        "how": how,
        "pay_online": bool(how and how.online and viewer_is_applicant),
        "duplicates": [] if viewer_is_applicant else list_duplicates(application.id),
        "paid_at": {
            order.id: order.paid_at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")
            for order in orders
            if order.paid_at
        },
    }


def paid_orders(application: Application) -> list[tuple]:
    """The case's paid orders, oldest first, as (PaymentOrder, "27/03/2026" El Salvador time):
    what the applicant paid, said before they withdraw."""
    from portal.applications.effects import LOCAL_TZ

    return [
        (order, order.paid_at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y"))
        for order in list_payment_orders(application.id)
        if order.status == "paid" and order.paid_at
    ]
