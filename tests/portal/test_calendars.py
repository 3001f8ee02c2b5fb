"""Calendars as data per authority: seeded layers, inheritance, the CLI and the public page."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

ART_190_CITY = "Código de Trabajo, Art. 190 (ciudad de San Salvador)"
VACATION_LAW = "Ley de Asuetos, Vacaciones y Licencias de los Empleados Públicos"


@pytest.fixture
def calendar_rows(app_ctx):
    """Days and settings are reference data kept between tests: undo what a test adds."""
    from portal.authorities.models import Authority, AuthorityDayOff
    from portal.extensions import db

    last = db.session.scalar(sa.select(sa.func.max(AuthorityDayOff.id)))
    yield
    db.session.rollback()
    db.session.execute(sa.delete(AuthorityDayOff).where(AuthorityDayOff.id > last))
    db.session.execute(
        sa.update(Authority).values(calendar_vacations=None, calendar_holy_week=None)
    )
    db.session.commit()


def _calendar(code: str):
    from portal.authorities.services import calendar_for, get_authority
    from portal.extensions import db

    db.session.expire_all()
    return calendar_for(get_authority(code))


def _cli(app, *args: str):
    result = app.test_cli_runner().invoke(args=["calendar", *args])
    return result.exit_code, result.output


def test_seeded_layers_give_each_day_its_source(app_ctx):
    san_salvador, santa_tecla = _calendar("0614"), _calendar("0511")
    third = san_salvador.reason(date(2026, 8, 3))
    assert (third.kind, third.source) == ("local", ART_190_CITY)
    assert santa_tecla.reason(date(2026, 8, 3)).kind == "vacation"  # not Santa Tecla's fiesta
    assert santa_tecla.reason(date(2026, 3, 31)).source.startswith(VACATION_LAW)
    for code in ("0614", "0511", "OPAMSS", "M-SSE"):
        decreed = _calendar(code).reason(date(2022, 9, 16))
        assert decreed.kind == "decreed" and "Asamblea Legislativa" in decreed.source
    # Filed 22 December 2026, 10 business days: the vacation and 1 January push it to 14 Jan.
    assert santa_tecla.add_business_days(date(2026, 12, 22), 10) == date(2027, 1, 14)


def test_a_decreed_day_added_and_removed_by_cli_moves_deadlines(app, calendar_rows):
    filed = date(2026, 12, 22)
    assert _calendar("0511").add_business_days(filed, 10) == date(2027, 1, 14)
    code, output = _cli(
        app, "add", "ALL", "2027-01-14", "--kind", "decreed",
        "--name", "Asueto de prueba", "--name-en", "Test day off",
        "--source", "Decreto Legislativo de prueba, D.O. 1",
    )  # fmt: skip
    assert code == 0, output
    assert _calendar("0511").add_business_days(filed, 10) == date(2027, 1, 15)
    assert _calendar("OPAMSS").reason(date(2027, 1, 14)).source == (
        "Decreto Legislativo de prueba, D.O. 1"
    )
    code, output = _cli(app, "list", "0511", "2027")
    assert "2027-01-14" in output and "Decreto Legislativo de prueba" in output
    assert _cli(app, "remove", "ALL", "2027-01-14")[0] == 0
    assert _calendar("0511").add_business_days(filed, 10) == date(2027, 1, 14)


def test_a_district_inherits_its_municipio_days_and_settings(app, calendar_rows):
    code, output = _cli(
        app, "add", "M-SSE", "2026-03-09", "--every-year", "--kind", "local",
        "--name", "Día del municipio", "--source", "Acuerdo del Concejo Municipal",
    )  # fmt: skip
    assert code == 0, output
    soyapango = _calendar("0617")  # a district of San Salvador Este
    assert soyapango.reason(date(2026, 3, 9)).source == "Acuerdo del Concejo Municipal"
    assert not soyapango.is_business_day(date(2027, 3, 9))  # every year
    assert _calendar("0614").is_business_day(date(2026, 3, 9))  # another municipio's district
    assert _calendar("OPAMSS").is_business_day(date(2026, 3, 9))
    # The municipio turns the vacation periods off: its districts work on 4 August.
    assert not _calendar("0617").is_business_day(date(2026, 8, 4))
    assert _cli(app, "settings", "M-SSE", "--vacations", "off")[0] == 0
    assert _calendar("0617").is_business_day(date(2026, 8, 4))
    assert not _calendar("0607").is_business_day(date(2026, 8, 6))  # still a national holiday
    # A district may choose otherwise, and the Holy Week variant is inherited the same way.
    assert _cli(app, "settings", "0617", "--vacations", "on")[0] == 0
    assert _cli(app, "settings", "M-SSE", "--holy-week", "holy_monday_to_easter_monday")[0] == 0
    assert not _calendar("0617").is_business_day(date(2026, 4, 6))  # Easter Monday
    assert _calendar("0607").is_business_day(date(2026, 4, 6))  # vacations off in Ilopango


def test_a_working_day_takes_a_vacation_day_back(app, calendar_rows):
    assert not _calendar("0511").is_business_day(date(2026, 12, 28))
    code, output = _cli(
        app, "add", "0511", "2026-12-28", "--kind", "working",
        "--name", "Atención al público", "--source", "Acuerdo municipal 12/2026",
    )  # fmt: skip
    assert code == 0, output
    assert _calendar("0511").is_business_day(date(2026, 12, 28))


def test_the_cli_refuses_what_it_cannot_do_and_keeps_an_audit_trail(app, calendar_rows):
    from portal.accounts.models import AuditEvent
    from portal.extensions import db

    refusals = [
        ("add", "XX", "2026-09-14", "--kind", "decreed", "--name", "A", "--source", "D"),
        ("add", "ALL", "2026-09-14", "--kind", "decreed", "--name", "A", "--source", " "),
        ("add", "ALL", "2026-09-14", "--kind", "decreed", "--name", " ", "--source", "D"),
        ("add", "0614", "2026-08-03", "--every-year", "--kind", "local", "--name", "A",
         "--source", "D"),  # seeded already
        ("remove", "0614", "2026-08-04"),
        ("remove", "0614", "2026-08-03"),  # the seeded day recurs: it needs --every-year
        ("settings", "0614", "--holy-week", "viernes"),
        ("settings", "XX", "--vacations", "off"),
        ("list", "XX", "2026"),
        # Only a vacation day can be taken back: a holiday or a working day stays what it is.
        ("add", "0614", "2026-09-15", "--kind", "working", "--name", "A", "--source", "D"),
        ("add", "0614", "2026-09-16", "--kind", "working", "--name", "A", "--source", "D"),
    ]  # fmt: skip
    for args in refusals:
        code, output = _cli(app, *args)
        assert code != 0 and "Error:" in output and "Traceback" not in output, (args, output)
    assert (
        _cli(app, "add", "0614", "2026-09-14", "--kind", "foo", "--name", "A", "--source", "D")[0]
        == 2
    )  # click refuses the choice
    assert (
        _cli(app, "add", "0614", "2026-9-31", "--kind", "local", "--name", "A", "--source", "D")[0]
        == 2
    )
    _cli(app, "add", "0614", "2026-09-14", "--kind", "decreed", "--name", "A", "--source", "D")
    _cli(app, "remove", "0614", "2026-09-14")
    _cli(app, "settings", "0614", "--vacations", "off")
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.like("calendar.%"))
    ).all()
    assert sorted(actions) == [
        "calendar.day_added",
        "calendar.day_removed",
        "calendar.settings_changed",
    ]


def test_the_public_page_shows_the_days_with_their_sources(client, app, calendar_rows):
    from flask_babel import refresh

    page = client.get("/calendario/0614/2026").get_data(as_text=True)
    assert "Distrito de San Salvador" in page
    assert "Fiestas agostinas de San Salvador" in page and ART_190_CITY in page
    assert "Vacación de Semana Santa" in page and VACATION_LAW in page
    assert "del Domingo de Ramos al Domingo de Resurrección" in page
    assert "Del jueves, 24 de diciembre de 2026 al jueves, 24 de diciembre de 2026" not in page
    assert '<time datetime="2026-12-25">' in page  # Christmas stands alone
    assert "Del sábado, 26 de diciembre de 2026 al jueves, 31 de diciembre de 2026" in page
    assert "/calendario/M-SSC/2026" in page  # the municipio whose days it inherits
    assert "/calendario/0614/2027" in page and "/calendario/0614/2025" in page
    refresh()  # the test's app context outlives each request: forget the cached locale
    with client.session_transaction() as session:  # English is chosen, never assumed
        session["locale"] = "en"
    english = client.get("/calendario/0614/2026")
    text = english.get_data(as_text=True)
    assert "San Salvador&#39;s August festivities" in text and "Holy Week vacation" in text
    assert "Non-working days 2026" in text and ART_190_CITY in text
    refresh()
    with client.session_transaction() as session:
        session["locale"] = "es"
    decreed = client.get("/calendario/0511/2022").get_data(as_text=True)
    assert "Asueto decretado (16 de septiembre de 2022)" in decreed
    _cli(app, "settings", "0511", "--vacations", "off")
    assert "No se aplican" in client.get("/calendario/0511/2026").get_data(as_text=True)


def test_the_chooser_leads_to_the_page_and_bad_choices_get_error_pages(client):
    index = client.get("/calendario/")
    assert index.status_code == 200 and 'name="institucion"' in index.get_data(as_text=True)
    chosen = client.get("/calendario/?institucion=0511&anio=2027")
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/calendario/0511/2027"
    assert client.get("/calendario/XX/2026").status_code == 404
    assert client.get("/calendario/0511/3000").status_code == 404
    assert client.get("/calendario/%00/2026").status_code == 404
    assert (
        client.get("/calendario/?institucion=%00&anio=2026", follow_redirects=True).status_code
        == 404
    )
    assert client.get("/calendario/?institucion=0511&anio=dos").status_code == 400
    # A code typed in lower case leads to the page; anything else is no code, and never a
    # path out of the calendar.
    lower = client.get("/calendario/?institucion=opamss&anio=2027")
    assert lower.status_code == 302 and lower.headers["Location"] == "/calendario/OPAMSS/2027"
    typed = client.get("/calendario/m-ssc/2027")
    assert typed.status_code == 301 and typed.headers["Location"] == "/calendario/M-SSC/2027"
    for hostile in ("../../admin", "//evil.example", "a/b"):
        assert client.get(f"/calendario/?institucion={hostile}&anio=2027").status_code == 404
    home = client.get("/").get_data(as_text=True)
    assert 'href="/calendario/"' in home  # linked from every page's footer
    detail = client.get("/tramites/OPAMSS/calificacion-lugar").get_data(as_text=True)
    assert 'href="/calendario/?institucion=OPAMSS"' in detail  # beside the legal period


def test_a_calendar_address_without_a_year_shows_this_year(client):
    from portal.applications.effects import local_now

    year = local_now().year
    for typed, code in (("0614", "0614"), ("opamss", "OPAMSS")):
        page = client.get(f"/calendario/{typed}", follow_redirects=True)
        assert page.status_code == 200, typed
        assert page.request.path == f"/calendario/{code}/{year}"
    assert client.get("/calendario/XX").status_code in (302, 404)
    assert client.get("/calendario/XX", follow_redirects=True).status_code == 404
    assert client.get("/calendario/%00").status_code == 404


@pytest.mark.parametrize(
    ("instant", "year"),
    [
        ("2027-01-01T02:00:00+00:00", 2026),  # 31/12/2026 20:00 in San Salvador
        ("2027-01-01T06:30:00+00:00", 2027),  # 01/01/2027 00:30 in San Salvador
    ],
)
def test_this_year_is_el_salvador_s_year_on_new_year_s_eve(client, instant, year):
    """On the evening of 31 December the server's UTC date is already the new year; the
    chooser and the address without a year still open El Salvador's current year."""
    import time_machine

    with time_machine.travel(instant, tick=False):
        chosen = client.get("/calendario/?institucion=0511")
        bare = client.get("/calendario/0511")
    assert chosen.headers["Location"] == f"/calendario/0511/{year}"
    assert bare.headers["Location"] == f"/calendario/0511/{year}"
