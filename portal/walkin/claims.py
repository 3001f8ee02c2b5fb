"""/reclamar: a citizen claims online the case a clerk filed for them at the counter."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forms.messages import message_for
from forms.walkin import ClaimForm
from portal.errors import Conflict, InvalidInput, NotFound
from portal.extensions import db, limiter
from portal.tracking.views import LOOKUPS
from portal.walkin import services

bp = Blueprint("claims", __name__, url_prefix="/reclamar")


@bp.route("/", methods=["GET", "POST"])
@login_required
@limiter.limit(LOOKUPS, methods=["POST"])
def claim():
    """Move a case filed at the counter to the signed-in citizen's account."""
    if current_user.is_staff:
        abort(403)
    form = ClaimForm()
    problem, status = None, 200
    if form.validate_on_submit():
        try:
            application = services.claim_case(
                actor=current_user,
                number=form.number.data,
                code=form.code.data,
                identifier=form.identifier.data,
                ip=request.remote_addr,
            )
        except InvalidInput as refused:
            form.identifier.errors.append(message_for(refused.code))
            status = 422
        except NotFound as refused:
            problem, status = message_for(refused.code), 404
        except Conflict as refused:
            yours = refused.params.get("yours")
            problem = message_for("claim_already_yours" if yours else refused.code)
            status = 409
        else:
            db.session.expire_all()
            flash(_("El expediente ahora está en su cuenta."), "success")
            return redirect(url_for("applications.status", application_id=application.id))
    elif request.method == "POST":
        status = 422
    return render_template("walkin/claim.html", form=form, problem=problem), status
