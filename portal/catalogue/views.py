"""The public catalogue: what each procedure needs, costs and takes."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, render_template
from flask_babel import get_locale

from forms.review import ApplicationStartForm
from portal.procedures import services

bp = Blueprint("catalogue", __name__, url_prefix="/tramites")


@bp.get("/")
def index():
    procedures = services.list_procedures()
    definitions = {p.id: services.definition_of(services.latest_version(p)) for p in procedures}
    return render_template(
        "catalogue/index.html",
        procedures=procedures,
        definitions=definitions,
        locale=str(get_locale()),
    )


@bp.get("/<authority>/<slug>")
def detail(authority: str, slug: str):
    procedure = services.get_procedure(authority, slug)
    if procedure is None:
        abort(404)
    definition = services.definition_of(services.latest_version(procedure))
    form = ApplicationStartForm(token=secrets.token_urlsafe(24))
    return render_template(
        "catalogue/detail.html",
        procedure=procedure,
        definition=definition,
        form=form,
        locale=str(get_locale()),
    )
