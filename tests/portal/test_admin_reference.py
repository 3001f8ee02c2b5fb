"""Reference data with dates in the admin console: a change is a version from a date, past
dates read what was in force then, and an admin reaches only the calendars of their scope."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
import time_machine

from tests.portal.helpers import login, make_staff

TODAY = date(2026, 12, 1)


@pytest.fixture
def reference_rows(app_ctx):
    """Days off, values and code tables are kept between tests: undo what a test adds. The
    clock stands at TODAY, a working morning in El Salvador, so every reader of the date (the
    console's, the services', the forms') agrees and the tests do not depend on the day they
    run: a version from 2027 is a future one."""
    from portal.authorities.models import AuthorityDayOff
    from portal.extensions import db
    from portal.reference.models import ActivityCode, ReferenceValue

    # 9:00 in San Salvador, given in UTC: a ZoneInfo would also move the process's timezone.
    morning = datetime(TODAY.year, TODAY.month, TODAY.day, 15, tzinfo=UTC)
    with time_machine.travel(morning, tick=True):
        last_day = db.session.scalar(sa.select(sa.func.max(AuthorityDayOff.id)))
        last_value = db.session.scalar(sa.select(sa.func.max(ReferenceValue.id)))
        last_code = db.session.scalar(sa.select(sa.func.max(ActivityCode.id)))
        seeded = db.session.execute(sa.select(AuthorityDayOff.id, AuthorityDayOff.last_year)).all()
        yield
    db.session.rollback()
    db.session.execute(sa.delete(AuthorityDayOff).where(AuthorityDayOff.id > last_day))
    for day_id, last_year in seeded:
        db.session.execute(
            sa.update(AuthorityDayOff)
            .where(AuthorityDayOff.id == day_id)
            .values(last_year=last_year)
        )
    db.session.execute(sa.delete(ReferenceValue).where(ReferenceValue.id > last_value))
    db.session.execute(sa.delete(ActivityCode).where(ActivityCode.id > last_code))
    db.session.commit()


def _calendar(code: str):
    from portal.authorities.services import calendar_for, get_authority
    from portal.extensions import db

    db.session.expire_all()
    return calendar_for(get_authority(code))


def _audits(action: str) -> list:
    from portal.accounts.models import AuditEvent
    from portal.extensions import db

    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def _day(d: date) -> dict:
    return {"date": [str(d.day), str(d.month), str(d.year)]}


def _add_day(client, code: str, day: date, **fields):
    data = {
        **_day(day), "kind": "local", "name": "Fiestas patronales de Soyapango",
        "source": "Acuerdo del Concejo Municipal 7/2026", "reason": "Acuerdo del Concejo",
        **fields,
    }  # fmt: skip
    return client.post(f"/admin/calendarios/{code}/{day.year}", data=data)


def test_calendar_changes_count_from_today_and_leave_past_years_alone(client, reference_rows):
    make_staff("admin", "M-SSE", email="admin.sse@example.sv")
    login(client, "admin.sse@example.sv")
    page = client.get("/admin/calendarios/0617/2027").get_data(as_text=True)
    assert "Asueto nacional" in page and "Código de Trabajo, Art. 190" in page
    assert "Vacación de la administración pública" in page  # shown from the law, not editable

    # Bad input: the message at its field, and what was typed stays.
    refused = _add_day(client, "0617", date(2026, 3, 9), every_year="y").get_data(as_text=True)
    assert "Elija una fecha desde hoy" in refused and "Fiestas patronales de Soyapango" in refused
    no_reason = _add_day(client, "0617", date(2027, 3, 9), reason="").get_data(as_text=True)
    assert "Escriba el motivo." in no_reason and "Acuerdo del Concejo Municipal 7/2026" in no_reason

    added = _add_day(client, "0617", date(2027, 3, 9), every_year="y")
    assert added.status_code == 302
    soyapango = _calendar("0617")
    assert soyapango.is_business_day(date(2026, 3, 9))  # a past year stays as it was
    assert not soyapango.is_business_day(date(2027, 3, 9))
    assert not soyapango.is_business_day(date(2028, 3, 9))
    (audit,) = _audits("calendar.day_added")
    assert audit.detail["reason"] == "Acuerdo del Concejo" and audit.detail["after"]["first_year"]

    # The municipio turns the vacations off from a year on: its districts follow, from then.
    settings = {"year": "2026", "vacations": "off", "holy_week": "inherit", "source": "Acuerdo 9"}
    page = client.post("/admin/calendarios/M-SSE/2027/vacaciones", data=settings)
    assert "Elija un año desde 2027" in page.get_data(as_text=True)
    assert "Acuerdo 9" in page.get_data(as_text=True)
    settings["year"] = "2027"
    assert client.post("/admin/calendarios/M-SSE/2027/vacaciones", data=settings).status_code == 302
    assert not _calendar("0617").is_business_day(date(2026, 8, 4))  # 2026 as it was
    assert _calendar("0617").is_business_day(date(2027, 8, 4))
    assert not _calendar("0614").is_business_day(date(2027, 8, 4))  # another municipio's


def test_ending_a_recurring_day_keeps_the_years_it_already_counted(client, reference_rows):
    from portal.authorities.services import own_days_off, seed_calendar

    make_staff("admin", "OPAMSS", email="admin@example.sv")
    login(client, "admin@example.sv")
    assert _calendar("0614").reason(date(2026, 8, 3)).kind == "local"
    from portal.authorities.services import get_authority

    third = next(
        r for r in own_days_off(get_authority("0614"), 2026) if r.month == 8 and r.day == 3
    )
    url = f"/admin/calendarios/0614/2026/dias/{third.id}/quitar"
    assert "Escriba el motivo." in client.post(url, data={"reason": " "}).get_data(as_text=True)
    assert client.post(url, data={"reason": "Derogado por acuerdo"}).status_code == 302
    assert _calendar("0614").reason(date(2026, 8, 3)).kind == "local"  # already past: kept
    assert _calendar("0614").reason(date(2027, 8, 3)).kind == "vacation"
    seed_calendar()  # seeding again does not bring the ended day back
    assert _calendar("0614").reason(date(2027, 8, 3)).kind == "vacation"
    (audit,) = _audits("calendar.day_ended")
    assert (
        audit.detail["before"]["last_year"] is None and audit.detail["after"]["last_year"] == 2026
    )


def test_a_municipal_admin_reaches_no_other_municipio_s_calendar_by_any_url(client, reference_rows):
    from portal.authorities.services import get_authority, own_days_off

    make_staff("admin", "M-SSE", email="admin.sse@example.sv")
    login(client, "admin.sse@example.sv")
    listed = client.get("/admin/calendarios/").get_data(as_text=True)
    assert "/admin/calendarios/0617/" in listed and "/admin/calendarios/0614/" not in listed
    theirs = own_days_off(get_authority("0614"), 2026)[0].id
    paths = [
        ("GET", "/admin/calendarios/0614/2026"),
        ("POST", "/admin/calendarios/0614/2027"),
        ("GET", f"/admin/calendarios/0614/2026/dias/{theirs}/quitar"),
        ("POST", f"/admin/calendarios/0614/2026/dias/{theirs}/quitar"),
        ("POST", f"/admin/calendarios/0617/2026/dias/{theirs}/quitar"),  # its own path, not its day
    ]
    for method, path in paths:
        response = client.open(path, method=method, data={**_day(date(2027, 1, 5)), "reason": "x"})
        assert response.status_code == 404, (method, path)
    denials = [a.subject for a in _audits("access.denied")]
    assert sorted(denials) == sorted(path for _, path in paths)  # each refusal audited once
    assert _calendar("0614").reason(date(2026, 8, 3)).kind == "local"  # nothing changed
    # National values: a municipal admin reads them and cannot add a version.
    assert client.get("/admin/referencias/salario-minimo").status_code == 200
    wage = {"sector": "comercio_servicios", **{"valid_from": ["1", "1", "2027"]}}
    assert client.post("/admin/referencias/salario-minimo", data=wage).status_code == 403


def test_wages_mype_rules_and_regimes_read_as_they_were_on_each_date(client, reference_rows):
    from portal.authorities.services import get_authority
    from portal.reference.values import minimum_wage_on, mype_size, tariff_regime_on

    assert minimum_wage_on(date(2025, 5, 31)) == Decimal("365.00")
    assert minimum_wage_on(date(2025, 6, 1)) == Decimal("408.80")
    # $200,000 a year: 489 wages of 2025, over the old micro limit (482) and under the new (500).
    assert mype_size(Decimal(200000), 4, date(2025, 7, 1)).size == "pequena"
    assert mype_size(Decimal(200000), 4, date(2026, 4, 1)).size == "micro"
    assert mype_size(Decimal(200000), 60, date(2026, 4, 1)).size == "fuera"

    make_staff("admin", "OPAMSS", email="admin@example.sv")
    login(client, "admin@example.sv")
    wage = {
        "sector": "comercio_servicios", "valid_from": ["1", "1", "2027"], "monthly": "450,5",
        "source": "Decreto de prueba",
    }  # fmt: skip
    page = client.post("/admin/referencias/salario-minimo", data=wage).get_data(as_text=True)
    assert "450,5" in page and "Decreto de prueba" in page  # refused at the field, kept
    wage |= {"monthly": "450.50", "valid_from": ["30", "11", "2026"]}
    assert "Elija una fecha desde hoy" in client.post(
        "/admin/referencias/salario-minimo", data=wage
    ).get_data(as_text=True)
    wage["valid_from"] = ["1", "1", "2027"]
    assert client.post("/admin/referencias/salario-minimo", data=wage).status_code == 302
    assert minimum_wage_on(date(2026, 12, 31)) == Decimal("408.80")
    assert minimum_wage_on(date(2027, 1, 1)) == Decimal("450.50")

    mype = {"valid_from": ["1", "1", "2027"], "micro_max_wages": "600", "small_max_wages": "550",
            "micro_max_workers": "10", "small_max_workers": "50", "source": "Reforma"}  # fmt: skip
    page = client.post("/admin/referencias/mype", data=mype).get_data(as_text=True)
    assert "Debe ser mayor que el límite de la microempresa." in page and 'value="600"' in page

    regime = {"district": "0614", "regime": "decreto_27_2023", "valid_from": ["1", "1", "2027"],
              "source": "Acuerdo de prueba"}  # fmt: skip
    assert client.post("/admin/referencias/regimenes-de-tasas", data=regime).status_code == 302
    san_salvador = get_authority("0614")
    assert tariff_regime_on(san_salvador, date(2026, 12, 31)) == "tasas_2004_2010"
    assert tariff_regime_on(san_salvador, date(2027, 1, 1)) == "decreto_27_2023"
    # The fees of a case are assessed with the regime of its filing date.
    from portal.payments.assessment import assess
    from portal.procedures.services import definition_of, get_procedure

    permit = definition_of(get_procedure("OPAMSS", "permiso-construccion").versions[-1])
    assert assess(permit, {}, san_salvador, on=date(2026, 12, 31)).regime == "tasas_2004_2010"
    assert assess(permit, {}, san_salvador, on=date(2027, 1, 1)).regime == "decreto_27_2023"
    (audit,) = [a for a in _audits("reference.version_added") if a.subject.endswith(":0614")]
    assert audit.detail["before"]["value"] == {"regime": "tasas_2004_2010"}


def test_a_claees_table_is_checked_row_by_row_and_rules_from_its_date(client, reference_rows):
    from portal.reference.services import get_activity

    make_staff("admin", "OPAMSS", email="admin@example.sv")
    login(client, "admin@example.sv")
    bad = "code,description\n56101,Restaurantes y cafeterías\n5610A,Otra\n56101,Repetido\n"
    form = {"table_version": "CAT-019/2027", "valid_from": ["1", "1", "2027"]}
    page = client.post(
        "/admin/referencias/claees",
        data={**form, "file": (io.BytesIO(bad.encode()), "tabla.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Línea 3: el código «5610A»" in page and "Línea 4: el código 56101 ya está" in page
    assert 'value="CAT-019/2027"' in page
    # Saved by Excel as "CSV UTF-8": a byte-order mark, then CRLF lines.
    good = "code,description\r\n56101,Restaurantes y cafeterías (2027)\r\n"
    response = client.post(
        "/admin/referencias/claees",
        data={**form, "file": (io.BytesIO(good.encode("utf-8-sig")), "tabla.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert get_activity("56101", on=date(2026, 12, 31)).description != (
        "Restaurantes y cafeterías (2027)"
    )
    assert get_activity("56101", on=date(2027, 1, 1)).description == (
        "Restaurantes y cafeterías (2027)"
    )
    assert "CAT-019/2027" in client.get("/admin/referencias/claees").get_data(as_text=True)
