"""The applicant's pages: my applications, the form, the status page, downloads."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

import workflows
from forms.builder import build_application_form, collected_data, visibility_rules
from forms.messages import message_for
from forms.review import ApplicationActionForm, ApplicationStartForm, SubjectChoiceForm
from portal import permissions
from portal.applications import dashboard, presenters, services
from portal.downloads import send_download, send_inline
from portal.drafts import presenters as draft_pages
from portal.drafts import services as draft_services
from portal.errors import DomainError, NotAllowed, NotFound
from portal.extensions import db
from portal.opinions.services import pending_institutions
from portal.procedures.models import Procedure
from portal.procedures.services import definition_of
from portal.renewals.services import renewable, renewal_token
from portal.review.corrections import correction_round
from portal.storage import storage
from portal.subjects import presenters as subject_pages
from portal.subjects.models import RECORD_SUBJECTS
from portal.views_util import int_arg
from portal.walkin.services import walk_in_of

bp = Blueprint("applications", __name__, url_prefix="/solicitudes")


def _load(application_id: int):
    return permissions.current_case()  # authorized by the route's declared rule


@bp.get("/")
@login_required
def index():
    locale, today, group = str(get_locale()), services.today_local(), request.args.get("grupo")
    group = group if group in dashboard.GROUPS else None
    page = dashboard.list_cases_for(
        current_user,
        locale,
        today,
        group=group,
        older_than=_cursor("despues"),
        newer_than=_cursor("antes"),
    )
    return render_template(
        "applications/index.html",
        page=page,
        group=group,
        groups=dashboard.GROUP_TITLES,
        drafts=_drafts(locale, today) if group is None else [],
        paged=bool(_cursor("despues") or _cursor("antes")),
    )


def _drafts(locale: str, today) -> list[tuple]:
    """The person's drafts still kept (an expired one is gone, 404, before the sweep deletes
    it), each with where to resume it, the day it will be deleted and whether that is soon."""
    kept = draft_services.list_drafts_for(current_user, limit=dashboard.DRAFTS_SHOWN)
    rows = dashboard.present([draft for draft, _expires, _soon in kept], locale, today)
    return [
        (row, draft_pages.resume_url(draft), format_date(expires, "long"), expiring)
        for row, (draft, expires, expiring) in zip(rows, kept, strict=True)
    ]


def _cursor(name: str) -> int | None:
    """A page cursor (a case id) from the query string; None when absent (400 when not an id)."""
    return int_arg(name, 0, minimum=1) or None


@bp.post("/nueva/<int:procedure_id>")
@login_required
def start(procedure_id: int):
    procedure = db.get_or_404(Procedure, procedure_id)
    form = ApplicationStartForm()
    if current_user.is_staff or not form.validate_on_submit():
        abort(400)
    try:
        application = services.start_application(
            actor=current_user, procedure=procedure, token=form.token.data
        )
    except NotFound as closed:  # retired (410), or no version in force yet (404)
        abort(410 if closed.params.get("retired") else 404)
    return redirect(url_for("drafts.step", application_id=application.id, number=1))


@bp.route("/<int:application_id>/editar", methods=["GET", "POST"])
@login_required
def edit(application_id: int):
    application = _load(application_id)
    definition = definition_of(application.procedure_version)
    try:  # the applicant, or their agent at the counter (`permissions.counter_agent`)
        permissions.authorize(current_user, application, permissions.EDIT)
    except NotAllowed:
        return redirect(url_for(".status", application_id=application.id))
    at_counter = permissions.acting_at_counter(current_user, application)
    form_class = build_application_form(
        definition,
        locale=str(get_locale()),
        districts=presenters.district_choices(definition),
        today=services.today_local(),
    )
    form = (
        draft_pages.form_for(application, definition, str(get_locale()))
        if request.method == "GET"
        else form_class()
    )
    if request.method == "POST":
        valid, filing = form.validate(), application.tracking_number is None
        try:
            result = services.save_application(
                actor=current_user,
                application=application,
                data=collected_data(form) if valid else {},
                uploads=presenters.uploads_from(form),
                submit=valid and bool(form.submit.data),
            )
        except DomainError as error:
            flash(message_for(error.code), "error")
            return redirect(url_for(".status", application_id=application.id))
        presenters.apply_errors(form, result, definition, str(get_locale()))
        if not valid:
            presenters.ask_to_attach_again(form, result)
        if result.locked_changes:
            flash(presenters.locked_message(result, definition, str(get_locale())), "error")
        if valid and result.ok:
            if result.fired:
                flash(presenters.filed_message(definition, result.fired), "success")
                if at_counter and filing:
                    return redirect(url_for("walkin.receipt", application_id=application.id))
                if at_counter:  # a correction entered at the counter: back to the counter
                    return redirect(url_for("walkin.counter"))
                return redirect(url_for(".status", application_id=application.id))
            flash(_("Borrador guardado."), "success")
            return redirect(url_for(".edit", application_id=application.id))
    subjects_view = subject_pages.edit_view(application, definition, str(get_locale()))
    if at_counter:  # the citizen's records stay theirs
        subjects_view = {**subjects_view, "pickers": [], "resolution_options": {}}
    correction = correction_round(application, definition) if application.tracking_number else None
    return render_template(
        "applications/edit.html",
        application=application,
        counter=walk_in_of(application.id) if at_counter else None,
        correction=correction,
        # Sending the form answers a prevención when the state offers a `correct` action.
        correcting=workflows.action_of_kind(definition, application.state, "applicant", "correct")
        is not None,
        locked=correction.locked if correction else frozenset(),
        form=form,
        definition=definition,
        visibility=visibility_rules(definition),
        locale=str(get_locale()),
        presenter=presenters.for_locale(str(get_locale())),
        subjects_view=subjects_view,
        choice_forms=[presenters.choice_form(picker) for picker in subjects_view["pickers"]],
        # Said before anyone fills the form, not only when sending it is refused.
        retired=message_for("procedure_retired")
        if application.tracking_number is None and application.procedure_version.status == "retired"
        else None,
    )


@bp.post("/<int:application_id>/registro")
@login_required
def choose_subject(application_id: int):
    """Fill the draft from one of the applicant's records (legal unit, establishment, property)."""
    application = _load(application_id)
    if permissions.acting_at_counter(current_user, application):
        # The citizen's records are theirs: a clerk at the counter types the answers.
        permissions.deny(NotFound("not_your_records"), application.id, permissions.OWN)
    # Each picker's inputs are prefixed with its subject (one page, several pickers).
    subject = next((s for s in RECORD_SUBJECTS if f"{s}-subject" in request.form), "")
    form = SubjectChoiceForm(prefix=subject)
    if not subject or form.subject.data != subject or not form.validate_on_submit():
        flash(_("Elija uno de sus registros."), "error")
        return redirect(url_for(".edit", application_id=application.id))
    try:
        chosen = services.choose_subject(
            actor=current_user,
            application=application,
            subject=subject,
            record_id=form.record.data,
        )
    except DomainError as error:
        flash(message_for(error.code), "error")
        return redirect(url_for(".status", application_id=application.id))
    if chosen:
        flash(_("Datos copiados de su registro. Revíselos antes de presentar."), "success")
    else:
        flash(_("Elija uno de sus registros."), "error")
    step = int_arg("paso", 0, maximum=100)  # chosen on a step page: back to that step
    if step:
        return redirect(url_for("drafts.step", application_id=application.id, number=step))
    return redirect(url_for(".edit", application_id=application.id))


@bp.get("/<int:application_id>")
@login_required
def status(application_id: int):
    application = _load(application_id)
    definition = definition_of(application.procedure_version)
    return render_template(
        "applications/status.html",
        application=application,
        definition=definition,
        withdraw_form=ApplicationActionForm(),
        view=presenters.status_view(application, definition, str(get_locale()), current_user),
        consulting=pending_institutions(application, str(get_locale()))
        if application.tracking_number
        else [],
        prerequisites=subject_pages.prerequisite_rows(
            application, definition, current_user, str(get_locale())
        )
        if application.tracking_number
        else [],
    )


@bp.get("/<int:application_id>/desistir")
@login_required
def confirm_withdraw(application_id: int):
    """Ask before withdrawing; offered only while the case can still be withdrawn."""
    application = _load(application_id)
    definition = definition_of(application.procedure_version)
    if (
        services.role_on(application, current_user) != "applicant"
        or workflows.action_of_kind(definition, application.state, "applicant", "withdraw") is None
    ):
        return redirect(url_for(".status", application_id=application.id))
    from portal.payments.presenters import paid_orders

    return render_template(
        "applications/withdraw.html",
        application=application,
        title=definition.title.get(str(get_locale())),
        form=ApplicationActionForm(),
        paid=paid_orders(application),
    )


@bp.post("/<int:application_id>/renovar")
@login_required
def renew(application_id: int):
    """Open a renewal: a new draft of the procedure, prefilled from this case."""
    application = _load(application_id)
    definition = definition_of(application.procedure_version)
    if not ApplicationActionForm().validate_on_submit():
        abort(400)
    if not renewable(application, definition, services.today_local()):
        flash(_("Esta licencia o permiso todavía no se puede renovar."), "error")
        return redirect(url_for(".status", application_id=application.id))
    try:
        draft = services.start_application(
            actor=current_user,
            procedure=application.procedure,
            token=renewal_token(application),
            renewing=application,
        )
    except NotFound:
        abort(410)
    flash(_("Renovación iniciada con los datos de su solicitud anterior. Revíselos."), "success")
    return redirect(draft_pages.resume_url(draft))


@bp.post("/<int:application_id>/desistir")
@login_required
def withdraw(application_id: int):
    application = _load(application_id)
    if not ApplicationActionForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_application(actor=current_user, application=application)
    except DomainError as error:
        flash(message_for(error.code), "error")
    else:
        flash(_("Desistió de la solicitud."), "success")
    return redirect(url_for(".status", application_id=application.id))


@bp.get("/<int:application_id>/documentos/<int:document_id>")
@login_required
def document(application_id: int, document_id: int):
    """A case's document: downloaded, or with `?ver=1` shown in the page (PDF and images)."""
    application = _load(application_id)
    found = next(d for d in application.documents if d.id == document_id)  # checked by the rule
    send = send_inline if request.args.get("ver") == "1" else send_download
    return send(storage().get(found.storage_key), found.content_type, found.filename)


@bp.get("/<int:application_id>/<any(constancia, certificado, 'resolucion-desfavorable'):kind>.pdf")
@login_required
def issued_pdf(application_id: int, kind: str):
    """The case's current issued document of a kind, by its Spanish name in the URL.

    A case decided otherwise (a certificate asked of a denied case, its resolution of an
    approved one) is sent to the document of its decision (303); a kind it never held and no
    decision document to point to is a 404 in the portal's layout.
    """
    from portal.certificates.services import (
        DECISION_KINDS,
        KIND_OF_SLUG,
        SLUGS,
        decision_document,
        document_word,
        issued_for,
        read_pdf,
    )

    application = _load(application_id)
    held = issued_for(application.id)
    issued = held.get(KIND_OF_SLUG[kind])
    decision = decision_document(held)
    if issued is None and KIND_OF_SLUG[kind] in DECISION_KINDS and decision is not None:
        target = url_for(".issued_pdf", application_id=application.id, kind=SLUGS[decision.kind])
        return redirect(target, 303)
    pdf = read_pdf(issued) if issued else None
    if pdf is None:
        abort(404)
    name = f"{document_word(issued)}-{application.tracking_number}.pdf"  # as its title says
    return send_download(pdf, "application/pdf", name)
