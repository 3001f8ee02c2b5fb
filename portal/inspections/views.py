"""Inspections in the back office: the inspector's visits, scheduling, and recording a visit."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from forms.inspections import InspectionCancelForm
from portal import permissions
from portal.applications.effects import local_now
from portal.errors import NotAllowed
from portal.inspections import presenters as pages
from portal.inspections import services
from portal.procedures.services import definition_of
from portal.review.acts import answer_act
from portal.views_util import staff_required
from workflows.guards import RECORD_INSPECTION, SCHEDULE_INSPECTION

bp = Blueprint("inspections", __name__, url_prefix="/bandeja")


@bp.get("/inspecciones")
@staff_required
def queue():
    """The visits given to the signed-in person, earliest first: overdue ones lead."""
    return render_template(
        "inspections/queue.html",
        visits=services.list_visits_for(current_user),
        today=local_now().date(),
        locale=str(get_locale()),
    )


def _back(application):
    return lambda: redirect(url_for("review.case", application_id=application.id) + "#inspecciones")


@bp.post("/<int:application_id>/inspecciones/programar")
@staff_required
def schedule(application_id: int):
    application = permissions.current_case()
    form = pages.schedule_form(application, formdata=True)
    return answer_act(
        form,
        lambda: services.schedule_inspection(
            actor=current_user,
            application=application,
            inspector_id=form.inspector.data,
            scheduled_for=form.scheduled_for.data,
            notes=form.notes.data or "",
            today=local_now().date(),
        ),
        application=application,
        task=SCHEDULE_INSPECTION,
        done=_("Inspección programada."),
        back=_back(application),
        template="inspections/form.html",
        kind="schedule",
    )


@bp.post("/<int:application_id>/visitas/<int:visit_id>/reprogramar")
@staff_required
def reschedule(application_id: int, visit_id: int):
    application = permissions.current_case()
    form = pages.reschedule_form(application, formdata=True)
    return answer_act(
        form,
        lambda: services.reschedule_inspection(
            actor=current_user,
            application=application,
            visit_id=visit_id,
            inspector_id=form.inspector.data,
            scheduled_for=form.scheduled_for.data,
            reason=form.reason.data or "",
            today=local_now().date(),
        ),
        application=application,
        task=SCHEDULE_INSPECTION,
        done=_("Inspección reprogramada."),
        back=_back(application),
        template="inspections/form.html",
        kind="reschedule",
        visit_id=visit_id,
    )


@bp.post("/<int:application_id>/visitas/<int:visit_id>/cancelar")
@staff_required
def cancel(application_id: int, visit_id: int):
    application = permissions.current_case()
    form = InspectionCancelForm()
    return answer_act(
        form,
        lambda: services.cancel_inspection(
            actor=current_user,
            application=application,
            visit_id=visit_id,
            reason=form.reason.data or "",
        ),
        application=application,
        task=SCHEDULE_INSPECTION,
        done=_("Inspección cancelada."),
        back=_back(application),
        template="inspections/form.html",
        kind="cancel",
        visit_id=visit_id,
    )


@bp.route("/<int:application_id>/visitas/<int:visit_id>/registro", methods=["GET", "POST"])
@staff_required
def record(application_id: int, visit_id: int):
    """The inspector records the visit given to them: checklist, result, photos."""
    application = permissions.current_case()
    visit = services.get_visit(application, visit_id)
    if visit.inspector_id != current_user.id:
        permissions.deny(NotAllowed("not_your_inspection"), application.id, RECORD_INSPECTION)
    definition, locale = definition_of(application.procedure_version), str(get_locale())
    if visit.status != "scheduled":
        return _back(application)()  # recorded already (sent twice) or cancelled: the case says
    form = pages.visit_form(definition, locale, formdata=request.method == "POST")
    return answer_act(
        form,
        lambda: services.record_visit(
            actor=current_user,
            application=application,
            visit_id=visit_id,
            visited_on=form.visited_on.data,
            result=form.result.data,
            notes=form.notes.data or "",
            answers=pages.answers_from(form),
            photos=[
                services.Photo(f.filename or "", f.read())
                for f in request.files.getlist("photos")
                if f and f.filename
            ],
            today=local_now().date(),
        ),
        application=application,
        task=RECORD_INSPECTION,
        done=_("Inspección registrada."),
        back=_back(application),
        template="inspections/record.html",
        visit=visit,
    )


@bp.get("/<int:application_id>/inspecciones/<int:inspection_id>/fotos/<int:photo_id>")
@staff_required
def photo(application_id: int, inspection_id: int, photo_id: int):
    """A visit's photo, shown in the page (an image the portal checked by its content)."""
    application = permissions.current_case()
    found = services.get_photo(application, inspection_id, photo_id)
    if found.content_type not in services.PHOTO_TYPES:
        abort(404)
    return image_response(services.read_photo(found), found.content_type)


def image_response(data: bytes, content_type: str):
    """An image answered inline with headers that keep it an image: no sniffing, no script,
    no caching by shared caches."""
    from flask import Response

    response = Response(data, mimetype=content_type)
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
