"""The counter (/bandeja/ventanilla): a clerk or supervisor files for a citizen, as their agent."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from forms.messages import message_for
from forms.walkin import CounterFilingForm
from portal import permissions
from portal.errors import NotAllowed, NotFound
from portal.links import public_url, tracking_url
from portal.procedures.models import Procedure
from portal.procedures.services import definition_of
from portal.tracking.services import display_code
from portal.views_util import staff_required
from portal.walkin import services

bp = Blueprint("walkin", __name__, url_prefix="/bandeja/ventanilla")


def _refuse_other_staff() -> None:
    try:
        services.refuse_counter(current_user)
    except NotAllowed as refused:
        permissions.deny(refused, None, "counter")


@bp.route("/", methods=["GET", "POST"])
@staff_required
def counter():
    """Choose the procedure and identify the citizen; then the draft's steps, as their agent."""
    _refuse_other_staff()
    locale = str(get_locale())
    procedures = services.procedures_for(current_user)
    form = CounterFilingForm()
    form.procedure.choices = [("", _("Elija un trámite"))] + [
        (str(p.id), f"{p.title.get(locale) or p.title.get('es')} ({p.authority.short_name})")
        for p in procedures
    ]
    if request.method == "GET":
        form.token.data = secrets.token_urlsafe(24)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            procedure = _procedure_in_scope(form.procedure.data, procedures)
            try:
                opened = services.open_counter_draft(
                    clerk=current_user,
                    procedure=procedure,
                    token=form.token.data,
                    id_kind=form.id_kind.data,
                    identifier=form.identifier.data,
                    full_name=form.full_name.data,
                    email=form.email.data,
                    phone=form.phone.data,
                )
            except NotFound:  # closed since the page was made
                form.procedure.errors.append(message_for("procedure_closed"))
            else:
                if opened.registered:
                    flash(
                        _(
                            "Esta persona ya tiene cuenta en el portal: la solicitud aparecerá en "
                            "su cuenta, en «Mis solicitudes»."
                        ),
                        "success",
                    )
                return redirect(
                    url_for("drafts.step", application_id=opened.application.id, number=1)
                )
        status = 422
    waiting = services.waiting_on_citizen(current_user)
    return render_template(
        "walkin/counter.html",
        form=form,
        cases=services.counter_cases(current_user),
        waiting=waiting,
        waiting_ids={application.id for application, _walk_in in waiting},
        definition_of=definition_of,
        locale=locale,
    ), status


def _procedure_in_scope(value: str, procedures: list[Procedure]) -> Procedure:
    """The chosen procedure; one out of the clerk's scope (a tampered form) is 404, audited."""
    chosen = next((p for p in procedures if str(p.id) == value), None)
    if chosen is None:
        permissions.deny(NotFound("not_your_procedure"), None, "counter")
    return chosen


@bp.get("/<int:application_id>/constancia")
@staff_required
def receipt(application_id: int):
    """The counter receipt to print: tracking number, tracking code and claim code."""
    application = permissions.current_case()  # authorized by the route's declared rule
    walk_in = services.walk_in_of(application.id)
    if walk_in is None or application.tracking_number is None:
        abort(404)
    definition = definition_of(application.procedure_version)
    return render_template(
        "walkin/receipt.html",
        application=application,
        walk_in=walk_in,
        title=definition.title.get(str(get_locale())),
        tracking_code=display_code(application.tracking_code),
        claim_code=display_code(walk_in.claim_code) if not walk_in.registered_owner else "",
        tracking_url=tracking_url(),
        claim_url=public_url(url_for("claims.claim")),
    )
