"""Authorities as data, seeded idempotently; staff scope follows the authority tree."""

from __future__ import annotations

import sqlalchemy as sa
import yaml

from tests.portal.helpers import file_new_application, login, logout, make_applicant, make_staff


def test_seed_has_opamss_six_municipios_and_fourteen_districts_and_is_idempotent(app, app_ctx):
    from portal.authorities.models import Authority
    from portal.extensions import db
    from portal.main.services import seed
    from portal.procedures.models import ProcedureVersion

    def counts():
        kinds = dict(
            db.session.execute(
                sa.select(Authority.kind, sa.func.count()).group_by(Authority.kind)
            ).all()
        )
        versions = db.session.scalar(sa.select(sa.func.count(ProcedureVersion.id)))
        return kinds, versions

    before = counts()
    report = seed(definitions_dir=app.config["DEFINITIONS_DIR"], demo=False)
    assert report["authorities_created"] == 0
    assert counts() == before
    kinds = before[0]
    assert kinds["municipio"] == 6 and kinds["distrito"] == 14
    assert kinds["metropolitan_office"] == 1
    santa_tecla = db.session.scalar(sa.select(Authority).where(Authority.code == "0511"))
    assert santa_tecla.tracking_prefix == "STE" and santa_tecla.parent.code == "M-LLS"


def test_a_published_version_cannot_change(app, app_ctx):
    from portal.errors import InvalidInput
    from portal.procedures.services import publish_definition
    from workflows import load_file

    path = next(
        iter(
            sorted(
                (__import__("pathlib").Path(app.config["DEFINITIONS_DIR"])).glob(
                    "opamss/calificacion-lugar.yaml"
                )
            )
        )
    )
    definition = load_file(path)
    data = definition.to_dict()
    data["title"] = {"es": "Otro título", "en": "Another title"}
    from workflows import load

    try:
        publish_definition(load(data))
    except InvalidInput as error:
        assert error.code == "published_version_changed"
    else:
        raise AssertionError("a published version was overwritten")


def test_opamss_admin_sees_everything_and_a_municipio_sees_its_districts_only(client, app_ctx):
    from portal.applications.services import get_application_for

    make_applicant()
    login(client, "ana@example.sv")
    application_id = file_new_application(client)
    logout(client)
    admin = make_staff("admin", "OPAMSS", email="admin@example.sv")
    municipal = make_staff("admin", "M-SSC", email="admin.ssc@example.sv")
    assert get_application_for(application_id, admin) is not None
    # The case is issued by OPAMSS, not by the municipio: its staff do not see it.
    assert get_application_for(application_id, municipal) is None


def test_a_district_office_does_not_count_its_festivities_as_business_days(app_ctx):
    from datetime import date

    from portal.authorities.services import calendar_for, get_authority

    san_salvador = calendar_for(get_authority("0614"))
    santa_tecla = calendar_for(get_authority("0511"))
    # Friday 31 July 2026 + 1 business day: every public office reopens on Friday 7 August
    # (1-6 August vacation, D.L. 17 of 1940); 3 and 5 August are San Salvador's own as well
    # (Código de Trabajo Art. 190), 6 August is national.
    assert san_salvador.add_business_days(date(2026, 7, 31), 1) == date(2026, 8, 7)
    assert santa_tecla.add_business_days(date(2026, 7, 31), 1) == date(2026, 8, 7)
    assert san_salvador.reason(date(2026, 8, 3)).kind == "local"
    assert santa_tecla.reason(date(2026, 8, 3)).kind == "vacation"
    assert santa_tecla.reason(date(2026, 8, 6)).kind == "holiday"


def test_every_authority_dates_its_documents_at_its_own_seat(app_ctx):
    from portal.authorities.models import Authority
    from portal.authorities.services import DATA_FILE, get_authority
    from portal.extensions import db

    rows = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    assert all(row.get("seat") for row in rows), "every authority needs its seat in the data"
    places = {a.code: a.place for a in db.session.scalars(sa.select(Authority))}
    assert places["0511"] == "Santa Tecla"
    assert places["0617"] == "Soyapango"
    assert places["0502"] == "Antiguo Cuscatlán"
    assert places["OPAMSS"] == "San Salvador"
    # A seat not yet in the data: the parent's, then the authority's own name.
    district, municipio = get_authority("0608"), get_authority("M-SSC")
    assert district.place == "Mejicanos"
    district.seat = None
    assert district.place == "San Salvador"  # San Salvador Centro sits in San Salvador
    district.seat = municipio.seat = None
    assert district.place == "Mejicanos"  # its short name
    db.session.rollback()
