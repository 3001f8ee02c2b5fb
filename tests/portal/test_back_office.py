"""Santa Tecla's business registration, all the way: verdicts, payment, inspection, register."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.procedures.services import definition_of
from tests.portal.helpers import (
    login,
    logout,
    make_applicant,
    make_staff,
    pdf_bytes,
    reload_application,
    visible_text,
)

REGISTRATION = {
    "tipo_persona": "natural",
    "nombre_titular": "Ana María Pérez",
    "nit": "01234567-8",
    "dui": "01234567-8",
    "mediante_apoderado": "no",
    "nombre_comercial": "Pupusería La Ceiba",
    "direccion_establecimiento": "2a Avenida Norte 5, Santa Tecla",
    "actividad_claees": "56101",
    "descripcion_actividad": "Venta de pupusas",
    "fecha_inicio": "2026-12-01",
    "activo_declarado": "8000",
    "num_empleados": "3",
    "ventas_anuales": "30000",
    "area_local_m2": "40",
    "horario": "16:00 a 22:00",
    "inmueble_arrendado": "no",
    "contribuyente_inscrito": "no",
    "requiere_calificacion_lugar": "no",
    "correo": "ana@example.sv",
    "telefono": "7777-8888",
}


def _filed(app_ctx_user):
    from portal.applications.services import Upload, save_application, start_application
    from portal.procedures.services import get_procedure

    application = start_application(
        actor=app_ctx_user,
        token="inscripcion-ste-0001",
        procedure=get_procedure("0511", "inscripcion-establecimiento"),
    )
    uploads = {
        c: Upload(f"{c}.pdf", pdf_bytes()) for c in ("dui_nit", "balance_inicial", "recibo_energia")
    }
    result = save_application(
        actor=app_ctx_user, application=application, data=REGISTRATION, submit=True, uploads=uploads
    )
    assert result.ok, (result.errors, result.reasons)
    return reload_application(application.id)


def _in_inspection(application):
    """Take a filed registration to its inspection through the services, as the office does."""
    from portal.applications.facts import facts_for
    from portal.applications.services import act_on_application
    from portal.payments.services import list_payment_orders
    from portal.review import services as review
    from workflows.guards import review_items

    clerk = make_staff("clerk", "0511", email="registro@santatecla.example.sv")
    act_on_application(actor=clerk, application=application, action="tomar")
    application = reload_application(application.id)
    definition = definition_of(application.procedure_version)
    items = review_items(definition, facts_for(application, "clerk"))
    review.record_verdicts(
        actor=clerk,
        application=application,
        verdicts=dict.fromkeys(items, (True, "")),
        items=items,
    )
    for order in list_payment_orders(application.id):
        review.record_payment(
            actor=clerk, application=application, order_id=order.id, reference="REC-1"
        )
    act_on_application(
        actor=clerk, application=reload_application(application.id), action="admitir"
    )
    return reload_application(application.id)


def _decide(client, application, action, comment="", **outputs):
    fresh = reload_application(application.id)
    given = {f"o_{action}__{name}": value for name, value in outputs.items()}
    return client.post(
        f"/bandeja/{application.id}",
        data={"action": action, "comment": comment, "lock_version": str(fresh.lock_version)}
        | given,
    )


def test_a_registration_goes_through_review_payment_inspection_and_registers(
    client, app_ctx, run_jobs
):
    from portal.establishments.models import Establishment
    from portal.extensions import db
    from portal.simdet.models import FeedEvent

    application = _filed(make_applicant())
    assert application.tracking_number.startswith("STE-")
    assert application.district.code == "0511"
    make_staff("clerk", "0511", email="registro@santatecla.example.sv")
    make_staff("inspector", "0511", email="inspector@santatecla.example.sv")
    make_staff("supervisor", "0511", email="jefe@santatecla.example.sv")

    login(client, "registro@santatecla.example.sv")
    assert _decide(client, application, "tomar").status_code == 302
    page = client.get(f"/bandeja/{application.id}").get_data(as_text=True)
    assert "Revisión por ítem" in page and "Nombre comercial" in page
    assert "Registrar el pago de MP-STE-" in page
    # Nothing reviewed or paid yet: admitting is not offered.
    assert 'value="admitir"' not in page

    # One item not OK needs a reason; the reason then drafts the correction request.
    refused = client.post(
        f"/bandeja/{application.id}/revision",
        data={"v_nombre_comercial": "no", "r_nombre_comercial": ""},
    )
    assert "Escriba por qué no es conforme" in refused.get_data(as_text=True)
    items = sorted(set(re.findall(r'name="v_([a-z0-9_]+)"', page)))
    assert "balance_inicial" in items and "ventas_anuales" in items
    verdicts = {f"v_{item}": "ok" for item in items}
    assert client.post(f"/bandeja/{application.id}/revision", data=verdicts).status_code == 302
    from portal.payments.models import PaymentOrder

    order = db.session.scalar(
        sa.select(PaymentOrder).where(PaymentOrder.application_id == application.id)
    )
    assert str(order.amount) == "20.00"  # 15.00 inspection + 5.00 constancia de no inscripción
    paid = client.post(
        f"/bandeja/{application.id}/pagos/{order.id}", data={"reference": "REC-2026-4411"}
    )
    assert paid.status_code == 302
    assert _decide(client, application, "admitir").status_code == 302
    logout(client)

    login(client, "inspector@santatecla.example.sv")
    refused = _decide(client, application, "registrar_inspeccion")
    assert refused.status_code == 200 and "Falta registrar la inspección." in refused.get_data(
        as_text=True
    )
    visit = client.post(
        f"/bandeja/{application.id}/inspeccion",
        data={
            "visited_on": _today_boxes(),
            "result": "conforme",
            "notes": "Local en orden.",
        },
    )
    assert visit.status_code == 302
    assert _decide(client, application, "registrar_inspeccion").status_code == 302
    logout(client)

    login(client, "jefe@santatecla.example.sv")
    # The constancia promises the taxpayer account and the tax classification: the officer gives
    # them with the decision (tests/portal/test_decision_outputs.py).
    registered = _decide(
        client,
        application,
        "inscribir",
        cuenta_contribuyente="0511-2026-000031",
        calificacion_tributaria="Comercio, categoría B",
    )
    assert registered.status_code == 302
    run_jobs()
    application = reload_application(application.id)
    assert application.state == "inscrito"
    establishment = db.session.scalar(sa.select(Establishment))
    assert establishment.trade_name == "Pupusería La Ceiba"
    assert establishment.activity_code == "56101" and establishment.employees == 3
    assert establishment.district_id == application.district_id
    types = db.session.scalars(sa.select(FeedEvent.type)).all()
    assert "establishment.registered" in types


def _today_boxes() -> list[str]:
    """Today in El Salvador, as the three date boxes post it."""
    from portal.applications.effects import local_now

    today = local_now().date()
    return [str(today.day), str(today.month), str(today.year)]


def test_an_inspection_in_the_future_is_refused_at_the_date(client, app_ctx):
    application = _in_inspection(_filed(make_applicant()))
    make_staff("inspector", "0511", email="inspector@santatecla.example.sv")
    login(client, "inspector@santatecla.example.sv")
    response = client.post(
        f"/bandeja/{application.id}/inspeccion",
        data={
            "visited_on": ["1", "1", "2099"],
            "result": "conforme",
        },
    )
    assert response.status_code == 200
    assert "La fecha no puede ser posterior a hoy." in response.get_data(as_text=True)


@pytest.mark.parametrize("visited_on", [["1", "1", "1999"], ["31", "12", "2025"], "yesterday"])
def test_an_inspection_before_the_filing_is_refused_at_the_date(client, app_ctx, visited_on):
    from datetime import timedelta

    from portal.applications.effects import LOCAL_TZ
    from portal.extensions import db
    from portal.review.models import Inspection

    application = _in_inspection(_filed(make_applicant()))
    filed_on = application.filed_at.astimezone(LOCAL_TZ).date()
    if visited_on == "yesterday":
        day = filed_on - timedelta(days=1)
        visited_on = [str(day.day), str(day.month), str(day.year)]
    make_staff("inspector", "0511", email="inspector@santatecla.example.sv")
    login(client, "inspector@santatecla.example.sv")
    response = client.post(
        f"/bandeja/{application.id}/inspeccion",
        data={"visited_on": visited_on, "result": "conforme", "notes": "Visita"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        "La fecha no puede ser anterior a la presentación de la solicitud "
        f"({filed_on.strftime('%d/%m/%Y')})." in page
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 0


def test_staff_of_another_office_cannot_record_anything_on_the_case(client, app_ctx):
    application = _filed(make_applicant())
    make_staff("clerk", "0614", email="registro@sansalvador.example.sv")
    login(client, "registro@sansalvador.example.sv")
    assert client.post(f"/bandeja/{application.id}/revision", data={}).status_code == 404
    assert (
        client.post(f"/bandeja/{application.id}/pagos/1", data={"reference": "X"}).status_code
        == 404
    )


def test_an_inspection_date_that_is_not_a_date_gets_a_spanish_message(client, app_ctx):
    application = _in_inspection(_filed(make_applicant()))
    make_staff("inspector", "0511", email="inspector@santatecla.example.sv")
    login(client, "inspector@santatecla.example.sv")
    # Each impossible part gets its own message, by the project's one date rule.
    for posted, message in (
        ({"visited_on": ["31", "2", "2026"]}, "Ese día no existe en febrero de 2026."),
        ({"visited_on": ["20", "12", "26"]}, "Escriba el año con cuatro cifras"),
        ({"visited_on": ["5"]}, "Escriba el día, el mes y el año."),
        ({}, "Escriba la fecha de la visita"),
    ):
        response = client.post(
            f"/bandeja/{application.id}/inspeccion", data={"result": "conforme", **posted}
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 200, posted
        assert message in page, posted


@pytest.mark.parametrize(
    ("answers", "days_ago", "shown"),
    [
        (
            {"activo_declarado": "8000", "ventas_anuales": "1250000.5", "area_local_m2": "40"},
            45,
            ("$8,000.00", "$1,250,000.50", "40 m²"),
        ),
        (
            {
                "activo_declarado": "12345.67",
                "ventas_anuales": "30000",
                "area_local_m2": "1250.5",
            },
            400,
            ("$12,345.67", "$30,000.00", "1,250.5 m²"),
        ),
    ],
)
def test_answers_are_shown_as_el_salvador_writes_them(client, app_ctx, answers, days_ago, shown):
    """Dates as 01/12/2026 and amounts with thousands commas and a decimal point, never as the
    stored ISO date or bare decimal, to the applicant and to the clerk.

    The start date is counted back from the portal's own today, so it is always inside the
    field's window and never the filing day, whose ISO form the page rightly carries in a
    ``<time datetime>`` attribute; what is checked is the text a person reads."""
    from datetime import timedelta

    from portal.applications.services import (
        Upload,
        save_application,
        start_application,
        today_local,
    )
    from portal.procedures.services import get_procedure

    started = today_local() - timedelta(days=days_ago)
    answers = answers | {"fecha_inicio": started.isoformat()}
    shown = (*shown, f"{started.day:02d}/{started.month:02d}/{started.year}")

    ana = make_applicant()
    application = start_application(
        actor=ana,
        token="formato-0001",
        procedure=get_procedure("0511", "inscripcion-establecimiento"),
    )
    uploads = {
        c: Upload(f"{c}.pdf", pdf_bytes()) for c in ("dui_nit", "balance_inicial", "recibo_energia")
    }
    result = save_application(
        actor=ana,
        application=application,
        data=REGISTRATION | answers,
        submit=True,
        uploads=uploads,
    )
    assert result.ok, (result.errors, result.reasons)
    make_staff("clerk", "0511", email="registro@santatecla.example.sv")
    for email in ("ana@example.sv", "registro@santatecla.example.sv"):
        login(client, email)
        path = f"/{'solicitudes' if email.startswith('ana') else 'bandeja'}/{application.id}"
        page = visible_text(client.get(path).get_data(as_text=True))
        for text in shown:
            assert text in page, (email, text)
        assert started.isoformat() not in page
        logout(client)
