"""RQ entry points for payment order PDFs and the applicant's payment e-mails; each takes an
id and is safe to run twice."""

from portal.payments.services import mail_order, render_order


def render_payment_order(order_id: int) -> bool:
    return render_order(order_id)


def send_payment_mail(order_id: int, event: str) -> bool:
    return mail_order(order_id, event)
