"""Payment orders (mandamientos de pago): issue, render, pay at the counter or online, once.

Both ways of paying end in `_settle`, under the case's row lock then the order's: the order is
paid once, the history says who recorded it, and a transition the definition gives to the
`system` role that checks `fee_paid` (a closure that ends once its taxes are paid) fires at
once, as the office would. A payment that arrives for an order already paid is kept as a
duplicate to refund (`PaymentNotification.outcome == "duplicate"`), never a second payment.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

import workflows
from portal.accounts.models import AuditEvent, User
from portal.applications.models import Application, HistoryEntry
from portal.errors import InvalidInput, NotFound
from portal.extensions import db, utcnow
from portal.idempotent import insert_if_absent
from portal.jobs.services import enqueue
from portal.payments import providers
from portal.payments.assessment import Assessment
from portal.payments.models import PaymentNotification, PaymentOrder
from portal.payments.references import make_reference, normalize
from portal.storage import storage
from portal.walkin.contact import mail_to
from workflows.effects import DEFAULT_PAYMENT_DUE_BUSINESS_DAYS
from workflows.fees import needs_unconfirmed_notice
from workflows.guards import RECORD_PAYMENT
from workflows.tasks import tasks_fed

log = logging.getLogger(__name__)

SYSTEM = "system"
#: Audit action of a notification whose signature did not match.
BAD_SIGNATURE = "payment.bad_signature"
SIGNATURE_REFUSALS = ("missing_signature", "bad_signature")


def list_payment_orders(application_id: int) -> list[PaymentOrder]:
    return list(
        db.session.scalars(
            sa.select(PaymentOrder)
            .where(PaymentOrder.application_id == application_id)
            .order_by(PaymentOrder.id)
        )
    )


def list_duplicates(application_id: int) -> list[PaymentNotification]:
    """Online payments taken for orders of the case that were already paid: to refund."""
    return list(
        db.session.scalars(
            sa.select(PaymentNotification)
            .join(PaymentOrder, PaymentOrder.id == PaymentNotification.order_id)
            .where(
                PaymentOrder.application_id == application_id,
                PaymentNotification.outcome == "duplicate",
            )
            .order_by(PaymentNotification.id)
        )
    )


# ---------------------------------------------------------------- issuing


def issue_order(
    application: Application,
    definition: workflows.Definition,
    assessment: Assessment,
    params: Mapping[str, object],
) -> PaymentOrder:
    """Add the case's payment order for `assessment` and enqueue its PDF (flush only).

    The due date is `params["due_business_days"]` (the `request_payment` effect's parameter;
    `DEFAULT_PAYMENT_DUE_BUSINESS_DAYS` when absent) business days after the day of issue,
    on the issuing office's calendar (`portal.applications.clocks.calendar_of`, LPA Art. 82).
    """
    from portal.applications.clocks import calendar_of
    from portal.applications.effects import local_now
    from portal.certificates.serials import next_serial

    count = db.session.scalar(
        sa.select(sa.func.count(PaymentOrder.id)).where(
            PaymentOrder.application_id == application.id
        )
    )
    today = local_now().date()
    days = int(params.get("due_business_days") or DEFAULT_PAYMENT_DUE_BUSINESS_DAYS)
    issued_at = utcnow()
    order = PaymentOrder(
        application_id=application.id,
        number=f"MP-{application.tracking_number}-{count + 1}",
        serial=next_serial(
            application.authority, "payment_order", issued_at, test=application.is_test
        ),
        issued_at=issued_at,
        amount=assessment.total,
        tariff_regime=assessment.regime,
        due_on=calendar_of(application).add_business_days(today, days),
        lines=[
            {
                "code": line.code,
                "label": {"es": line.label.es, "en": line.label.en},
                "amount": str(line.amount),
                "placeholder": line.placeholder,
            }
            for line in assessment.lines
        ],
    )
    db.session.add(order)
    db.session.flush()
    order.reference = make_reference(application.tracking_number, count + 1)
    enqueue("render_payment_order", order_id=order.id)
    enqueue("payment_mail", order_id=order.id, event=ISSUED)
    return order


@dataclass(frozen=True)
class HowToPay:
    """Where and how an order can be paid, for its PDF and the status page.

    Attributes:
        online: An online provider is configured ("Pagar en línea").
        office: The issuing office's name (its counter, "colecturía").
        office_place: Where it is (its seat), for the counter.
        hours: The procedure's opening hours, Spanish, when the definition gives them.
        banks: Banks that take the order at their branches (configuration `PAYMENT_BANKS`).
    """

    online: bool
    office: str
    office_place: str
    hours: str | None
    banks: tuple[str, ...]


def how_to_pay(application: Application, definition: workflows.Definition) -> HowToPay:
    catalogue = definition.catalogue
    return HowToPay(
        online=providers.provider() is not None,
        office=application.authority.name,
        office_place=application.authority.place,
        hours=catalogue.hours.es if catalogue.hours else None,
        banks=tuple(current_app.config.get("PAYMENT_BANKS", ())),
    )


def _order_context(order: PaymentOrder) -> dict:
    from portal.applications.bindings import certificate_holder
    from portal.links import status_url, verification_url
    from portal.pdf import qr_svg_data_uri
    from portal.procedures.services import definition_of
    from portal.tracking.services import display_code

    application = db.session.get(Application, order.application_id)
    definition = definition_of(application.procedure_version)
    return {
        "authority_name": application.authority.name,
        "procedure_title": definition.title.es,
        "tracking_number": application.tracking_number,
        "order": order,
        "serial": order.serial,
        "lines": [
            (
                line["label"]["es"],
                line["amount"],
                needs_unconfirmed_notice(line["label"]["es"], line["placeholder"]),
            )
            for line in order.lines
        ],
        "total": f"{order.amount:,.2f}",
        "holder_name": certificate_holder(application, definition),
        "how": how_to_pay(application, definition),
        "status_url": status_url(application.id),
        "verification_code": display_code(order.code),
        "verification_url": verification_url(order.code),
        "qr": qr_svg_data_uri(verification_url(order.code)),
    }


#: The payment e-mails the applicant gets: an order was issued, an order was paid.
ISSUED, PAID = "issued", "paid"


def mail_order(order_id: int, event: str) -> bool:
    """E-mail the applicant that an order was issued (amount, reference, due date, how to pay)
    or paid (the receipt: when, how, the payment's reference); True when sent now.

    Sent once per order and event (`notifications.send_once`, key `order-<id>-<event>`), in
    the applicant's language, and kept in their notification centre (/avisos). Runs in the
    job's transaction.
    """
    from flask_babel import gettext

    from portal.applications.effects import LOCAL_TZ
    from portal.links import status_url
    from portal.notifications.services import locale_of, send_once
    from portal.procedures.services import definition_of

    order = db.session.get(PaymentOrder, order_id)
    if order is None or event not in (ISSUED, PAID) or (event == PAID and order.paid_at is None):
        return False
    application = db.session.get(Application, order.application_id)
    definition = definition_of(application.procedure_version)
    locale = locale_of(application.applicant)
    number, amount = application.tracking_number, f"{order.amount:,.2f}"

    def subject() -> str:  # evaluated by send_once in the applicant's language
        if event == ISSUED:
            return gettext(
                "Mandamiento de pago del expediente %(number)s: $%(amount)s",
                number=number,
                amount=amount,
            )
        return gettext(
            "Pago recibido: expediente %(number)s ($%(amount)s)", number=number, amount=amount
        )

    return send_once(
        f"order-{order.id}-{event}",
        to=mail_to(application),
        locale=locale,
        subject=subject,
        template=f"email/payment_{event}.txt",
        context={
            "application": application,
            "order": order,
            "serial": order.serial,
            "amount": amount,
            "procedure_title": definition.title.get(locale),
            "due_on": order.due_on.strftime("%d/%m/%Y") if order.due_on else "",
            "paid_at": order.paid_at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")
            if order.paid_at
            else "",
            "how": how_to_pay(application, definition),
            "status_url": status_url(application.id),
        },
        user_id=application.applicant_id,
        application_id=application.id,
    )


def render_order(order_id: int) -> bool:
    """Render and store the order's PDF once; True when rendered now (the outbox commits).

    The order's row is locked while its PDF is checked, rendered and recorded, so two runs
    store one PDF (as `portal.certificates.services.render_issued`).
    """
    from portal.pdf import render_into
    from portal.signing.signers import seal

    order = db.session.scalar(
        sa.select(PaymentOrder)
        .where(PaymentOrder.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if order is None or order.pdf_key is not None:
        return False
    application = db.session.get(Application, order.application_id)
    number = application.tracking_number
    render_into(
        order,
        "pdf/payment_order.html",
        _order_context(order),
        prefix=f"orders/{order.application_id}",
        # Fixed per order, as issued documents (`portal.certificates.services.storage_name`).
        name=f"{order.id}-{order.serial}",
        signer=seal(application.authority, f"Mandamiento de pago del expediente {number}"),
        test=application.is_test,
    )
    return True


def read_order_pdf(order: PaymentOrder) -> bytes | None:
    return storage().get(order.pdf_key) if order.pdf_key else None


# ---------------------------------------------------------------- paying


def _locked_order(application: Application, order_id: int) -> PaymentOrder | None:
    return db.session.scalar(
        sa.select(PaymentOrder)
        .where(PaymentOrder.id == order_id, PaymentOrder.application_id == application.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _settle(
    application: Application,
    order: PaymentOrder,
    *,
    via: str,
    reference: str,
    actor: User | None,
    role: str,
) -> None:
    """Mark a pending order paid, write who recorded it, and let the case go on (flush only).

    The caller holds the case's lock and the order's. When every order of the case is then
    paid, the first transition from the current state that the `system` role may take and that
    checks `fee_paid` fires, if its guards pass; otherwise the office acts as before.
    """
    from portal.applications.services import fire_as
    from portal.procedures.services import definition_of
    from portal.review.services import fee_paid

    order.status, order.paid_at, order.paid_via = "paid", utcnow(), via
    order.payment_reference = reference[:80]
    db.session.add(
        HistoryEntry(
            application_id=application.id,
            actor_id=actor.id if actor else None,
            actor_role=role,
            action=RECORD_PAYMENT,
            from_state=application.state,
            to_state=application.state,
        )
    )
    db.session.flush()
    enqueue("payment_mail", order_id=order.id, event=PAID)
    if not fee_paid(application):
        return
    definition = definition_of(application.procedure_version)
    for transition in definition.transitions_from(application.state):
        if SYSTEM in transition.roles and RECORD_PAYMENT in tasks_fed(transition):
            try:
                fire_as(application, definition, transition.action, SYSTEM)
            except workflows.TransitionNotAllowed:
                continue
            return


def record_counter_payment(
    application: Application, order_id: int, reference: str, actor: User, role: str
) -> PaymentOrder:
    """Pay an order of the locked case at the counter (flush only); a paid order stays as it is.

    Raises:
        NotFound: the order is not this case's.
        InvalidInput: `required` at `reference`.
    """
    order = _locked_order(application, order_id)
    if order is None:
        raise NotFound("not_found")
    if not reference.strip():
        raise InvalidInput("required", field="reference")
    if order.status == "pending":
        _settle(
            application, order, via="counter", reference=reference.strip(), actor=actor, role=role
        )
    return order


def start_online_payment(*, actor: User, application: Application, order_id: int) -> str | None:
    """Send the applicant to the provider to pay a pending order; return where to go.

    Returns None when the order is paid already (a second "Pagar en línea", back and send
    again): nothing to pay, the case's status page says so.

    Raises:
        NotFound: not the actor's case, or not its order.
        InvalidInput: `order_not_pending` (cancelled meanwhile: the page says so),
            `online_payment_off` (no provider configured).
    """
    from portal import permissions

    permissions.authorize(actor, application, permissions.OWN)
    order = db.session.scalar(
        sa.select(PaymentOrder).where(
            PaymentOrder.id == order_id, PaymentOrder.application_id == application.id
        )
    )
    if order is None:
        raise NotFound("not_found")
    if order.status == "paid":
        return None
    if order.status != "pending" or not order.reference:
        raise InvalidInput("order_not_pending")
    provider = providers.provider()
    if provider is None:
        raise InvalidInput("online_payment_off")
    return provider.start(order.reference, order.amount)


class PaymentsOff(Exception):
    """No payment provider is configured (or no callback secret): nothing can be verified."""


@dataclass(frozen=True)
class Received:
    """What the callback answers: `outcome` (a `PaymentNotification` outcome) and whether this
    call recorded it (False: the same transaction id was notified before, a no-op)."""

    outcome: str
    new: bool


def receive_notification(body: bytes, headers: Mapping[str, str], ip: str | None) -> Received:
    """Apply a provider's signed notification, once per provider transaction id.

    A `paid` notification for a pending order of the same amount pays it (`_settle`); for an
    order already paid it is a `duplicate` (money to refund, shown to staff); with another
    amount it is an `amount_mismatch` and the order stays pending. One transaction.

    Raises:
        providers.InvalidNotification: `missing_signature` or `bad_signature` (audited in its
            own transaction, as `payment.bad_signature`), or `malformed`; nothing else is
            written.
        PaymentsOff: no provider is configured.
    """
    from portal.applications.services import lock_application

    provider = providers.provider()
    if provider is None:
        raise PaymentsOff("online payment is off: no provider or no callback secret")
    try:
        notification = provider.verify(body, headers)
    except providers.InvalidNotification as refused:
        if refused.code in SIGNATURE_REFUSALS:
            db.session.add(
                AuditEvent(
                    action=BAD_SIGNATURE,
                    subject=provider.name,
                    ip=ip,
                    detail={"reason": refused.code},
                )
            )
            db.session.commit()
        raise
    known = _notification(provider.name, notification.transaction_id)
    if known is not None:
        return Received(known.outcome, new=False)
    reference = normalize(notification.reference)
    order = db.session.scalar(sa.select(PaymentOrder).where(PaymentOrder.reference == reference))
    if order is not None:
        application = lock_application(db.session.get(Application, order.application_id))
        order = _locked_order(application, order.id)
    outcome = _outcome(order, notification)
    if not insert_if_absent(
        PaymentNotification,
        provider=provider.name,
        transaction_id=notification.transaction_id,
        order_id=order.id if order else None,
        reference=reference[:40],
        amount=notification.amount,
        outcome=outcome,
        received_at=utcnow(),
    ):  # the same notification, committed meanwhile by a concurrent call
        db.session.rollback()
        return Received(_notification(provider.name, notification.transaction_id).outcome, False)
    if outcome == "paid":
        _settle(
            application,
            order,
            via="online",
            reference=notification.transaction_id,
            actor=None,
            role=SYSTEM,
        )
    elif outcome == "duplicate":
        log.warning(
            "payment %s for paid order %s: to refund", notification.transaction_id, reference
        )
    db.session.commit()
    return Received(outcome, new=True)


def _notification(provider: str, transaction_id: str) -> PaymentNotification | None:
    return db.session.scalar(
        sa.select(PaymentNotification).where(
            PaymentNotification.provider == provider,
            PaymentNotification.transaction_id == transaction_id,
        )
    )


def _outcome(order: PaymentOrder | None, notification: providers.Notification) -> str:
    if order is None:
        return "unknown_reference"
    if notification.status == providers.CANCELLED:
        return "cancelled"
    if notification.amount != order.amount:
        return "amount_mismatch"
    return "paid" if order.status == "pending" else "duplicate"


def order_with_reference(reference: str) -> PaymentOrder | None:
    """The order a payment reference names (read as typed: `references.normalize`), or None."""
    return db.session.scalar(
        sa.select(PaymentOrder).where(PaymentOrder.reference == normalize(reference))
    )


def simulate_payment(
    gateway: providers.SimulatedGateway, reference: str, amount, confirmed: bool
) -> int | None:
    """Notify, as the demonstration gateway, that the person paid or cancelled; one transaction.

    The notification is signed and goes through `receive_notification`, as the gateway's own
    POST to `/api/pagos/notificacion` would (see `portal.payments.providers`). Returns the id
    of the case the order belongs to (to send the person back to it), or None.
    """
    notification = providers.Notification(
        reference=reference,
        transaction_id=f"SIM-{secrets.token_hex(10).upper()}",
        amount=amount,
        status=providers.PAID if confirmed else providers.CANCELLED,
    )
    body, headers = gateway.signed(notification)
    receive_notification(body, headers, ip=None)
    return db.session.scalar(
        sa.select(PaymentOrder.application_id).where(PaymentOrder.reference == reference)
    )
