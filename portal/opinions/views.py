"""External opinions in the back office: ask an institution, record its answer, cancel."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from forms.inspections import OpinionAnswerForm, OpinionCancelForm
from portal import permissions
from portal.applications.effects import local_now
from portal.downloads import send_download
from portal.opinions import presenters as pages
from portal.opinions import services
from portal.procedures.services import definition_of
from portal.review.acts import answer_act
from portal.views_util import staff_required
from workflows.guards import RECORD_OPINION, REQUEST_OPINION

bp = Blueprint("opinions", __name__, url_prefix="/bandeja")


def _back(application):
    return lambda: redirect(url_for("review.case", application_id=application.id) + "#opiniones")


@bp.post("/<int:application_id>/opiniones")
@staff_required
def request_opinion(application_id: int):
    application = permissions.current_case()
    definition, today = definition_of(application.procedure_version), local_now().date()
    form = pages.request_form(application, definition, str(get_locale()), today, formdata=True)
    return answer_act(
        form,
        lambda: services.request_opinion(
            actor=current_user,
            application=application,
            institution=form.institution.data,
            question=form.question.data or "",
            due_on=form.due_on.data,
            today=today,
        ),
        application=application,
        task=REQUEST_OPINION,
        done=_("Opinión técnica solicitada."),
        back=_back(application),
        template="opinions/form.html",
        kind="request",
    )


@bp.post("/<int:application_id>/opiniones/<int:opinion_id>/respuesta")
@staff_required
def answer(application_id: int, opinion_id: int):
    application = permissions.current_case()
    form = OpinionAnswerForm()

    def record():
        sent = request.files.get("document")
        return services.answer_opinion(
            actor=current_user,
            application=application,
            opinion_id=opinion_id,
            answer=form.answer.data,
            text=form.text.data or "",
            answered_on=form.answered_on.data,
            document=services.AnswerDocument(sent.filename or "", sent.read())
            if sent and sent.filename
            else None,
            today=local_now().date(),
        )

    return answer_act(
        form,
        record,
        application=application,
        task=RECORD_OPINION,
        done=_("Respuesta registrada."),
        back=_back(application),
        template="opinions/form.html",
        kind="answer",
        opinion_id=opinion_id,
    )


@bp.post("/<int:application_id>/opiniones/<int:opinion_id>/cancelar")
@staff_required
def cancel(application_id: int, opinion_id: int):
    application = permissions.current_case()
    form = OpinionCancelForm()
    return answer_act(
        form,
        lambda: services.cancel_opinion(
            actor=current_user,
            application=application,
            opinion_id=opinion_id,
            reason=form.reason.data or "",
            today=local_now().date(),
        ),
        application=application,
        task=RECORD_OPINION,
        done=_("Consulta cancelada."),
        back=_back(application),
        template="opinions/form.html",
        kind="cancel",
        opinion_id=opinion_id,
    )


@bp.get("/<int:application_id>/opiniones/<int:opinion_id>/documento")
@staff_required
def document(application_id: int, opinion_id: int):
    application = permissions.current_case()
    opinion = services.get_opinion(application, opinion_id)
    if not opinion.document_key:
        abort(404)
    return send_download(
        services.read_document(opinion), opinion.document_content_type, opinion.document_filename
    )
