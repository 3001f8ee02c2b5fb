"""The applicant's draft as a guided sequence: steps, check your answers, autosave, delete."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forms.builder import collected_data, visibility_rules
from forms.messages import message_for
from forms.review import ApplicationActionForm
from portal import permissions
from portal.applications import presenters as application_pages
from portal.drafts import presenters, retention, services
from portal.errors import DomainError, NotFound
from portal.extensions import utcnow
from portal.procedures.services import definition_of
from portal.subjects import presenters as subject_pages
from workflows.steps import steps

bp = Blueprint("drafts", __name__, url_prefix="/borradores")


def _draft():
    """The applicant's own draft (authorized by the route's rule), or the status page."""
    application = permissions.current_case()
    if permissions.role_on(application, current_user) != "applicant" or not retention.is_draft(
        application
    ):
        if current_user.is_staff and application.tracking_number:
            from portal.walkin.services import walk_in_of

            walk_in = walk_in_of(application.id)
            if walk_in is not None and walk_in.clerk_id == current_user.id:
                # Filed at this clerk's counter (sent twice, or back and send again).
                return application, redirect(
                    url_for("walkin.receipt", application_id=application.id)
                )
        return application, redirect(url_for("applications.status", application_id=application.id))
    return application, None


def _counter(application):
    """The counter record when the signed-in clerk fills this draft for a citizen, else None."""
    if not permissions.acting_at_counter(current_user, application):
        return None
    from portal.walkin.services import walk_in_of

    return walk_in_of(application.id)


def _after_step(application, number: int, count: int):
    if request.args.get("volver") or number >= count:
        return redirect(url_for(".check", application_id=application.id))
    return redirect(url_for(".step", application_id=application.id, number=number + 1))


@bp.route("/<int:application_id>/paso/<int:number>", methods=["GET", "POST"])
@login_required
def step(application_id: int, number: int):
    application, elsewhere = _draft()
    if elsewhere:
        return elsewhere
    definition, locale = definition_of(application.procedure_version), str(get_locale())
    plan = steps(definition)
    if not 1 <= number <= len(plan):
        abort(404)
    current = plan[number - 1]
    form = presenters.form_for(application, definition, locale, request.method == "POST")
    if request.method == "POST":
        valid = form.validate()
        data = collected_data(form) if valid else {}
        try:
            result = services.save_step(
                actor=current_user,
                application=application,
                names=current.fields,
                data={name: data[name] for name in current.fields} if valid else None,
                uploads=application_pages.uploads_from(form, current.documents),
                typed={k: v[0] if len(v) == 1 else v for k, v in request.form.lists()},
            )
        except DomainError as error:
            flash(message_for(error.code), "error")
            return redirect(url_for("applications.status", application_id=application.id))
        application_pages.apply_errors(form, result, definition, locale)
        if valid and result.ok:
            return _after_step(application, number, len(plan))
        application_pages.ask_to_attach_again(form, result)
    return _render_step(application, definition, locale, form, plan, number)


def _render_step(application, definition, locale, form, plan, number):
    current = plan[number - 1]
    subjects_view = subject_pages.edit_view(application, definition, locale)
    counter = _counter(application)
    if counter is not None:  # the citizen's records and held cases are not shown at the counter
        subjects_view = {**subjects_view, "pickers": [], "resolution_options": {}}
    pickers = [p for p in subjects_view["pickers"] if p.subject == current.subject]
    return render_template(
        "drafts/step.html",
        application=application,
        definition=definition,
        form=form,
        step=current,
        number=number,
        count=len(plan),
        title=presenters.step_title(current),
        visibility=visibility_rules(definition),
        answers=presenters.answers_elsewhere(application, definition, current),
        subjects_view=subjects_view,
        choice_forms=[application_pages.choice_form(picker) for picker in pickers],
        locale=locale,
        expires_day=format_date(retention.expires_at(application), "long"),
        expiring=retention.warn_from(application) <= utcnow(),
        back_to_check=bool(request.args.get("volver")),
        counter=counter,
        # Said before anyone fills the form, not only when filing it is refused.
        retired=message_for("procedure_retired")
        if application.procedure_version.status == "retired"
        else None,
    )


@bp.route("/<int:application_id>/revisar", methods=["GET", "POST"])
@login_required
def check(application_id: int):
    application, elsewhere = _draft()
    if elsewhere:
        return elsewhere
    definition, locale = definition_of(application.procedure_version), str(get_locale())
    errors, counter = [], _counter(application)
    if request.method == "POST":
        if not ApplicationActionForm().validate_on_submit():
            abort(400)
        try:
            result = services.file_draft(actor=current_user, application=application)
        except DomainError as error:
            flash(message_for(error.code), "error")
            return redirect(url_for("applications.status", application_id=application.id))
        if result.fired:
            if counter is not None:
                flash(_("Solicitud presentada en ventanilla. Entregue la constancia."), "success")
                return redirect(url_for("walkin.receipt", application_id=application.id))
            flash(_("Solicitud presentada. Guarde su constancia de recepción."), "success")
            return redirect(url_for("applications.status", application_id=application.id))
        errors = presenters.filing_errors(application, definition, result, locale)
    return render_template(
        "drafts/check.html",
        application=application,
        definition=definition,
        sections=presenters.check_sections(application, definition, locale),
        errors=errors,
        form=ApplicationActionForm(),
        locale=locale,
        counter=counter,
    ), (200 if not errors else 422)


@bp.post("/<int:application_id>/respuestas")
@login_required
def answers(application_id: int):
    """Keep what was typed (JSON `{"answers": {input name: text}}`, CSRF in X-CSRFToken)."""
    application, elsewhere = _draft()
    payload = request.get_json(silent=True)
    if elsewhere or not isinstance(payload, dict) or not isinstance(payload.get("answers"), dict):
        return jsonify({"saved": False}), 409 if elsewhere else 400
    try:
        saved = services.save_answers(
            actor=current_user, application=application, answers=payload["answers"]
        )
    except NotFound:
        abort(404)
    except DomainError:
        return jsonify({"saved": False}), 409
    return jsonify({"saved": True, "at": saved.isoformat()})


@bp.post("/<int:application_id>/adjuntar")
@login_required
def upload(application_id: int):
    """Attach the files of the documents step one at a time (the browser shows progress)."""
    application, elsewhere = _draft()
    if elsewhere:
        return jsonify({"saved": False}), 409
    definition, locale = definition_of(application.procedure_version), str(get_locale())
    form = presenters.form_for(application, definition, locale, posted=True)
    if not form.validate():
        abort(400)
    uploads = application_pages.uploads_from(form)
    try:
        result = services.save_step(
            actor=current_user,
            application=application,
            names=(),
            data={},
            uploads=uploads,
            typed={},
        )
    except NotFound:
        abort(404)
    except DomainError:
        return jsonify({"saved": False}), 409
    application_pages.apply_errors(form, result, definition, locale)
    application_pages.ask_to_attach_again(form, result)
    errors = {
        f"d_{code}": getattr(form, f"d_{code}").errors[0]
        for code in uploads
        if getattr(form, f"d_{code}").errors
    }
    kept = {d.requirement_code: d.filename for d in application.current_documents}
    return jsonify(
        {
            "saved": not errors,
            "errors": errors,
            "files": {f"d_{code}": kept[code] for code in uploads if code in kept and not errors},
        }
    ), (200 if not errors else 422)


@bp.route("/<int:application_id>/eliminar", methods=["GET", "POST"])
@login_required
def delete(application_id: int):
    if request.method == "POST" and permissions.current_case().discarded_at is not None:
        # Deleted already (a double submission): answered as the first time.
        if not ApplicationActionForm().validate_on_submit():
            abort(400)
        flash(_("Borrador eliminado."), "success")
        return redirect(url_for("applications.index"))
    application, elsewhere = _draft()
    if elsewhere:
        return elsewhere
    form = ApplicationActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            services.discard_draft(actor=current_user, application=application)
        except NotFound:
            abort(404)
        except DomainError as error:
            flash(message_for(error.code), "error")
            return redirect(url_for("applications.status", application_id=application.id))
        flash(_("Borrador eliminado."), "success")
        return redirect(url_for("applications.index"))
    definition = definition_of(application.procedure_version)
    return render_template(
        "drafts/delete.html",
        application=application,
        title=definition.title.get(str(get_locale())),
        form=form,
    )
