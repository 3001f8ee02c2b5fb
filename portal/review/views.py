"""The staff back office: the queue by legal deadline, and the case with its decision form."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

import workflows
from forms.messages import message_for
from forms.review import (
    CaseDecisionForm,
    CaseInspectionForm,
    CaseNoteForm,
    CasePaymentForm,
    decision_outputs,
)
from portal import permissions
from portal.applications import presenters, services
from portal.applications.effects import LOCAL_TZ, local_now
from portal.audit import services as audit
from portal.errors import Conflict, DomainError, InvalidInput, NotAllowed
from portal.inspections import presenters as inspection_pages
from portal.opinions import presenters as opinion_pages
from portal.procedures.services import definition_of
from portal.review import presenters as case_pages
from portal.review import services as review
from portal.subjects import presenters as subject_pages
from portal.views_util import int_arg, reason_messages, staff_required
from portal.walkin.contact import applicant_contact
from workflows.guards import RECORD_INSPECTION, RECORD_PAYMENT, RECORD_VERDICTS

bp = Blueprint("review", __name__, url_prefix="/bandeja")
bp.add_app_template_filter(case_pages.lines_kept, "lines_kept")


def _load_case(application_id: int) -> case_pages.CaseContext:
    application = permissions.current_case()  # authorized by the route's declared rule
    definition = definition_of(application.procedure_version)
    return case_pages.load_context(
        application,
        definition,
        permissions.role_on(application, current_user) or current_user.role,
        str(get_locale()),
    )


def _case_forms(case: case_pages.CaseContext, **posted) -> case_pages.CaseForms:
    """Fresh forms for the case page, except the one a POST handler validated (`posted`)."""
    decision = posted.pop("decision", None) or case_pages.decision_form(
        case, case.application.lock_version
    )
    verdicts = posted.pop("verdicts", None) or case_pages.verdict_form(case, False)
    return case_pages.CaseForms(decision, verdicts, **posted)


def _render_case(case: case_pages.CaseContext, forms: case_pages.CaseForms, status=200):
    application, definition = case.application, case.definition
    actions = workflows.available_actions(definition, application.state, case.facts)
    forms.decision.action.choices = [(t.action, t.label.get(case.locale)) for t in actions]
    tasks = permissions.allowed_tasks(current_user, application)
    return render_template(
        "review/case.html",
        application=application,
        applicant=applicant_contact(application),
        form=forms.decision,
        forms=forms,
        actions=actions,
        tasks=tasks,
        inspections=inspection_pages.panel(
            application, definition, current_user, tasks, case.locale
        ),
        opinions=opinion_pages.panel(
            application, definition, tasks, case.locale, local_now().date()
        ),
        view=presenters.status_view(application, definition, case.locale, current_user),
        prerequisites=subject_pages.prerequisite_rows(
            application, definition, current_user, case.locale, case.statuses
        ),
        groups=case_pages.review_groups(case),
        notes=review.list_notes(application),
        may_revoke=any(case_pages.may_revoke(definition, r) for r in current_user.roles),
        local_tz=LOCAL_TZ,
    ), status


@bp.route("/<int:application_id>", methods=["GET", "POST"])
@staff_required
def case(application_id: int):
    case = _load_case(application_id)
    application = case.application
    decision = case_pages.decision_form(case, application.lock_version)
    status = 200
    if request.method == "GET" and not decision.comment.data and not decision.reason_groups:
        decision.comment.data = case_pages.correction_draft(case)
    if decision.validate_on_submit():
        said = case_pages.decision_text(decision, case)
        if said.error_field is not None:
            getattr(decision, said.error_field).errors = [message_for(said.error_code)]
            return _render_case(case, _case_forms(case, decision=decision))
        try:
            services.act_on_application(
                actor=current_user,
                application=application,
                action=decision.action.data,
                comment=said.comment,
                expected_version=decision.lock_version.data,
                outputs=decision_outputs(decision, decision.action.data),
                reasons=said.reasons,
            )
        except DomainError as error:
            status = _show_refusal(decision, error)
            if status == 409:  # the page shows the case as it is now: sent again, it counts
                decision.lock_version.data = application.lock_version
                decision.lock_version.raw_data = [str(application.lock_version)]
            if status == 403:
                permissions.audit_denial(error, application.id, permissions.ACT)
                return render_template("errors/403.html", reasons=decision.action.errors), 403
        else:
            flash(
                _(
                    "Decisión registrada en el expediente %(number)s.",
                    number=application.tracking_number,
                ),
                "success",
            )
            return redirect(url_for(".queue"))
    return _render_case(case, _case_forms(case, decision=decision), status)


@bp.post("/<int:application_id>/revision")
@staff_required
def verdicts(application_id: int):
    case = _load_case(application_id)
    application = case.application
    form = case_pages.verdict_form(case, True)
    if form.validate_on_submit():
        try:
            review.record_verdicts(
                actor=current_user,
                application=application,
                verdicts=case_pages.verdicts_from(form),
                items=tuple(key for key, _label in form.items),
                seen=case_pages.seen_from(form),
            )
        except InvalidInput as error:
            getattr(form, f"r_{error.field}").errors = [message_for(error.code)]
        except Conflict as stale:  # someone judged first: show the case as it is, keep the form
            return _stale_verdicts(application_id, stale)
        except NotAllowed as refused:  # the state changed since the check
            permissions.deny(refused, application.id, RECORD_VERDICTS)
        else:
            flash(_("Revisión guardada."), "success")
            return redirect(url_for(".case", application_id=application.id))
    return _render_case(case, _case_forms(case, verdicts=form))


def _stale_verdicts(application_id: int, stale: Conflict):
    """The case as it is now with the clerk's verdicts as typed, each item judged meanwhile
    marked, and the form now carrying what this page shows (a second save is deliberate): 409.
    """
    case = _load_case(application_id)  # read again: the colleague's verdicts show
    form = case_pages.verdict_form(case, True)
    form.seen.data = case.review.seen().encode()
    items = [item for item in stale.params["items"] if hasattr(form, f"v_{item}")]
    if stale.params.get("resubmitted"):
        items = items[:1]  # one message says it for the whole page
    code = "verdicts_changed_all" if stale.params.get("resubmitted") else stale.code
    labels = dict(case.items)
    for item in items:
        getattr(form, f"v_{item}").errors = [message_for(code, label=labels[item])]
    if not items:  # the items judged are no longer on the page: say it above it
        flash(message_for("verdicts_changed_all"), "error")
    return _render_case(case, _case_forms(case, verdicts=form), 409)


@bp.post("/<int:application_id>/inspeccion")
@staff_required
def inspection(application_id: int):
    case = _load_case(application_id)
    application = case.application
    form = CaseInspectionForm()
    if form.validate_on_submit():
        try:
            review.record_inspection(
                actor=current_user,
                application=application,
                visited_on=form.visited_on.data,
                result=form.result.data,
                notes=form.notes.data or "",
                today=local_now().date(),
            )
        except InvalidInput as error:
            form.visited_on.errors = [message_for(error.code, **error.params)]
        except NotAllowed as refused:
            permissions.deny(refused, application.id, RECORD_INSPECTION)
        else:
            flash(_("Inspección registrada."), "success")
            return redirect(url_for(".case", application_id=application.id))
    return _render_case(case, _case_forms(case, inspection=form))


@bp.post("/<int:application_id>/pagos/<int:order_id>")
@staff_required
def payment(application_id: int, order_id: int):
    case = _load_case(application_id)
    application = case.application
    form = CasePaymentForm()
    if form.validate_on_submit():
        try:
            review.record_payment(
                actor=current_user,
                application=application,
                order_id=order_id,
                reference=form.reference.data,
            )
        except NotAllowed as refused:
            permissions.deny(refused, application.id, RECORD_PAYMENT)
        flash(_("Pago registrado."), "success")
        return redirect(url_for(".case", application_id=application.id))
    return _render_case(case, _case_forms(case, payment=form))


@bp.post("/<int:application_id>/notas")
@staff_required
def note(application_id: int):
    case = _load_case(application_id)
    application = case.application
    form = CaseNoteForm()
    if form.validate_on_submit():
        try:
            review.add_note(actor=current_user, application=application, body=form.body.data)
        except InvalidInput as error:
            form.body.errors = [message_for(error.code, max_length=review.NOTE_MAX_CHARS)]
        else:
            flash(_("Nota interna guardada."), "success")
            return redirect(url_for(".case", application_id=application.id) + "#notas")
    return _render_case(case, _case_forms(case, note=form))


@bp.get("/<int:application_id>/accesos")
@staff_required
def access_log(application_id: int):
    application = permissions.current_case()
    page = int_arg("pagina", 1, minimum=1, maximum=services.QUEUE_MAX_PAGE)
    events, total = audit.list_access_log(application.id, page)
    return render_template(
        "review/access_log.html",
        application=application,
        events=[
            (e.occurred_at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M:%S"), e) for e in events
        ],
        page=page,
        pages=max(1, -(-total // audit.ACCESS_LOG_PAGE_SIZE)),
        total=total,
    )


def _show_refusal(form: CaseDecisionForm, error: DomainError) -> int:
    """Put the engine's reasons at their field; return the HTTP status that fits them."""
    reasons = error.params.get("reasons", ())
    for reason in [r for r in reasons if r.code == "invalid_output"]:
        field = getattr(form, f"o_{form.action.data}__{reason.params['field']}")
        field.errors = [*list(field.errors), message_for(reason.params["error"])]
    codes = {r.code for r in reasons} or {error.code}
    messages = reason_messages(reasons) if reasons else [message_for(error.code)]
    text = getattr(form, f"t_{form.action.data}", None)
    target = (text or form.comment) if codes == {"comment_required"} else form.action
    target.errors = [*list(target.errors), *messages]
    if codes & {"role_not_allowed", "not_your_case"}:
        return 403
    if codes & {"stale_application", "unknown_action"}:
        return 409  # someone else acted first
    return 200


# The queue pages, claim and assign (their own module; registered on this blueprint).
from portal.review import document_views, queue_views  # noqa: E402, F401
