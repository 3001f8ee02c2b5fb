"""Inspections in the back office: the inspector's visits, scheduling, and recording a visit."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from forms.inspections import InspectionCancelForm
from portal import permissions
from portal.applications.effects import local_now
from portal.downloads import send_inline
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
    locale = str(get_locale())
    return render_template(
        "inspections/queue.html",
        rows=pages.queue_rows(current_user, locale),
        today=local_now().date(),
        locale=locale,
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
    """The inspector records the visit given to them: checklist, result, photos.

    A visit scheduled before the case reached its inspection state is explained (when it can
    be recorded) instead of refused; nothing is stored (409 for a POST).
    """
    application = permissions.current_case()
    visit = services.get_visit(application, visit_id)
    if visit.inspector_id != current_user.id:
        permissions.deny(NotAllowed("not_your_inspection"), application.id, RECORD_INSPECTION)
    definition, locale = definition_of(application.procedure_version), str(get_locale())
    if visit.status != "scheduled":
        return _back(application)()  # recorded already (sent twice) or cancelled: the case says
    tasks = permissions.allowed_tasks(current_user, application)
    not_yet = pages.record_blocker(application, definition, tasks, locale)
    if not_yet:
        # Their own visit, scheduled ahead of the inspection state: explain, store nothing.
        status = 409 if request.method == "POST" else 200
        page = render_template(
            "inspections/not_yet.html", application=application, visit=visit, reason=not_yet
        )
        return page, status
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
    """A visit's photo, shown in the page under the name it was sent with (`send_inline`:
    RFC 6266 `filename*`, never sniffed, never cached by shared caches)."""
    application = permissions.current_case()
    found = services.get_photo(application, inspection_id, photo_id)
    if found.content_type not in services.PHOTO_TYPES:
        abort(404)
    response = send_inline(services.read_photo(found), found.content_type, found.filename)
    response.headers["Content-Security-Policy"] = (
        "sandbox; " + response.headers["Content-Security-Policy"]
    )
    return response
