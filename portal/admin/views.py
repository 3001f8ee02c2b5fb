"""Admin pages: the procedures an admin manages, each version, its diagram and its changes."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from forms.versions import VersionConfirmForm
from portal import errors
from portal.admin import draft_services, services
from portal.extensions import db
from portal.views_util import admin_required, svg_response
from workflows.diagram import render_svg

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.errorhandler(404)
@bp.errorhandler(errors.NotFound)
def not_found(error):
    """Every admin page refuses what is not the admin's (or does not exist) alike: 404,
    audited as a refusal naming the path."""
    from portal.permissions import audit_denial

    db.session.rollback()  # nothing half-done rides along with the audit row
    reason = error.code if isinstance(error, errors.NotFound) else "not_found"
    if current_user.is_authenticated:
        audit_denial(errors.NotFound(reason), None, "admin")
    return render_template("errors/404.html", limited=request.blueprint), 404


class NotEditable(errors.Conflict):
    """An edit asked of a version that is not a draft (published or retired): `params["row"]`."""

    code = "not_editable"


@bp.errorhandler(NotEditable)
def not_editable(error):
    """Every edit URL of a published or retired version answers alike: 409, a page that says
    the version cannot change and offers its procedure's draft, or to start one from it."""
    db.session.rollback()
    row = error.params["row"]
    return render_template(
        "admin/not_editable.html",
        row=row,
        draft=next((v for v in row.procedure.versions if v.status == "draft"), None),
        section=(request.view_args or {}).get("section"),
        form=VersionConfirmForm(),
        locale=str(get_locale()),
    ), 409


def editable(row):
    """`row`, when it is a draft; else `NotEditable` (the 409 page)."""
    if row.status != "draft":
        raise NotEditable(row=row)
    return row


@bp.get("/tramites/")
@admin_required
def procedures():
    return render_template(
        "admin/procedures.html",
        overview=services.list_versions_for(current_user),
        locale=str(get_locale()),
    )


@bp.get("/tramites/<int:procedure_id>/versiones/<int:version>")
@admin_required
def version(procedure_id: int, version: int):
    row = services.require_version(current_user, procedure_id, version)
    locale = str(get_locale())
    definition = services.loaded_definition(row)
    return render_template(
        "admin/version.html",
        row=row,
        definition=definition,
        locale=locale,
        form=VersionConfirmForm(),
        problems=draft_services.draft_problems(row) if row.status == "draft" else [],
        data=services.draft_data(row) if row.status == "draft" else {},
        changes=services.changes_since_previous(row, locale) if definition else None,
        diagram=url_for(".diagram", procedure_id=procedure_id, version=version, locale=locale),
    )


@bp.get("/tramites/<int:procedure_id>/versiones/<int:version>/diagrama.<any(es, en):locale>.svg")
@admin_required
def diagram(procedure_id: int, version: int, locale: str):
    definition = services.loaded_definition(
        services.require_version(current_user, procedure_id, version)
    )
    if definition is None:  # a draft that does not load yet has no drawing
        abort(404)
    return svg_response(render_svg(definition, locale=locale))


# The version lifecycle, test mode and reference data (issue 11): their routes join this blueprint.
from portal.admin import reference_versions, reference_views, test_views, versions  # noqa: E402, F401
