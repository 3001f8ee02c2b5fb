"""Public verification of issued documents, without signing in."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from portal.certificates import services
from portal.procedures.services import definition_of

bp = Blueprint("certificates", __name__, url_prefix="/verificar")


@bp.get("/")
def verify_form():
    code = request.args.get("codigo", "").strip()
    if code:
        return redirect(url_for(".verify", code=code))
    return render_template("certificates/verify_form.html")


@bp.get("/<code>")
def verify(code: str):
    document = services.get_by_code(code[:64])
    if document is None:
        return render_template("certificates/verify.html", document=None, code=code[:64]), 404
    application = document.application
    definition = definition_of(application.procedure_version)
    return render_template(
        "certificates/verify.html",
        document=document,
        application=application,
        decision=definition.state(application.state).label,
    )
