"""Admin pages of test mode: a draft's test cases, filing one, acting on it as each role,
letting its deadlines fall due and answering as the institutions it consults."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from forms.builder import collected_data, visibility_rules
from forms.messages import message_for
from forms.review import ApplicationStartForm
from forms.testcases import (
    TestCaseActForm,
    TestCaseDeadlineForm,
    TestCaseOpinionAnswerForm,
    TestCaseOpinionRequestForm,
    TestCaseTaskForm,
)
from portal.admin import services
from portal.admin.views import bp
from portal.applications import presenters as application_pages
from portal.applications.dashboard import ROLE_TITLES
from portal.applications.services import save_application
from portal.downloads import send_download
from portal.drafts import presenters as draft_pages
from portal.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from portal.opinions import presenters as opinion_pages
from portal.procedures.services import definition_of
from portal.testcases import services as testcases
from portal.views_util import admin_required, reason_messages
from workflows.guards import RECORD_INSPECTION, RECORD_PAYMENT, RECORD_VERDICTS

#: The buttons of the staff tasks test mode performs (`testcases.TASKS`).
TASK_LABELS = {
    RECORD_VERDICTS: _l("Marcar conformes todos los datos y documentos"),
    RECORD_INSPECTION: _l("Registrar la inspección con todo el listado conforme"),
    RECORD_PAYMENT: _l("Registrar el pago de los mandamientos pendientes"),
}
#: Roles a definition names that are not staff roles (`ROLE_TITLES`).
OTHER_ROLES = {"applicant": _l("persona solicitante"), "system": _l("sistema")}

PREFIX = "/tramites/<int:procedure_id>/versiones/<int:version>/pruebas"


def role_label(role: str) -> str:
    """A definition's role as the page names it (the code when it is not a known one)."""
    return str(ROLE_TITLES.get(role) or OTHER_ROLES.get(role) or role)


def _refuse_404(reason: str) -> None:
    """404 with its reason: the admin blueprint's handler audits it once (`access.denied`)."""
    raise NotFound(reason)


def _draft_or_404(procedure_id: int, version: int):
    """The draft the admin manages, or 404 (audited): out of scope, unknown or not a draft."""
    row = services.get_version_for(current_user, procedure_id, version)
    if row is None or row.status != "draft":
        _refuse_404("not_your_draft")
    return row


def _testable_or_404(procedure_id: int, version: int):
    """The draft, when its file loads as a definition (`testcases.testable`), or 404."""
    row = _draft_or_404(procedure_id, version)
    if testcases.testable(row) is None:
        abort(404)
    return row


def _case_or_404(procedure_id: int, version: int, case_id: int):
    """The draft and its test case `case_id`; 404 (audited) for any other case, a real one
    above all: test mode never acts on a real case."""
    row = _testable_or_404(procedure_id, version)
    application = testcases.get_test_case(row, case_id)
    if application is None:
        _refuse_404("not_a_test_case")
    return row, application


def _to_case(row, application):
    return redirect(
        url_for(
            ".test_case",
            procedure_id=row.procedure_id,
            version=row.version,
            case_id=application.id,
        )
    )


@bp.get(PREFIX)
@admin_required
def test_cases(procedure_id: int, version: int):
    row = _draft_or_404(procedure_id, version)
    return render_template(
        "admin/test_cases.html",
        row=row,
        definition=testcases.testable(row),
        cases=testcases.list_test_cases(row),
        form=ApplicationStartForm(token=secrets.token_urlsafe(24)),
        locale=str(get_locale()),
    )


@bp.post(f"{PREFIX}/nueva")
@admin_required
def new_test_case(procedure_id: int, version: int):
    row = _testable_or_404(procedure_id, version)
    form = ApplicationStartForm()
    if not form.validate_on_submit():
        abort(400)
    application = testcases.start_test_case(actor=current_user, version=row, token=form.token.data)
    return redirect(
        url_for(
            ".test_case_form", procedure_id=procedure_id, version=version, case_id=application.id
        )
    )


@bp.route(f"{PREFIX}/<int:case_id>/formulario", methods=["GET", "POST"])
@admin_required
def test_case_form(procedure_id: int, version: int, case_id: int):
    row, application = _case_or_404(procedure_id, version, case_id)
    definition, locale = definition_of(row), str(get_locale())
    posted = request.method == "POST"
    form = draft_pages.form_for(application, definition, locale, posted=posted)
    if posted:
        valid = form.validate()
        try:
            result = save_application(
                actor=testcases.playing(current_user, application, testcases.APPLICANT),
                application=application,
                data=collected_data(form) if valid else {},
                uploads=application_pages.uploads_from(form),
                submit=valid and bool(form.submit.data),
            )
        except DomainError as error:
            flash(message_for(error.code), "error")
            return _to_case(row, application)
        application_pages.apply_errors(form, result, definition, locale)
        if not valid:
            application_pages.ask_to_attach_again(form, result)
        if valid and result.ok:
            flash(_("Prueba guardada.") if not result.fired else _("Prueba presentada."), "success")
            return _to_case(row, application)
    return render_template(
        "admin/test_case_form.html",
        row=row,
        application=application,
        number=testcases.test_case_number(application),
        definition=definition,
        form=form,
        visibility=visibility_rules(definition),
        locale=locale,
    )


@bp.get(f"{PREFIX}/<int:case_id>")
@admin_required
def test_case(procedure_id: int, version: int, case_id: int):
    row, application = _case_or_404(procedure_id, version, case_id)
    return _case_page(row, application)


def _case_page(row, application, posted: TestCaseActForm | None = None, status: int = 200):
    """The test case's page; `posted`, an action's form sent with mistakes, is shown again
    where it was, with its messages and everything typed in it (status 422)."""
    definition, locale = definition_of(row), str(get_locale())
    today = testcases.local_today()
    deadline = testcases.pending_deadline(application)
    deadline_form = None
    if deadline is not None:
        deadline_form = TestCaseDeadlineForm(
            formdata=None, key=deadline.key, visit=application.state_entered_at.isoformat()
        )
    recorder = testcases.opinion_recorder(application)
    roles = testcases.actions_by_role(application)
    return render_template(
        "admin/test_case.html",
        row=row,
        application=application,
        number=testcases.test_case_number(application),
        definition=definition,
        roles=roles,
        posted=posted,
        typed_outputs=request.form if posted is not None else {},
        history=application_pages.timeline(application, definition, locale, True),
        produced=testcases.produced(application),
        act_form=TestCaseActForm,
        task_form=TestCaseTaskForm,
        role_label=role_label,
        task_label=lambda task: str(TASK_LABELS.get(task, task)),
        locale=locale,
        deadline=deadline,
        deadline_form=deadline_form,
        breach_label=lambda due: breach_label(definition, due, locale),
        legal_period=_legal_period(application, definition, today),
        opinions=opinion_pages.panel(application, definition, frozenset(), locale, today),
        request_form=lambda role: _request_form(application, definition, locale, today, role),
        requester=next((entry.role for entry in roles if entry.requests_opinion), None),
        answer_form=(lambda opinion_id: _answer_form(opinion_id, formdata=False))
        if recorder
        else None,
    ), status


def breach_label(definition, due, locale: str) -> str:
    """What a breach action does when it falls due, as the page says it."""
    action = due.action
    role = role_label(action.role) if action.role else ""
    target = definition.state(action.target).label.get(locale) if action.target else ""
    texts = {
        "deem_approved": _("Silencio positivo: el caso pasa a «%(state)s».", state=target),
        "deem_abandoned": _("Caducidad: el caso pasa a «%(state)s».", state=target),
        "notify": _("Aviso a %(role)s.", role=role),
        "escalate": _("Escalado a %(role)s.", role=role),
    }
    return texts.get(action.kind, action.kind)


def _legal_period(application, definition, today):
    from portal.applications import clocks

    return clocks.legal_period(application, definition, today)


def _answer_form(opinion_id: int, formdata: bool = True) -> TestCaseOpinionAnswerForm:
    """The answer form of one opinion (its own field ids: several may be pending)."""
    prefix = f"opinion-{opinion_id}"
    if formdata:
        return TestCaseOpinionAnswerForm(prefix=prefix)
    return TestCaseOpinionAnswerForm(formdata=None, prefix=prefix)


def _request_form(application, definition, locale, today, role, formdata=False):
    form = TestCaseOpinionRequestForm() if formdata else TestCaseOpinionRequestForm(formdata=None)
    if not formdata:
        form.role.data = role
    form.institution.choices = opinion_pages.institution_choices(
        definition, locale, application, today
    )
    return form


@bp.post(f"{PREFIX}/<int:case_id>/actuar")
@admin_required
def test_case_act(procedure_id: int, version: int, case_id: int):
    row, application = _case_or_404(procedure_id, version, case_id)
    form = TestCaseActForm()
    if not form.validate_on_submit():
        if set(form.errors) - {"comment"}:  # a forged or stale post: nothing typed to keep
            abort(400)
        return _case_page(row, application, posted=form, status=422)
    try:
        testcases.act_as(
            actor=current_user,
            application=application,
            role=form.role.data,
            action=form.action.data,
            comment=form.comment.data or "",
            given={k[2:]: v for k, v in request.form.items() if k.startswith("o_")},
        )
    except (NotAllowed, Conflict) as refused:
        _flash_refusal(refused)
    else:
        flash(_("Acción realizada como %(role)s.", role=role_label(form.role.data)), "success")
    return _to_case(row, application)


@bp.post(f"{PREFIX}/<int:case_id>/tarea")
@admin_required
def test_case_task(procedure_id: int, version: int, case_id: int):
    row, application = _case_or_404(procedure_id, version, case_id)
    form = TestCaseTaskForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        testcases.perform_task(
            actor=current_user, application=application, role=form.role.data, task=form.task.data
        )
    except DomainError as refused:
        _flash_refusal(refused)
    else:
        flash(_("Tarea realizada como %(role)s.", role=role_label(form.role.data)), "success")
    return _to_case(row, application)


@bp.post(f"{PREFIX}/<int:case_id>/plazo")
@admin_required
def test_case_deadline(procedure_id: int, version: int, case_id: int):
    row, application = _case_or_404(procedure_id, version, case_id)
    form = TestCaseDeadlineForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        visit = datetime.fromisoformat(form.visit.data)
    except ValueError:
        abort(400)
    try:
        done = testcases.simulate_deadline(
            actor=current_user, application=application, key=form.key.data, visit=visit
        )
    except DomainError as refused:
        _flash_refusal(refused)
        return _to_case(row, application)
    if not done.applied:
        flash(_("Ese vencimiento ya se había simulado: el caso no cambió."), "info")
    else:
        state = definition_of(row).state(done.target).label.get(str(get_locale()))
        flash(
            _(
                "Plazo vencido como el %(day)s: el caso está en «%(state)s».",
                day=done.day.strftime("%d/%m/%Y"),
                state=state,
            ),
            "success",
        )
    return _to_case(row, application)


@bp.post(f"{PREFIX}/<int:case_id>/opiniones")
@admin_required
def test_case_opinion_request(procedure_id: int, version: int, case_id: int):
    row, application = _case_or_404(procedure_id, version, case_id)
    definition, locale = definition_of(row), str(get_locale())
    form = _request_form(
        application, definition, locale, testcases.local_today(), None, formdata=True
    )
    if form.validate_on_submit():
        done = _submitted(
            form,
            row,
            application,
            lambda: testcases.request_test_opinion(
                actor=current_user,
                application=application,
                role=form.role.data,
                institution=form.institution.data,
                question=form.question.data or "",
            ),
            _("Opinión técnica solicitada como %(role)s.", role=role_label(form.role.data)),
        )
        if done is not None:
            return done
    return _opinion_page(row, application, form, "request")


@bp.post(f"{PREFIX}/<int:case_id>/opiniones/<int:opinion_id>/respuesta")
@admin_required
def test_case_opinion_answer(procedure_id: int, version: int, case_id: int, opinion_id: int):
    row, application = _case_or_404(procedure_id, version, case_id)
    form = _answer_form(opinion_id)
    if form.validate_on_submit():
        done = _submitted(
            form,
            row,
            application,
            lambda: testcases.answer_test_opinion(
                actor=current_user,
                application=application,
                opinion_id=opinion_id,
                answer=form.answer.data,
                text=form.text.data or "",
            ),
            _("Respuesta registrada como la institución consultada."),
        )
        if done is not None:
            return done
    return _opinion_page(row, application, form, "answer", opinion_id=opinion_id)


def _submitted(form, row, application, command, done: str):
    """Run a valid form's command: a mistake at its field keeps the form (None: show it
    again); a refusal, or `done`, is flashed on the case page, where it goes back."""
    try:
        command()
    except InvalidInput as error:
        _field_error(form, error)
        return None
    except DomainError as refused:
        _flash_refusal(refused)
    else:
        flash(done, "success")
    return _to_case(row, application)


def _field_error(form, error: InvalidInput) -> None:
    """The service's refusal at its field, nothing it did kept."""
    from portal.extensions import db
    from portal.review.acts import field_error

    db.session.rollback()
    field_error(form, error)


def _opinion_page(row, application, form, kind: str, opinion_id: int | None = None):
    """The opinion form again with its errors at their fields and what was typed (400)."""
    page = render_template(
        "admin/test_case_opinion.html",
        row=row,
        application=application,
        form=form,
        kind=kind,
        opinion_id=opinion_id,
    )
    return page, 400


def _flash_refusal(refused: DomainError) -> None:
    """The engine's reasons in Spanish, or the refusal's own message."""
    reasons = refused.params.get("reasons") if isinstance(refused, NotAllowed) else None
    for message in reason_messages(reasons) if reasons else [message_for(refused.code)]:
        flash(message, "error")


@bp.get(f"{PREFIX}/<int:case_id>/<any(documento, mandamiento, opinion):output>/<int:row_id>.pdf")
@admin_required
def test_case_pdf(procedure_id: int, version: int, case_id: int, output: str, row_id: int):
    _row, application = _case_or_404(procedure_id, version, case_id)
    pdf = testcases.pdf_of(application, output, row_id)
    if pdf is None:
        abort(404)
    return send_download(pdf, "application/pdf", f"prueba-{output}-{application.id}-{row_id}.pdf")
