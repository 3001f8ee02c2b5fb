"""The reports page for supervisors and admins, and each report as a CSV file."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy.orm import joinedload

from forms.reports import ReportFilterForm
from portal import permissions
from portal.applications.services import today_local
from portal.authorities.services import districts_of_scope
from portal.errors import NotAllowed
from portal.extensions import db
from portal.procedures.models import Procedure
from portal.reports import presenters
from portal.reports.services import Filters
from portal.views_util import staff_required

bp = Blueprint("reports", __name__, url_prefix="/bandeja/informes")


def _filters() -> tuple[ReportFilterForm, Filters | None]:
    """The filter form read from the query string, and the filters when they are valid."""
    if not current_user.has_role(*permissions.REPORT_ROLES):
        permissions.deny(NotAllowed("role_not_allowed"), None, "reports")
    locale = str(get_locale())
    form = ReportFilterForm(formdata=request.args)
    scope = permissions.staff_scope(current_user)
    query = sa.select(Procedure).options(joinedload(Procedure.authority))
    if scope is not None:
        query = query.where(Procedure.authority_id.in_(sorted(scope)))
    form.set_choices(
        presenters.procedure_choices(db.session.scalars(query).all(), locale),
        [(d.id, d.short_name) for d in districts_of_scope(scope)],
        today_local(),
    )
    if not form.validate():
        return form, None
    return form, Filters(form.start, form.end, form.procedure_id, form.district_id)


def _page(form: ReportFilterForm, tables: list, status: int = 200):
    return render_template(
        "reports/index.html", form=form, tables=tables, query=request.query_string.decode()
    ), status


@bp.get("/")
@staff_required
def index():
    form, filters = _filters()
    if filters is None:
        return _page(form, [], 400)
    return _page(form, presenters.tables(current_user, filters, str(get_locale())))


@bp.get("/<report>.csv")
@staff_required
def download(report: str):
    if report not in presenters.KEYS:
        abort(404)
    form, filters = _filters()
    if filters is None:
        return _page(form, [], 400)
    (table,) = presenters.tables(current_user, filters, str(get_locale()), only=report)
    name = f"informe-{report}-{filters.start:%Y-%m-%d}-a-{filters.end:%Y-%m-%d}.csv"
    return (
        presenters.csv_bytes(table),
        200,
        {
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )
