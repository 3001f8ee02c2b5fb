"""Positive silence (LPA Arts. 113-114): APLAN's licence is granted when 90 business days pass."""

from __future__ import annotations

from datetime import timedelta

from tests.portal.helpers import make_applicant, pdf_bytes, pdf_text

LICENCE = {
    "tipo_solicitud": "nueva",
    "nombre_titular": "Cafetería El Portal S.A. de C.V.",
    "nit": "0614-050707-104-8",
    "nombre_comercial": "Cafetería El Portal",
    "cuenta_tributaria": "CT-2026-0099",
    "direccion": "4a Calle Poniente 12, Centro Histórico",
    "categoria": "panaderia_cafeteria",
    "actividad_claees": "56101",
    "area_m2": "85",
    "aforo": "30",
    "horario": "7:00 a 19:00",
    "venta_alcohol": "no",
    "resolucion_uso_suelo": "APLAN-US-2026-12",
    "permiso_minsal": "MINSAL-771",
    "vence_minsal": "2027-06-30",
    "permiso_cbes": "CBES-4410",
    "vence_cbes": "2027-06-30",
    "permiso_proteccion_civil": "PC-2026-88",
    "vence_proteccion_civil": "2027-06-30",
    "expres": "no",
    "correo": "contacto@elportal.example.sv",
    "telefono": "2222-3333",
}
DOCUMENTS = (
    "copia_resolucion_uso_suelo",
    "permiso_sanitario",
    "permiso_bomberos",
    "copia_permiso_proteccion_civil",
)


def test_a_licence_undecided_after_90_business_days_is_granted_by_silence(app_ctx, run_jobs):
    from portal.applications.services import Upload, save_application, start_application
    from portal.certificates.services import get_issued, read_pdf
    from portal.deadlines.services import sweep_deadlines
    from portal.procedures.services import get_procedure
    from tests.portal.helpers import reload_application

    applicant = make_applicant()
    application = start_application(
        actor=applicant,
        token="licencia-aplan-0001",
        procedure=get_procedure("APLAN", "licencia-funcionamiento"),
    )
    result = save_application(
        actor=applicant,
        application=application,
        data=LICENCE,
        submit=True,
        uploads={c: Upload(f"{c}.pdf", pdf_bytes()) for c in DOCUMENTS},
    )
    assert result.ok, (result.errors, result.reasons)
    application = reload_application(application.id)
    assert application.tracking_number.startswith("APLAN-")
    due = application.due_on

    sweep_deadlines(due)  # the last day of the period still belongs to the office
    assert reload_application(application.id).state == "presentado"
    sweep_deadlines(due + timedelta(days=1))
    run_jobs()
    application = reload_application(application.id)
    assert application.state == "aprobado_silencio" and application.decided_at is not None
    silence = application.history[-1]
    assert silence.actor_role == "system" and "silencio administrativo positivo" in silence.comment
    certificate = get_issued(application.id, "certificate")
    assert certificate is not None and certificate.pdf_key is not None
    text = pdf_text(read_pdf(certificate))
    assert application.tracking_number in text and "silencio" in text.lower()


def test_filing_the_licence_issues_a_payment_order_the_applicant_can_read(client, app_ctx):
    from portal.applications.services import Upload, save_application, start_application
    from portal.procedures.services import get_procedure
    from tests.portal.helpers import login

    applicant = make_applicant()
    application = start_application(
        actor=applicant,
        token="licencia-aplan-0002",
        procedure=get_procedure("APLAN", "licencia-funcionamiento"),
    )
    save_application(
        actor=applicant,
        application=application,
        data=LICENCE | {"expres": "si"},
        submit=True,
        uploads={c: Upload(f"{c}.pdf", pdf_bytes()) for c in DOCUMENTS},
    )
    login(client, "ana@example.sv")
    page = client.get(f"/solicitudes/{application.id}").get_data(as_text=True)
    assert "Mandamiento de pago MP-APLAN-" in page and "Pendiente de pago" in page
    # Ordinary procedure 165.31 + express 165.31 + bakery/café category (lowest of APLAN's
    # published range, a labelled placeholder) 420.00.
    assert page.count("$165.31") == 2 and "$420.00" in page and "$750.62" in page
    # The category's label says its figure is to be confirmed, once (not again by the portal).
    assert page.count("pendiente de confirmar") == 1
    assert "valor de referencia por confirmar" not in page
