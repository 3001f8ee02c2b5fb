"""RQ entry point for payment order PDFs; takes an id and is safe to run twice."""

from portal.payments.services import render_order


def render_payment_order(order_id: int) -> bool:
    return render_order(order_id)
