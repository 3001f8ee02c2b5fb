"""Routing picks the issuing office at filing; prerequisites are checked against held cases."""

from __future__ import annotations

from tests.portal.helpers import make_applicant, make_staff, pdf_bytes

PERMIT = {
    "distrito": "0614",
    "direccion": "Calle Arce 1234",
    "matricula_cnr": "60012345-00000",
    "area_terreno_m2": "300",
    "area_construida_m2": "120",
    "numero_niveles": "2",
    "tipo_obra": "obra_nueva",
    "uso": "vivienda_unifamiliar",
    "sistema_estructural": "mamposteria_reforzada",
    "presupuesto_estimado": "45000",
    "nombre_propietario": "Ana María Pérez",
    "nit_propietario": "01234567-8",
    "tipo_persona": "natural",
    "profesional_nombre": "Arq. José Martínez",
    "profesional_registro": "A-1234",
    "director_obra_nombre": "Ing. Rosa Díaz",
    "director_obra_registro": "I-77",
    "resolucion_calificacion_lugar": "OPAMSS-2026-000001",
    "resolucion_linea_construccion": "OPAMSS-2026-000002",
    "resolucion_aguas_lluvias": "OPAMSS-2026-000003",
    "es_parcelacion": "no",
}
DOCUMENTS = (
    "escritura",
    "planos_arquitectonicos",
    "planos_estructurales",
    "memoria_calculo",
    "planos_hidraulicos",
    "planos_electricos",
)


def _file_permit(applicant, token, **changes):
    from portal.applications.services import Upload, save_application, start_application
    from portal.procedures.services import get_procedure

    application = start_application(
        actor=applicant, token=token, procedure=get_procedure("OPAMSS", "permiso-construccion")
    )
    pdf = pdf_bytes()
    result = save_application(
        actor=applicant,
        application=application,
        data=PERMIT | changes,
        submit=True,
        uploads={code: Upload(f"{code}.pdf", pdf) for code in DOCUMENTS},
    )
    assert result.ok, (result.errors, result.reasons)
    return application


def test_a_large_building_is_filed_with_the_national_office_and_a_small_one_with_opamss(app_ctx):
    applicant = make_applicant()
    small = _file_permit(applicant, "permiso-pequeno-0001")
    large = _file_permit(applicant, "permiso-grande-00001", area_construida_m2="400")
    assert small.authority.code == "OPAMSS" and small.tracking_number.startswith("OPAMSS-")
    assert large.authority.code == "DOT" and large.tracking_number.startswith("DOT-")
    # OPAMSS staff no longer see the large one; DOT staff do.
    from portal.applications.services import get_application_for

    opamss = make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    dot = make_staff("clerk", "DOT", email="clerk.dot@example.sv")
    assert get_application_for(large.id, opamss) is None
    assert get_application_for(large.id, dot) is not None


def test_a_decision_needing_prerequisites_names_the_missing_ones(app_ctx):
    from portal.applications.facts import facts_for

    applicant = make_applicant()
    permit = _file_permit(applicant, "permiso-pequeno-0002")
    facts = facts_for(permit, "clerk")
    assert not facts.prerequisites_valid
    assert set(facts.missing_prerequisites) == {
        "OPAMSS/calificacion-lugar",
        "OPAMSS/linea-construccion",
        "OPAMSS/factibilidad-aguas-lluvias",
    }


def test_an_approved_calificacion_counts_as_a_held_prerequisite(client, app_ctx):
    from portal.applications.services import act_on_application, facts_for
    from tests.portal.helpers import file_new_application, login, logout

    applicant = make_applicant()
    clerk = make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    login(client, "ana@example.sv")
    from portal.applications.models import Application
    from portal.extensions import db

    calificacion = db.session.get(Application, file_new_application(client))
    logout(client)
    act_on_application(actor=clerk, application=calificacion, action="aprobar")
    permit = _file_permit(applicant, "permiso-pequeno-0003")
    assert "OPAMSS/calificacion-lugar" not in facts_for(permit, "clerk").missing_prerequisites
