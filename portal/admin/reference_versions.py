"""Admin pages that correct or withdraw a version of a national number not yet in force.

A version in force is never rewritten (what was computed with it stays); one whose date has
not come can still be corrected, or withdrawn, by an admin of national data, audited.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.admin import VersionWithdrawForm
from portal.admin import reference_scope
from portal.admin.reference_views import (
    PAGES,
    REGIME,
    SECTORS,
    _confirm_page,
    _national_only,
    _refused,
    _today,
    _value_of,
)
from portal.admin.views import bp
from portal.catalogue.presenters import REGIMES
from portal.errors import InvalidInput, NotFound
from portal.reference import services as reference
from portal.views_util import admin_required

PAGE = "<any('salario-minimo', mype, 'regimenes-de-tasas'):page>"


def _future(page: str, row_id: int):
    """The page's version `row_id` if not in force yet and in the admin's scope; 404 otherwise
    (a version in force is immutable; another district's is as if it did not exist)."""
    if page != REGIME:
        _national_only()
    row = reference.version_of(row_id, PAGES[page][0])
    if row is not None and page == REGIME:
        districts = {d.id: d for d in reference_scope.regime_districts_for(current_user)}
        row = row if row.authority_id in districts else None
    if row is None:
        raise NotFound("not_found")  # audited by the admin blueprint's 404 handler
    if row.valid_from <= _today():  # in force: history is never rewritten; say so, go back
        flash(
            _(
                "Esa versión rige desde el %(day)s y ya no se puede corregir ni retirar. Para "
                "cambiar el valor, agregue una versión nueva desde una fecha futura.",
                day=row.valid_from.strftime("%d/%m/%Y"),
            ),
            "error",
        )
        abort(redirect(url_for(PAGES[page][1])))
    return row


def _fixed_choices(form, row) -> None:
    """The key a correction keeps: its sector, or its district; the regimes to choose from."""
    if hasattr(form, "sector"):
        form.sector.choices = [(row.key, str(SECTORS.get(row.key, row.key)))]
        form.sector.data = row.key
    if hasattr(form, "district"):
        district = next(
            d
            for d in reference_scope.regime_districts_for(current_user)
            if d.id == row.authority_id
        )
        form.district.choices = [(district.code, district.short_name)]
        form.district.data = district.code
        form.regime.choices = [(key, str(label)) for key, label in REGIMES.items()]


@bp.route(f"/referencias/{PAGE}/<int:row_id>", methods=["GET", "POST"])
@admin_required
def reference_version(page: str, row_id: int):
    row = _future(page, row_id)
    _kind, listing, form_class, title = PAGES[page]
    form = form_class(
        data={
            "valid_from": row.valid_from,
            "source": row.source,
            **{k: str(v) for k, v in row.value.items()},
        }
    )
    _fixed_choices(form, row)
    form.submit.label.text = _("Guardar la corrección")
    if not request.form.get("back") and form.validate_on_submit():
        try:
            reference.correct_value_version(
                row=row, value=_value_of(page, form), valid_from=form.valid_from.data,
                source=form.source.data, today=_today(), actor=current_user,
                confirmed=request.form.get("confirmed") == "yes",
            )  # fmt: skip
        except reference.LargeChange as change:
            return _confirm_page(form, change, request.path)
        except InvalidInput as error:
            _refused(error, form)
        else:
            flash(_("Corregimos la versión; rige desde la fecha indicada."), "success")
            return redirect(url_for(listing))
    return render_template(
        "admin/reference_version.html", form=form, row=row, page=page, title=title,
        listing=listing,
    )  # fmt: skip


@bp.route(f"/referencias/{PAGE}/<int:row_id>/retirar", methods=["GET", "POST"])
@admin_required
def reference_withdraw(page: str, row_id: int):
    row = _future(page, row_id)
    form = VersionWithdrawForm()
    if form.validate_on_submit():
        try:
            reference.withdraw_value_version(row=row, today=_today(), actor=current_user)
        except InvalidInput as error:
            _refused(error, form)
        else:
            flash(_("Retiramos la versión; sigue rigiendo la anterior."), "success")
            return redirect(url_for(PAGES[page][1]))
    return render_template(
        "admin/reference_withdraw.html", form=form, row=row, page=page, title=PAGES[page][3],
        listing=PAGES[page][1],
    )  # fmt: skip
