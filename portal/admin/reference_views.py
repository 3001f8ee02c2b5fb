"""Admin pages of dated reference data: calendars, wages, MYPE rules, regimes, CLAEES, reasons."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from forms.admin import (
    INHERIT,
    CalendarSettingsForm,
    ClaeesVersionForm,
    DayOffAddForm,
    DayOffRemoveForm,
    MypeVersionForm,
    RegimeVersionForm,
    WageVersionForm,
    year_of,
)
from forms.messages import message_for
from portal import permissions
from portal.admin import reference_scope
from portal.admin.views import bp
from portal.authorities import services as calendars
from portal.authorities.views import FIRST_YEAR, LAST_YEAR
from portal.catalogue.presenters import REGIMES
from portal.errors import InvalidInput, NotAllowed, NotFound
from portal.reference import services as reference
from portal.reference import values
from portal.views_util import admin_required
from workflows.numbers import parse_number

YEAR = f"<int(min={FIRST_YEAR}, max={LAST_YEAR}):year>"
SECTORS = {
    "comercio_servicios": _l("Comercio y servicios"),
    "industria": _l("Industria"),
    "maquila_textil": _l("Maquila textil y confección"),
}


#: The pages of national numbers: their kind, the list's endpoint, the form, and the title.
WAGES, MYPE, REGIME = "salario-minimo", "mype", "regimenes-de-tasas"
PAGES = {
    WAGES: (values.MINIMUM_WAGE, ".wages", WageVersionForm, _l("Salario mínimo")),
    MYPE: (values.MYPE_RULE, ".mype", MypeVersionForm, _l("Reglas de la Ley MYPE")),
    REGIME: (
        values.TARIFF_REGIME,
        ".regimes",
        RegimeVersionForm,
        _l("Regímenes de tasas por distrito"),
    ),
}


def _value_of(page: str, form) -> dict:
    """The value a checked wage, MYPE or regime form describes, as it is stored."""
    if page == REGIME:
        return {"regime": form.regime.data}
    if page == WAGES:
        return {"monthly": f"{parse_number(form.monthly.data, money=True):.2f}"}
    return {name: int(parse_number(getattr(form, name).data)) for name in values.MYPE_FIELDS}


def _confirm_page(form, change, action: str):
    """The second screen of a change of more than half: both values, then save or go back."""
    money = {"monthly"}
    shown = [
        (getattr(form, name).label.text, *(f"US$ {n:,.2f}" if name in money else f"{n:,}"
                                            for n in (old, new)))
        for name, old, new in change.changes
    ]  # fmt: skip
    return render_template(
        "admin/reference_confirm.html", form=form, changes=shown, since=change.since,
        action=action,
    )  # fmt: skip


def _today() -> date:
    from portal.applications.effects import local_now

    return local_now().date()


def _refused(error: InvalidInput, form) -> None:
    """Put a service's refusal at its field (what was typed stays in the form)."""
    field = getattr(form, error.field or "", None) or form.submit
    field.errors = [*(field.errors or []), message_for(error.code, **error.params)]


def _authority(code: str):
    found = reference_scope.calendar_authority_for(current_user, code)
    if found is None:  # another admin's authority, or none: as if it did not exist, audited
        raise NotFound("not_found")  # once, by the admin blueprint's 404 handler
    return found


def _national_only() -> None:
    if not reference_scope.manages_national_data(current_user):
        permissions.deny(NotAllowed("role_not_allowed"), None, "reference")


@bp.get("/calendarios/")
@admin_required
def calendars_index():
    return render_template(
        "admin/calendars.html",
        authorities=reference_scope.calendar_authorities_for(current_user),
        year=_today().year,
    )


@bp.route(f"/calendarios/<authority>/{YEAR}", methods=["GET", "POST"])
@admin_required
def calendar(authority: str, year: int):
    found = _authority(authority)
    form = DayOffAddForm()
    if form.validate_on_submit():
        try:
            if form.date.data.year != year:  # the page of a year adds days of that year only
                raise InvalidInput("day_other_year", field="date", year=year,
                                   other=form.date.data.year)  # fmt: skip
            calendars.add_day_off(
                authority_code=found.code, day=form.date.data, kind=form.kind.data,
                name=form.name.data, name_en=form.name_en.data, source=form.source.data,
                every_year=form.every_year.data, actor=current_user, today=_today(),
                reason=form.reason.data,
            )  # fmt: skip
        except InvalidInput as error:
            _refused(error, form)
        else:
            flash(_("Agregamos el día al calendario."), "success")
            return redirect(url_for(".calendar", authority=found.code, year=form.date.data.year))
    return render_template(
        "admin/calendar.html",
        authority=found,
        year=year,
        form=form,
        own=calendars.own_days_off(found, year),
        summary=calendars.calendar_year(found, year),
        locale=str(get_locale()),
        first_year=FIRST_YEAR,
        last_year=LAST_YEAR,
    )


@bp.route(f"/calendarios/<authority>/{YEAR}/dias/<int:day_id>/quitar", methods=["GET", "POST"])
@admin_required
def calendar_day(authority: str, year: int, day_id: int):
    found = _authority(authority)
    row = next((r for r in calendars.own_days_off(found, year) if r.id == day_id), None)
    if row is None:
        raise NotFound("not_found")  # audited by the admin blueprint's 404 handler
    form = DayOffRemoveForm()
    if form.validate_on_submit():
        try:
            calendars.end_day_off(
                authority=found, day_id=row.id, today=_today(), reason=form.reason.data,
                actor=current_user,
            )  # fmt: skip
        except InvalidInput as error:
            _refused(error, form)
        else:
            flash(_("Quitamos el día del calendario desde hoy."), "success")
            return redirect(url_for(".calendar", authority=found.code, year=year))
    return render_template(
        "admin/calendar_day.html", authority=found, year=year, row=row, form=form
    )


@bp.route(f"/calendarios/<authority>/{YEAR}/vacaciones", methods=["GET", "POST"])
@admin_required
def calendar_settings(authority: str, year: int):
    found = _authority(authority)
    form = CalendarSettingsForm(data={"year": str(max(year, _today().year + 1))})
    if form.validate_on_submit():
        chosen = {
            "vacations": {INHERIT: None, "on": True, "off": False}[form.vacations.data],
            "holy_week": None if form.holy_week.data == INHERIT else form.holy_week.data,
        }
        starts = date(year_of(form.year), 1, 1)
        if _added(form, values.CALENDAR_SETTINGS, values.SETTINGS_KEY, chosen, found, starts):
            return redirect(url_for(".calendar", authority=found.code, year=year))
    return render_template(
        "admin/calendar_settings.html",
        authority=found,
        year=year,
        form=form,
        rows=values.history(values.CALENDAR_SETTINGS, {found.id}),
    )


@bp.get("/referencias/")
@admin_required
def reference_index():
    return render_template("admin/reference.html")


@bp.route("/referencias/salario-minimo", methods=["GET", "POST"])
@admin_required
def wages():
    form = WageVersionForm()
    form.sector.choices = [("", _("Elija el sector"))] + [(k, str(v)) for k, v in SECTORS.items()]
    if request.method == "POST":
        _national_only()
    if not request.form.get("back") and form.validate_on_submit():
        value = _value_of(WAGES, form)
        added = _added(form, values.MINIMUM_WAGE, form.sector.data, value)
        if added:
            return added if added is not True else redirect(url_for(".wages"))
    return render_template(
        "admin/wages.html",
        form=form,
        rows=values.history(values.MINIMUM_WAGE),
        sectors=SECTORS,
        editable=reference_scope.manages_national_data(current_user),
        today_wage=values.minimum_wage_on(_today()),
        today=_today(),
    )


@bp.route("/referencias/mype", methods=["GET", "POST"])
@admin_required
def mype():
    form = MypeVersionForm()
    if request.method == "POST":
        _national_only()
    if not request.form.get("back") and form.validate_on_submit():
        added = _added(form, values.MYPE_RULE, values.MYPE_KEY, _value_of(MYPE, form))
        if added:
            return added if added is not True else redirect(url_for(".mype"))
    return render_template(
        "admin/mype.html",
        form=form,
        rows=values.history(values.MYPE_RULE),
        editable=reference_scope.manages_national_data(current_user),
        today=_today(),
    )


@bp.route("/referencias/regimenes-de-tasas", methods=["GET", "POST"])
@admin_required
def regimes():
    districts = reference_scope.regime_districts_for(current_user)
    form = RegimeVersionForm()
    form.district.choices = [
        ("", _("Elija el distrito")),
        *((d.code, d.short_name) for d in districts),
    ]
    form.regime.choices = [(key, str(label)) for key, label in REGIMES.items()]
    if form.validate_on_submit():
        district = next((d for d in districts if d.code == form.district.data), None)
        if district is None:
            form.district.errors = [_("Elija uno de los distritos de la lista.")]
        elif _added(form, values.TARIFF_REGIME, values.REGIME_KEY,
                    {"regime": form.regime.data}, authority=district):  # fmt: skip
            return redirect(url_for(".regimes"))
    today = _today()
    return render_template(
        "admin/regimes.html",
        form=form,
        districts=[(d, values.tariff_regime_on(d, today)) for d in districts],
        rows=values.history(values.TARIFF_REGIME, {d.id for d in districts}),
        names={d.id: d.short_name for d in districts},
        regimes=REGIMES,
        today=today,
    )


def _added(form, kind: str, key: str, value: dict, authority=None, starts=None):
    """Add the version the form describes: True; False (the message at its field) if refused;
    the confirmation page when a number moves by more than half.

    `starts` is the first day when the form has no `valid_from` (a year: its 1 January).
    """
    try:
        reference.add_value_version(
            kind=kind, key=key, value=value, valid_from=starts or form.valid_from.data,
            source=form.source.data, today=_today(), actor=current_user, authority=authority,
            confirmed=form.confirmed.data == "yes" if hasattr(form, "confirmed") else False,
        )  # fmt: skip
    except reference.LargeChange as change:
        return _confirm_page(form, change, request.path)
    except InvalidInput as error:
        if error.field == "valid_from" and starts is not None:
            error.field, error.code = "year", _YEAR_CODES.get(error.code, error.code)
            error.params = {"year": _first_year(_today())}
        _refused(error, form)
        return False
    flash(_("Agregamos la versión nueva; rige desde la fecha indicada."), "success")
    return True


_YEAR_CODES = {"valid_from_past": "year_past", "version_exists": "year_exists"}


def _first_year(today: date) -> int:
    """The first year whose 1 January is not past."""
    return today.year if (today.month, today.day) == (1, 1) else today.year + 1


@bp.route("/referencias/claees", methods=["GET", "POST"])
@admin_required
def claees():
    form = ClaeesVersionForm()
    if request.method == "POST":
        _national_only()
    if form.validate_on_submit():
        upload = form.file.data
        text = upload.read().decode("utf-8-sig", errors="replace") if upload else ""
        try:
            if not text:
                raise InvalidInput("table_empty", field="file")
            reference.add_table_version(
                table_version=form.table_version.data, valid_from=form.valid_from.data,
                text=text, today=_today(), actor=current_user,
            )  # fmt: skip
        except reference.TableRowsInvalid as error:
            form.file.errors = [
                message_for(code, line=line, **params) for line, code, params in error.problems
            ]
        except InvalidInput as error:
            _refused(error, form)
        else:
            flash(_("Cargamos la tabla nueva; rige desde la fecha indicada."), "success")
            return redirect(url_for(".claees"))
    return render_template(
        "admin/claees.html",
        form=form,
        versions=reference.list_table_versions(),
        in_force=reference.table_version_on(_today()),
        editable=reference_scope.manages_national_data(current_user),
    )


@bp.get("/referencias/motivos")
@admin_required
def reasons():
    return render_template(
        "admin/reasons.html",
        procedures=reference_scope.reason_catalogues_for(current_user),
        locale=str(get_locale()),
    )
