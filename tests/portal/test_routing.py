"""Routing picks the issuing office at filing; prerequisites are checked against held cases."""

from __future__ import annotations

from tests.portal.helpers import decided_case, make_applicant, make_staff, pdf_bytes

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


#: The land the permits are about, as the calificación de lugar named it.
LAND = {
    "distrito": "0614",
    "direccion": "Calle Arce 1234",
    "matricula_cnr": PERMIT["matricula_cnr"],
    "area_terreno_m2": "300",
    "uso_actual": "Baldío",
    "uso_propuesto": "Vivienda",
    "tipo_persona": "natural",
    "nombre_propietario": "Ana María Pérez",
    "nit_propietario": "01234567-8",
    "profesional_nombre": "Arq. José Martínez",
    "profesional_registro": "A-1234",
}


def held_resolutions(applicant) -> dict[str, str]:
    """Approved calificación, línea and factibilidad about the permit's land: the fields."""
    calificacion = decided_case(applicant, "calificacion-lugar", LAND)
    land = property_of(calificacion)
    linea = decided_case(applicant, "linea-construccion", LAND)
    lluvias = decided_case(applicant, "factibilidad-aguas-lluvias", LAND)
    assert property_of(linea) == property_of(lluvias) == land
    return {
        "resolucion_calificacion_lugar": calificacion.tracking_number,
        "resolucion_linea_construccion": linea.tracking_number,
        "resolucion_aguas_lluvias": lluvias.tracking_number,
    }


def property_of(application):
    """The property record a case is about."""
    from portal.subjects.services import links_of

    return links_of(application)["property"].property_record


def _file_permit(applicant, token, resolutions=None, **changes):
    from portal.applications.services import Upload, save_application, start_application
    from portal.procedures.services import get_procedure

    resolutions = held_resolutions(applicant) if resolutions is None else resolutions

    application = start_application(
        actor=applicant, token=token, procedure=get_procedure("OPAMSS", "permiso-construccion")
    )
    pdf = pdf_bytes()
    result = save_application(
        actor=applicant,
        application=application,
        data=PERMIT | resolutions | changes,
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


def test_a_decision_needing_prerequisites_names_the_ones_that_lapsed_since_filing(app_ctx):
    from datetime import timedelta

    from portal.applications.facts import facts_for
    from portal.extensions import db, utcnow
    from portal.subjects.services import case_by_number

    applicant = make_applicant()
    resolutions = held_resolutions(applicant)
    permit = _file_permit(applicant, "permiso-pequeno-0002", resolutions)
    assert facts_for(permit, "clerk").prerequisites_valid
    # Five years later the stormwater feasibility (48 months) has lapsed; the others have not.
    stormwater = case_by_number(resolutions["resolucion_aguas_lluvias"])
    stormwater.decided_at = utcnow() - timedelta(days=5 * 366)
    db.session.commit()
    facts = facts_for(permit, "clerk")
    assert not facts.prerequisites_valid
    assert facts.missing_prerequisites == ("OPAMSS/factibilidad-aguas-lluvias",)


def test_an_approved_calificacion_counts_as_a_held_prerequisite(client, app_ctx):
    from portal.applications.models import Application
    from portal.applications.services import act_on_application, facts_for
    from portal.extensions import db
    from tests.portal.helpers import (
        VALID_FIELDS,
        file_new_application,
        login,
        logout,
        ready_to_decide,
        reload_application,
    )

    applicant = make_applicant()
    clerk = make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    login(client, "ana@example.sv")
    calificacion = db.session.get(Application, file_new_application(client))
    logout(client)
    ready_to_decide(calificacion.id, clerk)
    calificacion = reload_application(calificacion.id)
    act_on_application(actor=clerk, application=calificacion, action="aprobar")
    # Filed without its cadastral key; the next cases about the same address give it.
    here = LAND | {"direccion": VALID_FIELDS["f_direccion"]}
    others = {
        "resolucion_calificacion_lugar": calificacion.tracking_number.lower(),
        "resolucion_linea_construccion": decided_case(
            applicant, "linea-construccion", here
        ).tracking_number,
        "resolucion_aguas_lluvias": decided_case(
            applicant, "factibilidad-aguas-lluvias", here
        ).tracking_number,
    }
    permit = _file_permit(
        applicant, "permiso-pequeno-0003", others, direccion=VALID_FIELDS["f_direccion"]
    )
    assert permit.data["resolucion_calificacion_lugar"] == calificacion.tracking_number
    assert facts_for(permit, "clerk").missing_prerequisites == ()
