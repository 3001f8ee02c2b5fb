"""Revoking an issued certificate, or replacing it with a corrected one, from the case page.

A route of the `review` blueprint; who may is read from the definition
(`certificate.revoke_roles`) and the office's scope, in `portal.certificates.services`.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.messages import message_for
from forms.verification import DocumentLifecycleForm
from portal import permissions
from portal.certificates import services as certificates
from portal.errors import Conflict, InvalidInput, NotAllowed
from portal.review.views import _case_forms, _load_case, _render_case, bp
from portal.tracking.services import display_code
from portal.views_util import staff_required


@bp.post("/<int:application_id>/emitidos/<int:issued_id>")
@staff_required
def issued_document(application_id: int, issued_id: int):
    case = _load_case(application_id)
    form = DocumentLifecycleForm()
    if form.validate_on_submit():
        replace = form.act.data == "reemplazar"
        act = certificates.replace_document if replace else certificates.revoke_document
        try:
            done = act(
                actor=current_user,
                application=case.application,
                document_id=issued_id,
                reason=form.reason.data,
                ip=request.remote_addr,
            )
        except NotAllowed as refused:  # NotFound too: another office's, or no such document
            permissions.deny(refused, application_id, certificates.REVOKE)
        except InvalidInput as error:
            form.reason.errors = [
                message_for(
                    error.code,
                    max_length=certificates.REASON_MAX_CHARS,
                    min_length=certificates.REASON_MIN_CHARS,
                )
            ]
        except Conflict as error:
            form.act.errors = [message_for(error.code)]
        else:
            code = display_code(done.code)
            flash(
                _("Documento reemplazado; el nuevo código es %(code)s.", code=code)
                if replace
                else _("Documento revocado."),
                "success",
            )
            return redirect(url_for(".case", application_id=application_id) + "#documentos")
    return _render_case(case, _case_forms(case, lifecycle=form), 422)
