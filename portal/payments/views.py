"""Paying a case's fees: the order's PDF, "Pagar en línea", and the demonstration gateway.

The providers' callback is `portal.payments.api`."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forms.messages import message_for
from forms.review import ApplicationActionForm
from portal import permissions
from portal.downloads import send_download
from portal.errors import DomainError
from portal.extensions import db
from portal.payments import providers, services
from portal.payments.models import PaymentOrder

bp = Blueprint("payments", __name__, url_prefix="/pagos")


@bp.get("/<int:application_id>/<int:order_id>/mandamiento.pdf")
@login_required
def order_pdf(application_id: int, order_id: int):
    order = db.session.get(PaymentOrder, order_id)  # the rule checked it is this case's
    pdf = services.read_order_pdf(order)
    if pdf is None:
        abort(404)
    return send_download(pdf, "application/pdf", f"mandamiento-{order.number}.pdf")


@bp.post("/<int:application_id>/<int:order_id>/en-linea")
@login_required
def pay_online(application_id: int, order_id: int):
    application = permissions.current_case()
    if not ApplicationActionForm().validate_on_submit():
        abort(400)
    try:
        target = services.start_online_payment(
            actor=current_user, application=application, order_id=order_id
        )
    except DomainError as error:
        flash(message_for(error.code), "error")
        return redirect(url_for("applications.status", application_id=application.id))
    if target is None:  # paid already: the status page shows when
        flash(_("Este mandamiento ya está pagado."), "success")
        return redirect(url_for("applications.status", application_id=application.id))
    return redirect(target)


@bp.route("/simulador/<token>", methods=["GET", "POST"])
def simulator(token: str):
    gateway = providers.provider()
    paying = gateway.read_token(token) if isinstance(gateway, providers.SimulatedGateway) else None
    if paying is None:
        abort(404)
    reference, amount = paying
    form = ApplicationActionForm()
    order = services.order_with_reference(reference)
    if order is not None and order.status == "paid":
        # Paid already (back, a reopened page, a second click): nothing to confirm again.
        from portal.applications.effects import LOCAL_TZ

        return render_template(
            "payments/simulator.html",
            form=form,
            reference=reference,
            amount=f"{amount:,.2f}",
            paid_on=order.paid_at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M"),
            application_id=order.application_id,
        )
    if form.validate_on_submit():
        confirmed = request.form.get("decision") == "confirmar"
        application_id = services.simulate_payment(gateway, reference, amount, confirmed)
        flash(_("Pago recibido.") if confirmed else _("Pago cancelado."), "success")
        if application_id is None:
            return redirect(url_for("main.index"))
        return redirect(url_for("applications.status", application_id=application_id))
    return render_template(
        "payments/simulator.html", form=form, reference=reference, amount=f"{amount:,.2f}"
    )
