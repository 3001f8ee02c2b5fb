"""Faults found in the admin console's reference data: numbers typed any way never break a
page, a future version can be corrected or withdrawn while one in force cannot, a change of
more than half is confirmed on a second screen, and the calendar says what it refuses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.portal.helpers import at_once, login, make_staff
from tests.portal.test_admin_reference import (  # noqa: F401 (a fixture)
    TODAY,
    _add_day,
    _audits,
    reference_rows,
)

WAGES = "/admin/referencias/salario-minimo"
SETTINGS = "/admin/calendarios/0511/2026/vacaciones"


@pytest.fixture
def admin(client, reference_rows):  # noqa: F811
    make_staff("admin", "OPAMSS", email="admin@example.sv")
    login(client, "admin@example.sv")
    return client


def _wage(**fields) -> dict:
    return {
        "sector": "comercio_servicios", "valid_from": ["1", "1", "2027"], "monthly": "450.00",
        "source": "Decreto de prueba", **fields,
    }  # fmt: skip


def _future_wages() -> list:
    from portal.extensions import db
    from portal.reference.models import ReferenceValue

    db.session.expire_all()
    return db.session.scalars(
        sa.select(ReferenceValue).where(
            ReferenceValue.kind == "minimum_wage", ReferenceValue.valid_from > TODAY
        )
    ).all()


@pytest.mark.parametrize(
    "typed",
    [
        "1e30",
        "dos mil veintisiete",
        "2,027",
        "2 027",
        "2027.0",
        "２０２７",
        "-2027",
        "NaN",
        "9" * 50,
    ],
)
def test_a_year_typed_any_other_way_is_refused_at_its_field_and_kept(admin, typed):
    data = {"year": typed, "vacations": "off", "holy_week": "inherit", "source": "Acuerdo 9"}
    response = admin.post(SETTINGS, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "sin puntos ni comas, como 2027" in page
    assert f'value="{typed}"' in page and "Acuerdo 9" in page


def test_a_year_out_of_range_past_or_already_changed_speaks_of_a_year(admin):
    data = {"year": "2150", "vacations": "off", "holy_week": "inherit", "source": "Acuerdo 9"}
    assert "Escriba un año entre 1990 y 2100." in admin.post(SETTINGS, data=data).text
    page = admin.post(SETTINGS, data=data | {"year": " "}).text
    assert "Escriba el año, como 2027." in page
    page = admin.post(SETTINGS, data=data | {"year": "2026"}).text
    assert "Elija un año desde 2027" in page and "Elija una fecha" not in page
    assert admin.post(SETTINGS, data=data | {"year": " 2027 "}).status_code == 302
    again = admin.post(SETTINGS, data=data | {"year": "2027"}).text
    assert "Ya hay un cambio desde ese año" in again


@pytest.mark.parametrize("typed", ["1e30", "Infinity", "NaN", "٤٥٠", "9" * 50, "1.250,00"])
def test_a_wage_or_a_threshold_typed_any_other_way_never_breaks_the_page(admin, typed):
    page = admin.post(WAGES, data=_wage(monthly=typed))
    assert page.status_code == 200 and f'value="{typed}"' in page.text
    mype = {"valid_from": ["1", "1", "2027"], "micro_max_wages": typed, "small_max_wages": "1000",
            "micro_max_workers": "10", "small_max_workers": "50", "source": "Reforma"}  # fmt: skip
    page = admin.post("/admin/referencias/mype", data=mype)
    assert page.status_code == 200 and "Escriba un número entero" in page.text
    assert not _future_wages()
    # The year box of a date is read as a date: the same text is refused there, kept.
    dated = admin.post(WAGES, data=_wage(valid_from=["1", "1", typed]))
    assert dated.status_code == 200 and f'value="{typed}"' in dated.text


def test_a_wage_moving_by_more_than_half_is_confirmed_on_a_second_screen(admin):
    from portal.reference.values import minimum_wage_on

    for typed, shown in (("$ 25", "US$ 25.00"), ("900", "US$ 900.00"), ("$204.39", "US$ 204.39")):
        page = admin.post(WAGES, data=_wage(monthly=typed)).text
        assert "¿Guardar un cambio tan grande?" in page
        assert "US$ 408.80" in page and shown in page and "01/06/2025" in page
        assert not _future_wages()  # nothing saved yet
    back = admin.post(WAGES, data=_wage(monthly="$ 25", confirmed="yes", back="yes")).text
    assert 'value="$ 25"' in back and "Decreto de prueba" in back and not _future_wages()
    saved = admin.post(WAGES, data=_wage(monthly="$ 25", confirmed="yes"))
    assert saved.status_code == 302
    assert minimum_wage_on(date(2027, 1, 1)) == Decimal("25.00")


def test_a_change_of_half_or_less_needs_no_confirmation(admin):
    from portal.reference.values import minimum_wage_on

    assert admin.post(WAGES, data=_wage(monthly="613.20")).status_code == 302  # up by half
    # Compared with the version it follows: 306.60 is half of 613.20 less.
    later = _wage(monthly="306.60", valid_from=["1", "2", "2027"])
    assert admin.post(WAGES, data=later).status_code == 302
    assert minimum_wage_on(date(2027, 2, 1)) == Decimal("306.60")


def test_the_mype_thresholds_moving_by_more_than_half_are_confirmed(admin):
    from portal.reference.values import version_on

    mype = {"valid_from": ["1", "1", "2027"], "micro_max_wages": "5000", "small_max_wages": "6000",
            "micro_max_workers": "10", "small_max_workers": "50", "source": "Reforma"}  # fmt: skip
    page = admin.post("/admin/referencias/mype", data=mype).text
    assert "¿Guardar un cambio tan grande?" in page and "5,000" in page and "500" in page
    assert version_on("mype_rule", "thresholds", date(2027, 1, 1)).valid_from < date(2027, 1, 1)
    assert (
        admin.post("/admin/referencias/mype", data=mype | {"confirmed": "yes"}).status_code == 302
    )
    assert version_on("mype_rule", "thresholds", date(2027, 1, 1)).value["micro_max_wages"] == 5000


def test_a_future_version_is_corrected_or_withdrawn_and_one_in_force_never(admin):
    from portal.reference.values import minimum_wage_on, version_on

    assert admin.post(WAGES, data=_wage(monthly="$ 25", confirmed="yes")).status_code == 302
    (row,) = _future_wages()
    listing = admin.get(WAGES).text
    assert f"/admin/referencias/salario-minimo/{row.id}" in listing
    again = admin.post(WAGES, data=_wage(monthly="450")).text
    assert "Ya hay una versión desde el" in again and "corrija esa versión" in again

    url = f"{WAGES}/{row.id}"
    form = admin.get(url).text
    assert 'value="25.00"' in form and "Decreto de prueba" in form
    refused = admin.post(url, data=_wage(monthly="25O")).text
    assert 'value="25O"' in refused and "Escriba un número con cifras" in refused
    corrected = admin.post(url, data=_wage(monthly="425.00", source="Decreto 1/2027"))
    assert corrected.status_code == 302
    assert minimum_wage_on(date(2027, 1, 1)) == Decimal("425.00")
    (audit,) = _audits("reference.version_corrected")
    assert audit.detail["before"]["value"] == {"monthly": "25.00"}
    assert audit.detail["after"]["value"] == {"monthly": "425.00"}
    assert audit.detail["after"]["source"] == "Decreto 1/2027"
    # A correction moving far from the version in force asks too.
    assert "¿Guardar un cambio tan grande?" in admin.post(url, data=_wage(monthly="1")).text

    assert "¿Retirar la versión desde el 01/01/2027?" in admin.get(f"{url}/retirar").text
    assert admin.post(f"{url}/retirar").status_code == 302
    assert not _future_wages() and minimum_wage_on(date(2027, 1, 1)) == Decimal("408.80")
    (withdrawn,) = _audits("reference.version_withdrawn")
    assert withdrawn.detail["before"]["value"] == {"monthly": "425.00"}
    assert withdrawn.detail["after"] is None

    in_force = version_on("minimum_wage", "comercio_servicios", TODAY)
    assert "Rige: no cambia" in admin.get(WAGES).text
    for method, path in (("GET", f"{WAGES}/{in_force.id}"), ("POST", f"{WAGES}/{in_force.id}"),
                         ("POST", f"{WAGES}/{in_force.id}/retirar")):  # fmt: skip
        response = admin.open(path, method=method, data=_wage(monthly="1"))
        assert response.status_code == 302, path  # back to the list, which says why
        page = admin.get(response.headers["Location"]).text
        assert "ya no se puede corregir ni retirar" in page, path
        assert in_force.valid_from.strftime("%d/%m/%Y") in page
    # Another kind's page does not know it at all.
    assert admin.get(f"/admin/referencias/mype/{in_force.id}").status_code == 404
    assert minimum_wage_on(TODAY) == Decimal("408.80")


def test_a_municipal_admin_neither_corrects_nor_withdraws_national_values(client, admin):
    assert admin.post(WAGES, data=_wage()).status_code == 302
    (row,) = _future_wages()
    make_staff("admin", "M-SSE", email="admin.sse@example.sv")
    login(client, "admin.sse@example.sv")
    assert "/retirar" not in client.get(WAGES).text
    assert client.post(f"{WAGES}/{row.id}/retirar").status_code == 403
    assert client.post(f"{WAGES}/{row.id}", data=_wage(monthly="1")).status_code == 403
    assert len(_future_wages()) == 1


@pytest.mark.parametrize(
    ("day", "kind", "every_year"),
    [
        (date(2027, 9, 15), "local", "y"),
        (date(2027, 12, 25), "decreed", ""),
        (date(2027, 3, 25), "local", ""),
    ],
)
def test_a_day_off_on_a_national_holiday_is_refused_and_not_added(admin, day, kind, every_year):
    from portal.authorities.services import get_authority, own_days_off

    before = len(own_days_off(get_authority("0614"), 2027))
    page = _add_day(admin, "0614", day, kind=kind, every_year=every_year).text
    assert f"El {day:%d/%m/%Y} ya es asueto nacional" in page
    assert "Fiestas patronales de Soyapango" in page
    assert len(own_days_off(get_authority("0614"), 2027)) == before


def test_a_calendar_page_adds_days_of_its_own_year_and_writes_dates_as_people_do(admin):
    assert _add_day(admin, "0614", date(2028, 3, 9)).status_code == 302  # on the 2028 page
    page = admin.post("/admin/calendarios/0614/2027", data={
        "date": ["9", "3", "2028"], "kind": "local", "name": "Fiesta", "source": "Acuerdo 1",
        "reason": "Acuerdo"}).text  # fmt: skip
    assert "Esta página es el calendario de 2027" in page and "calendario de 2028" in page
    assert 'value="2028"' in page
    working = _add_day(admin, "0614", date(2027, 1, 15), kind="working").text
    assert "el 15/01/2027 es: día hábil." in working and "2027-01-15" not in working
    on_holiday = _add_day(admin, "0614", date(2027, 9, 15), kind="working").text
    assert "el 15/09/2027 es: Día de la Independencia." in on_holiday


def test_a_district_s_future_regime_is_corrected_or_withdrawn_in_the_admin_s_scope(
    client,
    reference_rows,  # noqa: F811
):
    from portal.authorities.services import get_authority
    from portal.reference.values import tariff_regime_on

    make_staff("admin", "OPAMSS", email="admin@example.sv")
    login(client, "admin@example.sv")
    regime = {"district": "0614", "regime": "decreto_27_2023", "valid_from": ["1", "1", "2027"],
              "source": "Acuerdo de prueba"}  # fmt: skip
    assert client.post("/admin/referencias/regimenes-de-tasas", data=regime).status_code == 302
    san_salvador = get_authority("0614")
    from portal.reference.values import version_on

    row = version_on("tariff_regime", "regime", date(2027, 1, 1), san_salvador.id)
    url = f"/admin/referencias/regimenes-de-tasas/{row.id}"
    assert url in client.get("/admin/referencias/regimenes-de-tasas").text
    corrected = client.post(url, data=regime | {"valid_from": ["1", "3", "2027"]})
    assert corrected.status_code == 302
    assert tariff_regime_on(san_salvador, date(2027, 1, 1)) == "tasas_2004_2010"
    assert tariff_regime_on(san_salvador, date(2027, 3, 1)) == "decreto_27_2023"
    (audit,) = _audits("reference.version_corrected")
    assert audit.detail["before"]["valid_from"] == "2027-01-01"
    assert audit.detail["after"]["valid_from"] == "2027-03-01"

    make_staff("admin", "M-SSE", email="admin.sse@example.sv")
    login(client, "admin.sse@example.sv")  # another municipio's admin: as if it did not exist
    assert client.post(f"{url}/retirar").status_code == 404
    login(client, "admin@example.sv")
    assert client.post(f"{url}/retirar").status_code == 302
    assert tariff_regime_on(san_salvador, date(2027, 3, 1)) == "tasas_2004_2010"


def test_the_same_value_added_twice_at_once_is_stored_once(app, reference_rows):  # noqa: F811
    """A double click on the confirmation: both requests pass the "is there a version from
    that day?" check (held at a barrier before their insert); the database keeps one."""
    from portal.accounts.models import User
    from portal.extensions import db
    from portal.reference import services as reference
    from portal.reference.models import ReferenceValue
    from portal.reference.values import MINIMUM_WAGE

    admin_id = make_staff("admin", "OPAMSS", email="admin@example.sv").id
    key = next(iter(db.session.scalars(
        sa.select(ReferenceValue.key).where(ReferenceValue.kind == MINIMUM_WAGE)
        .order_by(ReferenceValue.id)
    )))  # fmt: skip
    starts = date(2027, 1, 1)

    def add():
        return reference.add_value_version(
            kind=MINIMUM_WAGE, key=key, value={"monthly": "410.00"}, valid_from=starts,
            source="Decreto de prueba", today=TODAY,
            actor=db.session.get(User, admin_id), confirmed=True,
        )  # fmt: skip

    def outcome(result) -> str:
        if isinstance(result, ReferenceValue):
            return "stored"
        return (
            "refused by the database" if isinstance(result, sa.exc.IntegrityError) else repr(result)
        )

    outcomes = [outcome(result) for result in at_once(app, add, add)]
    assert sorted(outcomes) == ["refused by the database", "stored"]
    db.session.expire_all()
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                ReferenceValue.kind == MINIMUM_WAGE,
                ReferenceValue.key == key,
                ReferenceValue.valid_from == starts,
            )
        )
        == 1
    )


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2026, 12, 6), "Fin de semana"),  # a Sunday
        (date(2026, 12, 24), "Vacación"),  # in the public-office year-end vacation
        (date(2027, 1, 9), "Fin de semana"),  # a Saturday of next year
    ],
)
def test_a_day_off_on_a_day_already_off_is_refused_saying_why(admin, day, why):
    from portal.authorities.services import get_authority, own_days_off

    before = len(own_days_off(get_authority("0614"), day.year))
    answer = _add_day(admin, "0614", day)
    page = answer.text
    assert answer.status_code != 302
    at_field = page.split('id="date-error"')[1][:400]
    assert f"El {day:%d/%m/%Y} ya no es día hábil ({why}" in at_field
    assert "Fiestas patronales de Soyapango" in page  # what was typed stays
    assert len(own_days_off(get_authority("0614"), day.year)) == before


def test_a_day_off_of_every_year_on_a_weekend_this_year_is_still_added(admin):
    assert _add_day(admin, "0614", date(2026, 12, 6), every_year="y").status_code == 302


def test_the_wage_form_tells_every_fields_problem_at_once(admin):
    wage = {"sector": "comercio_servicios", "valid_from": ["", "", ""], "monthly": "-408.80",
            "source": "Decreto de prueba"}  # fmt: skip
    answer = admin.post("/admin/referencias/salario-minimo", data=wage)
    page = answer.text
    assert answer.status_code != 302
    summary = page.split("govuk-error-summary__title")[1].split("</ul>")[0]
    assert "Escriba un número mayor que cero." in summary
    assert 'href="#valid_from' in summary and 'href="#monthly"' in summary
    assert 'value="-408.80"' in page


def test_the_mype_form_tells_every_fields_problem_at_once(admin):
    mype = {"valid_from": ["", "", ""], "micro_max_wages": "600", "small_max_wages": "550",
            "micro_max_workers": "0", "small_max_workers": "50", "source": "Reforma"}  # fmt: skip
    page = admin.post("/admin/referencias/mype", data=mype).text
    summary = page.split("govuk-error-summary__title")[1].split("</ul>")[0]
    assert 'href="#valid_from' in summary
    assert "Debe ser mayor que el límite de la microempresa." in summary
    assert 'href="#micro_max_workers"' in summary and "Escriba un número mayor que cero." in summary
