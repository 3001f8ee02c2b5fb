"""The public catalogue: what each procedure needs, costs and takes."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, render_template, url_for
from flask_babel import get_locale

from forms.review import ApplicationStartForm
from portal.procedures import services
from portal.views_util import svg_response
from workflows.diagram import render_svg

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
    locale = str(get_locale())
    return render_template(
        "catalogue/detail.html",
        procedure=procedure,
        definition=definition,
        form=ApplicationStartForm(token=secrets.token_urlsafe(24)),
        locale=locale,
        diagram=url_for(".diagram", authority=authority, slug=slug, locale=locale),
        fees=services.compute_catalogue_fees(definition),
    )


@bp.get("/<authority>/<slug>/diagrama.<any(es, en):locale>.svg")
def diagram(authority: str, slug: str, locale: str):
    """The workflow drawn as an SVG document, shown on the page as an image (never inlined)."""
    procedure = services.get_procedure(authority, slug)
    if procedure is None:
        abort(404)
    definition = services.definition_of(services.latest_version(procedure))
    return svg_response(render_svg(definition, locale=locale))
