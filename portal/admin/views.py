"""Admin pages: the procedures an admin manages, each version, its diagram and its changes."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user

from portal.admin import services
from portal.procedures.services import definition_of
from portal.views_util import admin_required, svg_response
from workflows.diagram import render_svg

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/tramites/")
@admin_required
def procedures():
    return render_template(
        "admin/procedures.html",
        procedures=services.list_procedures_for(current_user),
        locale=str(get_locale()),
    )


@bp.get("/tramites/<int:procedure_id>/versiones/<int:version>")
@admin_required
def version(procedure_id: int, version: int):
    row = services.get_version_for(current_user, procedure_id, version)
    if row is None:
        abort(404)
    locale = str(get_locale())
    definition = definition_of(row)
    return render_template(
        "admin/version.html",
        row=row,
        definition=definition,
        locale=locale,
        changes=services.changes_since_previous(row, locale),
        diagram=url_for(".diagram", procedure_id=procedure_id, version=version, locale=locale),
    )


@bp.get("/tramites/<int:procedure_id>/versiones/<int:version>/diagrama.<any(es, en):locale>.svg")
@admin_required
def diagram(procedure_id: int, version: int, locale: str):
    row = services.get_version_for(current_user, procedure_id, version)
    if row is None:
        abort(404)
    return svg_response(render_svg(definition_of(row), locale=locale))
