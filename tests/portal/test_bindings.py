"""What the portal reads through the data dictionary: the certificate's holder, SIMDET's feed
and the establishment register, from the definition's bindings (issue 7, item 1)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from portal.procedures.services import definition_of
from tests.portal.helpers import make_applicant, make_staff, pdf_bytes, pdf_text, reload_application

# A natural person registers her business in San Salvador through a representative's account:
# the account holder is not the holder of the registration.
HOLDER = {
    "name": "Ana María Pérez",
    "nit": "0614-050707-104-8",
    "dui": "03456781-4",
    "email": "ana.perez@example.sv",
    "phone": "7777-8888",
}
REGISTRATION = {
    "tipo_persona": "natural",
    "nombre_titular": HOLDER["name"],
    "nit": HOLDER["nit"],
    "dui": HOLDER["dui"],
    "mediante_apoderado": "si",
    "nombre_comercial": "Pupusería La Ceiba",
    "direccion_establecimiento": "Calle Arce 1234, San Salvador",
    "actividad_claees": "56101",
    "descripcion_actividad": "Venta de pupusas",
    "fecha_inicio": "2026-12-01",
    "activo_declarado": "8000",
    "num_empleados": "3",
    "ventas_anuales": "30000",
    "area_local_m2": "40",
    "inmueble_arrendado": "no",
    "contribuyente_inscrito": "no",
    "requiere_calificacion_lugar": "no",
    "correo": HOLDER["email"],
    "telefono": HOLDER["phone"],
}
DOCUMENTS = ("dui_nit", "poder", "balance_inicial")
COMPANY_DOCUMENTS = (
    "escritura_constitucion",
    "credencial_representante",
    "poder",
    "balance_inicial",
)


def _registered(data: dict, documents=DOCUMENTS, account_name: str = "Roberto Díaz Gestor"):
    """File a San Salvador registration and take it to `inscrito` through the services."""
    from portal.applications.facts import facts_for
    from portal.applications.services import (
        Upload,
        act_on_application,
        save_application,
        start_application,
    )
    from portal.payments.services import list_payment_orders
    from portal.procedures.services import get_procedure
    from portal.review import services as review
    from workflows.guards import review_items

    account = make_applicant(email="gestor@example.sv", name=account_name)
    application = start_application(
        actor=account,
        token="inscripcion-ss-0001",
        procedure=get_procedure("0614", "inscripcion-establecimiento"),
    )
    result = save_application(
        actor=account,
        application=application,
        data=data,
        submit=True,
        uploads={code: Upload(f"{code}.pdf", pdf_bytes()) for code in documents},
    )
    assert result.ok, (result.errors, result.reasons)
    clerk = make_staff("clerk", "0614", email="registro@sansalvador.example.sv")
    supervisor = make_staff("supervisor", "0614", email="jefe@sansalvador.example.sv")
    act_on_application(actor=clerk, application=reload_application(application.id), action="tomar")
    application = reload_application(application.id)
    items = review_items(
        definition_of(application.procedure_version), facts_for(application, "clerk")
    )
    review.record_verdicts(
        actor=clerk, application=application, verdicts=dict.fromkeys(items, (True, "")), items=items
    )
    act_on_application(
        actor=clerk, application=reload_application(application.id), action="admitir"
    )
    for order in list_payment_orders(application.id):
        review.record_payment(
            actor=supervisor, application=application, order_id=order.id, reference="REC-1"
        )
    act_on_application(
        actor=supervisor,
        application=reload_application(application.id),
        action="inscribir",
        outputs={"cuenta_contribuyente": "0614-2026-000031", "calificacion_tributaria": "B"},
    )
    application = reload_application(application.id)
    assert application.state == "inscrito"
    return application


def test_a_natural_person_s_name_ids_and_contacts_never_enter_the_feed(app_ctx, run_jobs):
    from portal.establishments.models import Establishment
    from portal.extensions import db
    from portal.simdet.models import FeedEvent

    application = _registered(REGISTRATION)
    run_jobs()
    events = db.session.scalars(sa.select(FeedEvent).order_by(FeedEvent.id)).all()
    assert [event.type for event in events] == [
        "case.filed",
        "case.resolved",
        "establishment.registered",
    ]
    text = json.dumps([event.payload for event in events], ensure_ascii=False)
    for personal in (*HOLDER.values(), "03456781", "0614050707", "Roberto Díaz", "gestor@"):
        assert personal not in text
    registered = events[-1].payload
    assert registered["tracking_number"] == application.tracking_number
    assert registered["activity_code"] == "56101"
    assert registered["establishment"] == {
        "trade_name": "Pupusería La Ceiba",
        "address": "Calle Arce 1234, San Salvador",
        "activity_code": "56101",
        "start_date": "2026-12-01",
        "employees": 3,
        "annual_sales": "30000.00",
    }
    # Its Ley MYPE size, counted with the wage and rule in force on the filing date.
    assert registered["mype"]["size"] == "micro" and registered["mype"]["minimum_wage"] == "408.80"
    establishment = db.session.scalar(sa.select(Establishment))
    assert establishment.trade_name == "Pupusería La Ceiba"
    assert establishment.activity_code == "56101" and establishment.employees == 3


def test_the_certificate_names_the_declared_holder_not_the_account(app_ctx, run_jobs):
    from portal.certificates.services import get_issued, read_pdf

    application = _registered(REGISTRATION)
    run_jobs()
    certificate = get_issued(application.id, "certificate")
    assert certificate.holder_name == "Ana María Pérez (Pupusería La Ceiba)"
    text = " ".join(pdf_text(read_pdf(certificate)).split())
    assert "Titular Ana María Pérez (Pupusería La Ceiba)" in text
    assert "Roberto Díaz Gestor" not in text
    # The receipt is the filer's: it names the account holder who filed.
    assert get_issued(application.id, "receipt").holder_name == "Roberto Díaz Gestor"


def test_a_company_holds_the_certificate_and_the_feed_carries_only_its_establishment(
    app_ctx, run_jobs
):
    from portal.certificates.services import get_issued
    from portal.extensions import db
    from portal.simdet.models import FeedEvent

    company = REGISTRATION | {
        "tipo_persona": "juridica",
        "nombre_titular": "Inversiones La Ceiba, S.A. de C.V.",
        "dui": "",
    }
    application = _registered(company, COMPANY_DOCUMENTS)
    run_jobs()
    holder = get_issued(application.id, "certificate").holder_name
    assert holder == "Inversiones La Ceiba, S.A. de C.V. (Pupusería La Ceiba)"
    payloads = [event.payload for event in db.session.scalars(sa.select(FeedEvent))]
    text = json.dumps(payloads, ensure_ascii=False)
    # The feed carries the establishment only; the legal unit is not a feed element.
    assert "Inversiones La Ceiba" not in text and "Pupusería La Ceiba" in text


def test_without_a_declared_holder_name_the_certificate_names_the_account_holder(app_ctx):
    from portal.applications.bindings import HOLDER_MAX, certificate_holder
    from portal.applications.models import Application
    from portal.extensions import db
    from portal.procedures.services import get_procedure, latest_version

    procedure = get_procedure("0614", "inscripcion-establecimiento")
    application = Application(
        procedure=procedure,
        procedure_version=latest_version(procedure),
        applicant=make_applicant(name="Ana María Pérez"),
        authority_id=procedure.authority_id,
        district_id=procedure.authority_id,
        start_token="t-holder",
        state="borrador",
        data={"nombre_comercial": "Pupusería La Ceiba"},
    )
    db.session.add(application)
    db.session.flush()
    definition = definition_of(application.procedure_version)
    assert certificate_holder(application, definition) == "Ana María Pérez"
    application.data = {
        "nombre_titular": "Pupusería La Ceiba",
        "nombre_comercial": "Pupusería La Ceiba",
    }
    assert certificate_holder(application, definition) == "Pupusería La Ceiba"  # not twice
    application.data = {"nombre_titular": "N" * 150, "nombre_comercial": "C" * 150}
    assert len(certificate_holder(application, definition)) == HOLDER_MAX
