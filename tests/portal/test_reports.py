"""The supervisors' reports: the figures they read, within their scope, as pages and CSV.

Cases are filed and moved through the real services and engine (Santa Tecla's business
registration); where a figure depends on when things happened, the acts are done on known
days of October 2026 (no holiday or vacation in Santa Tecla that month: the clock travels, the
history stays append-only), so each median and percentile is checked by hand.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from portal.accounts.models import AuditEvent
from portal.extensions import db
from portal.reports.services import percentile
from tests.portal.helpers import (
    login,
    logout,
    make_applicant,
    make_staff,
    pdf_bytes,
    reload_application,
)
from tests.portal.test_back_office import REGISTRATION

OCTOBER = "desde-day=1&desde-month=10&desde-year=2026&hasta-day=31&hasta-month=10&hasta-year=2026"


def _file(applicant, token: str):
    from portal.applications.services import Upload, save_application, start_application
    from portal.procedures.services import get_procedure

    application = start_application(
        actor=applicant, token=token, procedure=get_procedure("0511", "inscripcion-establecimiento")
    )
    uploads = {
        c: Upload(f"{c}.pdf", pdf_bytes()) for c in ("dui_nit", "balance_inicial", "recibo_energia")
    }
    result = save_application(
        actor=applicant, application=application, data=REGISTRATION, submit=True, uploads=uploads
    )
    assert result.ok, (result.errors, result.reasons)
    return reload_application(application.id)


def _act(actor, application_id: int, action: str, comment: str = "", reasons=()):
    from portal.applications.services import act_on_application

    return act_on_application(
        actor=actor,
        application=reload_application(application_id),
        action=action,
        comment=comment,
        reasons=reasons,
    )


def _local(day: date, hour: int = 10) -> datetime:
    """`hour` o'clock in El Salvador (UTC-6) on `day`, as a UTC instant."""
    return datetime(day.year, day.month, day.day, hour + 6, tzinfo=UTC)


def _on(day: date, hour: int = 10):
    """Travel to `hour` o'clock in El Salvador on `day`: what is done inside happens then."""
    return time_machine.travel(_local(day, hour), tick=False)


def _csv(client, report: str, query: str = OCTOBER) -> list[list[str]]:
    response = client.get(f"/bandeja/informes/{report}.csv?{query}")
    assert response.status_code == 200, response.data[:500]
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # Excel reads the accents
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def office(app_ctx):
    """Santa Tecla's staff: a clerk and a supervisor; and Ana, who files."""
    return {
        "ana": make_applicant(),
        "clerk": make_staff("clerk", "0511", email="clerk@santatecla.example.sv"),
        "supervisor": make_staff("supervisor", "0511", email="jefa@santatecla.example.sv"),
    }


def test_percentile_is_postgresql_percentile_cont():
    assert percentile([(1, 1), (2, 1), (6, 1)], 0.5) == 2
    assert percentile([(6, 1), (1, 1), (2, 1)], 0.9) == pytest.approx(5.2)  # 2 + 0.8 * 4
    assert percentile([(3, 4)], 0.9) == 3
    assert percentile([(1, 2), (10, 2)], 0.5) == pytest.approx(5.5)  # 1 1 10 10
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_time_in_each_state_gives_median_and_p90_in_days_and_business_days(client, office):
    # Filed on Monday 5 October; taken 1, 2 and 6 days later (the last on Sunday 11).
    for n, taken in enumerate((date(2026, 10, 6), date(2026, 10, 7), date(2026, 10, 11))):
        with _on(date(2026, 10, 5)):
            case = _file(office["ana"], f"tiempos-{n:04d}-token")
        with _on(taken):
            _act(office["clerk"], case.id, "tomar")
    login(client, "jefa@santatecla.example.sv")
    rows = _csv(client, "tiempos")
    assert rows[0][:4] == ["Trámite", "Estado", "Permanencias", "Mediana (días)"]
    (filed,) = [r for r in rows[1:] if r[1] == "Presentado"]
    # Calendar days 1, 2, 6: median 2, p90 2 + 0.8 × 4 = 5.2. Business days after Monday 5
    # up to the day taken: 1, 2 and 4 (Tue–Fri): median 2, p90 2 + 0.8 × 2 = 3.6.
    assert filed[2:] == ["3", "2.0", "5.2", "2.0", "3.6"]
    page = client.get(f"/bandeja/informes/?{OCTOBER}").get_data(as_text=True)
    assert "Tiempo en cada estado" in page and "5.2" in page and "3.6" in page
    # A stay that ended outside the period is not counted.
    assert (
        next(
            r for r in _csv(client, "tiempos", OCTOBER.replace("=31", "=6")) if r[1] == "Presentado"
        )[2]
        == "1"
    )


def test_cases_per_state_and_what_each_person_did(client, office):
    clerk = office["clerk"]
    denied, asked, waiting = (_file(office["ana"], f"estados-{n:04d}-token") for n in range(3))
    _act(clerk, denied.id, "tomar")
    _act(clerk, denied.id, "denegar", "La actividad no se permite en la zona.")
    _act(clerk, asked.id, "tomar")
    _act(clerk, asked.id, "prevenir", "Falta el recibo de energía legible.")
    login(client, "jefa@santatecla.example.sv")
    states = _csv(client, "estados", "")
    assert sorted(tuple(r[1:]) for r in states[1:]) == [
        ("Inscripción denegada", "1"),
        ("Presentado", "1"),
        ("Prevenido (corrección solicitada)", "1"),
    ]
    people = _csv(client, "personas", "")
    assert people[0] == ["Persona", "Actuaciones", "Decisiones", "Prevenciones"]
    assert people[1:] == [[clerk.full_name, "4", "1", "1"]]
    page = client.get("/bandeja/informes/").get_data(as_text=True)
    assert 'role="img"' in page and "<figcaption" in page and '<th scope="row"' in page
    assert "Presentado" in page and waiting.tracking_number not in page  # figures, not cases


def test_deadlines_met_per_procedure_and_district(client, office):
    with _on(date(2026, 10, 1)):
        on_time, late = (_file(office["ana"], f"plazos-{n:04d}-token") for n in range(2))
        for case in (on_time, late):
            _act(office["clerk"], case.id, "tomar")
        _act(office["clerk"], on_time.id, "denegar", "No cumple los requisitos.")
    due = reload_application(late.id).due_on  # 15 business days after filing
    with _on(due + timedelta(days=1)):  # decided the day after the legal period ended
        _act(office["clerk"], late.id, "denegar", "No cumple los requisitos.")
    late = reload_application(late.id)
    assert late.due_on is None and late.decided_due_on == due  # kept at decision
    query = OCTOBER.replace("hasta-day=31&hasta-month=10", "hasta-day=30&hasta-month=11")
    login(client, "jefa@santatecla.example.sv")
    per_procedure = _csv(client, "plazos-por-tramite", query)
    assert per_procedure[1][1:] == ["2", "2", "1", "50.0"]
    per_district = _csv(client, "plazos-por-distrito", query)
    assert per_district[1] == ["Santa Tecla", "2", "2", "1", "50.0"]
    page = client.get(f"/bandeja/informes/?{query}").get_data(as_text=True)
    assert "50 % (1 de 2)" in page


def test_reasons_of_corrections_and_denials_and_items_found_not_ok(client, office, request):
    from portal.applications.facts import facts_for
    from portal.procedures.services import definition_of
    from portal.review import services as review
    from workflows.guards import review_items

    clerk = office["clerk"]

    for n in range(2):
        case = _file(office["ana"], f"motivos-{n:04d}-token")
        _act(clerk, case.id, "tomar")
        case = reload_application(case.id)
        items = review_items(definition_of(case.procedure_version), facts_for(case, "clerk"))
        verdicts = dict.fromkeys(items, (True, ""))
        verdicts["recibo_energia"] = (False, "Ilegible")
        review.record_verdicts(actor=clerk, application=case, verdicts=verdicts, items=items)
        _act(clerk, case.id, "prevenir", "Recibo ilegible.", reasons=["documento_ilegible"])
    login(client, "jefa@santatecla.example.sv")
    given = _csv(client, "motivos", "")
    # The label is the definition's (its `reasons` catalogue), as the clerk picked it.
    label = "Documento ilegible, incompleto o escaneado sin todas sus páginas"
    assert given[1][1:] == ["Prevención", label, "documento_ilegible", "2"]
    items = _csv(client, "items-observados", "")
    assert [r[1:] for r in items[1:]] == [["Recibo de energía eléctrica del local", "2"]]


def test_another_district_sees_none_of_these_cases_and_opamss_admins_see_all(client, office):
    case = _file(office["ana"], "alcance-0001-token")
    _act(office["clerk"], case.id, "tomar")
    make_staff("supervisor", "0614", email="jefe@sansalvador.example.sv")
    make_staff("admin", "OPAMSS", email="admin@opamss.example.sv")
    login(client, "jefe@sansalvador.example.sv")
    page = client.get("/bandeja/informes/").get_data(as_text=True)
    assert "Presentado" not in page and "En revisión" not in page
    assert page.count("No hay datos para este periodo") == 7
    for report in ("estados", "personas", "tiempos", "plazos-por-distrito", "motivos"):
        assert len(_csv(client, report, "")) == 1, report  # the header alone
    client.post("/cuenta/salir")
    login(client, "admin@opamss.example.sv")
    assert [r[1:] for r in _csv(client, "estados", "")[1:]] == [["En revisión", "1"]]


@pytest.mark.parametrize("role", ["clerk", "inspector"])
def test_clerks_and_inspectors_are_refused_and_audited(client, office, role):
    make_staff(role, "0511", email=f"{role}.2@santatecla.example.sv")
    login(client, f"{role}.2@santatecla.example.sv")
    for path in ("/bandeja/informes/", "/bandeja/informes/estados.csv"):
        assert client.get(path).status_code == 403
        assert (
            db.session.scalar(
                sa.select(sa.func.count(AuditEvent.id)).where(
                    AuditEvent.action == "access.denied", AuditEvent.subject == path
                )
            )
            == 1
        )


def test_bad_dates_are_told_at_the_field_and_kept(client, office):
    login(client, "jefa@santatecla.example.sv")
    response = client.get(
        "/bandeja/informes/?desde-day=31&desde-month=2&desde-year=2026"
        "&hasta-day=1&hasta-month=x&hasta-year=2026"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ese día no existe en febrero de 2026." in page
    assert "Escriba el mes con cifras, de 1 a 12, o con su nombre." in page
    assert 'value="31"' in page and 'value="x"' in page
    assert "Hay un problema" in page
    reversed_period = client.get(
        "/bandeja/informes/estados.csv?desde-day=2&desde-month=10&desde-year=2026"
        "&hasta-day=1&hasta-month=10&hasta-year=2026"
    )
    assert reversed_period.status_code == 400
    assert "«Hasta» es anterior a «Desde»" in reversed_period.get_data(as_text=True)
    assert client.get("/bandeja/informes/?tramite=999999").status_code == 400
    assert client.get("/bandeja/informes/nada.csv").status_code == 404


def test_csv_is_named_by_period_and_never_runs_a_formula(client, office):
    from portal.accounts.models import User

    clerk = db.session.get(User, office["clerk"].id)
    clerk.full_name = '=HYPERLINK("http://example.com","x")'
    db.session.commit()
    case = _file(office["ana"], "formula-0001-token")
    _act(clerk, case.id, "tomar")
    login(client, "jefa@santatecla.example.sv")
    response = client.get("/bandeja/informes/personas.csv")
    assert response.mimetype == "text/csv"
    today = datetime.now(UTC) - timedelta(hours=6)
    assert f"-a-{today:%Y-%m-%d}.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[1][0] == "'" + clerk.full_name


def _statements(client, path: str) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    db.session.expire_all()  # as a new request finds it: nothing loaded by the test's commits
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_a_page_reads_as_many_statements_with_few_cases_as_with_many(client, office):
    def add_cases(first: int, n: int) -> None:
        for i in range(first, first + n):
            case = _file(office["ana"], f"cuenta-{i:04d}-token")
            _act(office["clerk"], case.id, "tomar")
            if i % 2:
                _act(office["clerk"], case.id, "denegar", "No procede.")

    add_cases(0, 2)
    login(client, "jefa@santatecla.example.sv")
    client.get("/bandeja/informes/")  # definitions and calendars read once per process
    few = _statements(client, "/bandeja/informes/")
    add_cases(2, 8)
    many = _statements(client, "/bandeja/informes/")
    assert few == many
    assert many <= 20  # 14 today: the user, the scope, the definitions and one per report


def test_procedure_and_district_filters_narrow_every_report(client, office):
    from portal.authorities.services import get_authority
    from portal.procedures.services import get_procedure

    case = _file(office["ana"], "filtros-0001-token")
    _act(office["clerk"], case.id, "tomar")
    registration = get_procedure("0511", "inscripcion-establecimiento").id
    signs = get_procedure("0511", "permiso-rotulo").id
    santa_tecla, other = get_authority("0511").id, get_authority("0614").id
    login(client, "jefa@santatecla.example.sv")
    assert len(_csv(client, "estados", f"tramite={registration}&distrito={santa_tecla}")) == 2
    assert len(_csv(client, "estados", f"tramite={signs}")) == 1
    page = client.get(f"/bandeja/informes/?tramite={signs}").get_data(as_text=True)
    assert f'<option value="{signs}" selected>' in page  # the choice is kept
    # A district out of the scope is not offered, and asking for it is refused at its field.
    refused = client.get(f"/bandeja/informes/?distrito={other}")
    assert refused.status_code == 400 and "Elija un distrito de la lista." in refused.get_data(
        as_text=True
    )


def _options(page: str, name: str) -> list[str]:
    select = page[page.index(f'name="{name}"') :]
    select = select[: select.index("</select>")]
    return [label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", select)][1:]


def test_the_filters_offer_only_the_procedures_and_districts_of_the_persons_scope(
    client, office, app_ctx
):
    from portal.procedures.models import Procedure

    login(client, "jefa@santatecla.example.sv")
    page = client.get("/bandeja/informes/").get_data(as_text=True)
    procedures = _options(page, "tramite")
    santa_tecla = db.session.scalars(
        sa.select(Procedure).where(Procedure.authority.has(code="0511"))
    ).all()
    assert len(procedures) == len(santa_tecla) and "Calificación de Lugar" not in procedures
    assert all("(" not in label for label in procedures)  # no title repeats inside the scope
    assert _options(page, "distrito") == ["Santa Tecla"]
    logout(client)
    # APLAN: its own procedures; the district it issues permits for.
    make_staff("supervisor", "APLAN", email="jefa@aplan.example.sv")
    login(client, "jefa@aplan.example.sv")
    page = client.get("/bandeja/informes/").get_data(as_text=True)
    assert _options(page, "distrito") == ["San Salvador"]
    assert "Calificación de Lugar" not in _options(page, "tramite")
    logout(client)
    # OPAMSS admins see every office's: a title two offices share says whose each one is.
    make_staff("admin", "OPAMSS", email="admin@opamss.example.sv")
    login(client, "admin@opamss.example.sv")
    page = client.get("/bandeja/informes/").get_data(as_text=True)
    procedures = _options(page, "tramite")
    registrations = [p for p in procedures if p.startswith("Inscripción de establecimiento")]
    assert len(registrations) == 2 and len(set(registrations)) == 2
    assert {r[r.index("(") :] for r in registrations} == {"(Santa Tecla)", "(San Salvador)"}
    assert len(procedures) == len(set(procedures))
    assert "Santa Tecla" in _options(page, "distrito") and "Mejicanos" in _options(page, "distrito")


def test_a_reason_is_named_by_the_definitions_catalogue_when_it_has_one():
    from types import SimpleNamespace

    from portal.reports.labels import Labels
    from workflows.text import Text

    labels = Labels.__new__(Labels)  # no database: only the catalogue is read
    labels.locale = "es"
    illegible = SimpleNamespace(code="documento_ilegible", label=Text("Documento ilegible", "x"))
    catalogues = {1: SimpleNamespace(reasons=(illegible,)), 2: SimpleNamespace()}
    labels.of = catalogues.__getitem__
    assert labels.reason(1, "documento_ilegible") == "Documento ilegible"
    assert labels.reason(1, "otro") == "otro"
    assert labels.reason(2, "documento_ilegible") == "documento_ilegible"  # no catalogue yet
