"""The public catalogue: what each procedure needs, costs and takes."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, render_template, url_for
from flask_babel import get_locale

from forms.review import ApplicationStartForm
from portal.errors import NotFound
from portal.procedures import services
from portal.views_util import svg_response
from workflows.diagram import render_svg

bp = Blueprint("catalogue", __name__, url_prefix="/tramites")


@bp.get("/")
def index():
    every = services.list_procedures()
    versions = {p.id: services.latest_version(p) for p in every}
    procedures = [p for p in every if versions[p.id] is not None]  # open to new filings
    definitions = {p.id: services.definition_of(versions[p.id]) for p in procedures}
    return render_template(
        "catalogue/index.html",
        procedures=procedures,
        definitions=definitions,
        locale=str(get_locale()),
    )


@bp.get("/<authority>/<slug>")
def detail(authority: str, slug: str):
    procedure, definition = _open_definition(authority, slug)
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
    _procedure, definition = _open_definition(authority, slug)
    return svg_response(render_svg(definition, locale=locale))


def _open_definition(authority: str, slug: str):
    """The definition new cases of a procedure take; 404 if unknown, 410 when it was retired."""
    procedure = services.get_procedure(authority, slug)
    if procedure is None:
        abort(404)
    try:
        version = services.version_for_new_cases(procedure)
    except NotFound as closed:
        abort(410 if closed.params.get("retired") else 404)
    return procedure, services.definition_of(version)
