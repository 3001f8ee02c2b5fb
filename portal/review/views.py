"""The staff back office: the queue by legal deadline, and the case with its decision form."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

import workflows
from forms.messages import message_for
from forms.review import CaseDecisionForm
from portal.applications import presenters, services
from portal.errors import DomainError
from portal.procedures.services import definition_of
from portal.views_util import reason_messages, staff_required

bp = Blueprint("review", __name__, url_prefix="/bandeja")


@bp.get("/")
@staff_required
def queue():
    page = request.args.get("pagina", 1, type=int)
    applications, total = services.list_queue_for(current_user, page)
    return render_template(
        "review/queue.html",
        applications=applications,
        total=total,
        page=page,
        pages=max(1, -(-total // services.QUEUE_PAGE_SIZE)),
        presenter=presenters.for_locale(str(get_locale())),
    )


@bp.route("/<int:application_id>", methods=["GET", "POST"])
@staff_required
def case(application_id: int):
    application = services.get_application_for(application_id, current_user)
    if application is None:
        abort(404)
    definition = definition_of(application.procedure_version)
    locale = str(get_locale())
    actions = workflows.available_actions(
        definition, application.state, services.facts_for(application, current_user.role)
    )
    form = CaseDecisionForm(lock_version=application.lock_version)
    form.action.choices = [(t.action, t.label.get(locale)) for t in actions]
    status = 200
    if form.validate_on_submit():
        try:
            services.act_on_application(
                actor=current_user,
                application=application,
                action=form.action.data,
                comment=form.comment.data or "",
                expected_version=form.lock_version.data,
            )
        except DomainError as error:
            status = _show_refusal(form, error)
            if status == 403:
                return render_template("errors/403.html", reasons=form.action.errors), 403
        else:
            flash(
                _(
                    "Decisión registrada en el expediente %(number)s.",
                    number=application.tracking_number,
                ),
                "success",
            )
            return redirect(url_for(".queue"))
    return render_template(
        "review/case.html",
        application=application,
        form=form,
        actions=actions,
        view=presenters.status_view(application, definition, locale, current_user),
    ), status


def _show_refusal(form: CaseDecisionForm, error: DomainError) -> int:
    """Put the engine's reasons at their field; return the HTTP status that fits them."""
    reasons = error.params.get("reasons", ())
    codes = {r.code for r in reasons} or {error.code}
    messages = reason_messages(reasons) if reasons else [message_for(error.code)]
    target = form.comment if codes == {"comment_required"} else form.action
    target.errors = [*list(target.errors), *messages]
    if codes & {"role_not_allowed", "not_your_case"}:
        return 403
    if codes & {"stale_application", "unknown_action"}:
        return 409  # someone else acted first
    return 200
