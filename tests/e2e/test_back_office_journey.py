"""The clerks' back office end to end in Chromium (issue 9, "Tests and figures").

An OPAMSS building permit (a procedure with an item-by-item review and a site inspection,
workflows/definitions/opamss/permiso-construccion.yaml) goes through the office as people
work it: a clerk filters the queue by procedure and deadline, takes the case, reviews each
answer and document beside its data, marks one document not OK with a reason of the
procedure's catalogue and asks for a correction whose reasoned text comes prefilled. The
applicant replaces that document and sends the correction back; the clerk finds the changed
document marked and the others still judged, judges it and admits the case; the applicant
pays; the clerk schedules the inspection. The inspector records the visit with its checklist
and a photo; the supervisor (who signs in with a second factor) grants the permit, and the
applicant sees it.

Only the people (the staff accounts, the applicants) and the applicant's first filing are set
up through the services; every step of the office goes through the pages.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest

from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import _violations
from tests.portal.helpers import make_applicant, make_staff, pdf_bytes

pytestmark = pytest.mark.e2e
PHONE = {"width": 360, "height": 800}
DESK = {"width": 1280, "height": 900}
PROCEDURE = "Permiso de Construcción"
#: The document the clerk finds wrong, and the reason of the procedure's catalogue.
MARKED = "Planos estructurales"
CATALOGUE_REASON = "Plano sin firma y sello del profesional responsable"
CLERK_WORDS = "Faltan la firma y el sello del ingeniero estructural en la lámina E-2."
CLERK, INSPECTOR, SUPERVISOR = "Carla Rivas", "Inés Guzmán", "Julia Menjívar"


# ------------------------------------------------------------------ set-up (people, a filing)


def _staff(role: str, email: str, name: str) -> None:
    from portal.extensions import db

    user = make_staff(role, "OPAMSS", email=email)
    user.full_name = name
    db.session.commit()


def _file_permit(applicant) -> int:
    """The applicant's building permit filed as the form would file it: her answers, six PDFs
    and the three favourable resolutions it requires (her own, about the same land)."""
    from tests.portal.test_routing import _file_permit

    return _file_permit(applicant, "permiso-journey-0001").id


def _overdue_case(applicant) -> str:
    """Another applicant's case of another procedure, filed weeks ago and unreviewed: overdue."""
    from portal.applications import clocks
    from portal.extensions import db, utcnow
    from portal.procedures.services import definition_of
    from tests.portal.helpers import reload_application
    from tests.portal.test_inspections import case_in_state

    case = case_in_state(applicant, "OPAMSS", "calificacion-lugar", "presentado")
    case.state_entered_at = utcnow() - timedelta(days=40)
    definition = definition_of(case.procedure_version)
    clocks.derive_deadlines(case, definition, clocks.calendar_of(case))
    db.session.commit()
    return reload_application(case.id).tracking_number


def _png() -> bytes:
    """A small photo of the site (a PNG drawn here)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 120, 60)).save(out, format="PNG")
    return out.getvalue()


# ------------------------------------------------------------------ what people do


def _sign_out(page) -> None:
    menu = page.get_by_role("button", name="Menú")
    if menu.is_visible():
        menu.click()
    page.get_by_role("button", name="Salir").click()
    page.get_by_text("Cerró su sesión").wait_for()


def _text(page) -> str:
    return page.locator("main").inner_text()


def _fits(page, width: int) -> None:
    """Nothing scrolls sideways (WCAG 1.4.10)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _open_from_queue(page, base: str, number: str) -> None:
    page.goto(f"{base}/bandeja/")
    page.get_by_role("link", name=number).click()
    page.get_by_role("heading", name=f"Expediente {number}").wait_for()


def _item(page, label: str):
    """The review item of a field or document, by its heading."""
    return page.locator(".app-review-item").filter(
        has=page.get_by_role("heading", name=label, exact=True)
    )


def _decide(page, choice: str) -> None:
    page.get_by_role("group", name="¿Qué decide?").get_by_label(choice, exact=True).check()
    page.get_by_role("button", name="Registrar decisión").click()
    page.get_by_text("Decisión registrada en el expediente").wait_for()


def _date(page, legend: str, day) -> None:
    group = page.get_by_role("group", name=legend)
    for part, number in zip(("Día", "Mes", "Año"), (day.day, day.month, day.year), strict=True):
        group.get_by_label(part, exact=True).fill(str(number))


# ------------------------------------------------------------------ the journey


def test_a_building_permit_through_the_queue_review_correction_inspection_and_decision(
    app, live_server, browser, tmp_path
):
    from portal.applications.effects import local_now
    from tests.portal.helpers import reload_application

    base = live_server
    today = local_now().date()
    with app.app_context():
        ana = make_applicant("ana@example.sv", "Ana María Pérez")
        application_id = _file_permit(ana)
        number = reload_application(application_id).tracking_number
        late = _overdue_case(make_applicant("beto@example.sv", "Beto Ramos"))
        _staff("clerk", "tecnico@opamss.example.sv", CLERK)
        _staff("inspector", "inspeccion@opamss.example.sv", INSPECTOR)
        _staff("supervisor", "jefatura@opamss.example.sv", SUPERVISOR)
    signed = tmp_path / "planos-estructurales-firmados.pdf"
    signed.write_bytes(pdf_bytes(2))  # another file: its digest differs from the first one
    photo = tmp_path / "fachada.png"
    photo.write_bytes(_png())
    desk = browser.new_context(viewport=DESK, locale="es-SV", bypass_csp=True)
    office = desk.new_page()

    # 2. The clerk's queue: both open cases, counted by deadline; then filtered.
    sign_in(office, base, "tecnico@opamss.example.sv")
    office.goto(f"{base}/bandeja/")
    queue = _text(office)
    assert "2 expedientes abiertos en esta vista" in queue
    assert number in queue and late in queue
    deadlines = office.get_by_role("list", name="Expedientes por plazo").inner_text()
    assert "A tiempo (1)" in deadlines and "Vencidos (1)" in deadlines
    assert "Vencen en 2 días hábiles o menos (0)" in deadlines
    assert "Plazo suspendido (0)" in deadlines
    office.get_by_text("Filtrar", exact=True).click()
    office.get_by_label("Trámite", exact=True).select_option(label=f"{PROCEDURE} (1)")
    office.get_by_label("Plazo", exact=True).select_option(label="A tiempo (1)")
    office.get_by_role("button", name="Aplicar filtros").click()
    office.wait_for_load_state()
    cards = office.locator(".app-queue__case")
    assert cards.count() == 1, _text(office)
    card = cards.first.inner_text()
    assert number in card and late not in card
    assert PROCEDURE in card and "Presentado (revisión de admisibilidad)" in card
    assert "Sin asignar (personal técnico, jefatura)" in card
    assert re.search(r"Quedan? \d+ días? hábil(es)?", card), card
    assert office.get_by_label("Plazo", exact=True).input_value() == "a_tiempo"  # kept
    queue_axe = _violations(office)
    _fits(office, DESK["width"])

    # ... and takes the case.
    office.get_by_role("link", name=number).click()
    office.get_by_role("heading", name=f"Expediente {number}").wait_for()
    assert "Sin asignar." in office.locator(".app-assignment").inner_text()
    office.get_by_role("button", name="Tomar caso").click()
    office.get_by_text(f"Usted tomó el expediente {number}.").wait_for()
    assert f"Asignado a: {CLERK}" in office.locator(".app-assignment").inner_text()
    assert not office.get_by_role("button", name="Tomar caso").count()

    # 3. Item by item beside the data: every answer and document with its verdict control.
    assert office.get_by_role("heading", name="Revisión por ítem").is_visible()
    items = office.locator(".app-review-item")
    total = items.count()
    assert total >= 20
    assert items.locator("input[type=radio][value=ok]").count() == total
    assert office.get_by_text("Sin revisar", exact=True).count() == total
    owner = _item(office, "Nombre del director de obra")
    assert "Ing. Rosa Díaz" in owner.inner_text()  # the answer beside its verdict
    marked = _item(office, MARKED)
    assert marked.get_by_role("link", name="Descargar planos_estructurales.pdf").is_visible()
    assert marked.get_by_text("Ver el documento aquí").is_visible()  # viewable in the page
    first_axe = _violations(office)
    office.set_viewport_size(PHONE)  # the case page on a phone: nothing scrolls sideways
    _fits(office, PHONE["width"])
    office.set_viewport_size(DESK)
    for index in range(total):
        item = items.nth(index)
        if item.get_by_role("heading").first.inner_text().strip() == MARKED:
            item.get_by_label("No conforme", exact=True).check()
            item.get_by_text("Motivos del procedimiento (si no es conforme)").click()
            item.get_by_label(CATALOGUE_REASON).check()
            item.get_by_role("textbox").fill(CLERK_WORDS)
        else:
            item.get_by_label("Conforme", exact=True).check()
    office.get_by_role("button", name="Guardar revisión").click()
    office.get_by_text("Revisión guardada.").wait_for()
    marked = _item(office, MARKED)
    assert "No conforme" in marked.locator(".app-review-item__verdict").inner_text()
    assert office.locator(".app-review-item__verdict .govuk-tag--green").count() == total - 1

    # ... and asks for a correction: the procedure's reasoned text, prefilled with the item.
    office.get_by_role("group", name="¿Qué decide?").get_by_label(
        "Solicitar corrección (prevención)", exact=True
    ).check()
    reasons = office.locator("#motivos-prevenir")
    if reasons.get_attribute("open") is None:
        reasons.locator("summary").click()
    text = reasons.get_by_role("textbox").input_value()
    assert text == (
        f"Expediente {number}, {PROCEDURE}.\n"
        "Se previene a Ana María Pérez para que corrija o complete lo siguiente y presente las"
        " correcciones dentro del plazo indicado:\n"
        f"- {MARKED}: {CATALOGUE_REASON}; {CLERK_WORDS}"
    ), text
    office.get_by_role("button", name="Registrar decisión").click()
    office.get_by_text(f"Decisión registrada en el expediente {number}.").wait_for()
    # It left her queue (the applicant has it now) and stays among her cases, suspended.
    assert office.locator(".app-queue__case").filter(has_text=number).count() == 0
    office.get_by_role("link", name="Mis casos").click()
    office.wait_for_load_state()
    mine = office.locator(".app-queue__case").filter(has_text=number).inner_text()
    assert "Prevenido (corrección solicitada)" in mine and "Plazo suspendido" in mine
    _sign_out(office)

    # 4. The applicant reads the request, replaces that one document and sends it back.
    phone = browser.new_context(viewport=PHONE, locale="es-SV")
    applicant = phone.new_page()
    sign_in(applicant, base, "ana@example.sv")
    applicant.goto(f"{base}/solicitudes/{application_id}")
    status = _text(applicant)
    assert "Prevenido (corrección solicitada)" in status
    assert f"Expediente {number}, {PROCEDURE}." in status
    assert f"- {MARKED}: {CATALOGUE_REASON}; {CLERK_WORDS}" in status
    _fits(applicant, PHONE["width"])
    applicant.get_by_role("link", name="Corregir la solicitud").click()
    banner = applicant.get_by_role("region", name="Corrección solicitada").inner_text()
    assert MARKED in banner and CATALOGUE_REASON in banner
    _fits(applicant, PHONE["width"])
    # Only what was marked is open to change.
    assert not applicant.get_by_label("Planos arquitectónicos").is_enabled()
    assert not applicant.get_by_label("Nombre del director de obra").is_editable()
    assert applicant.get_by_label(MARKED).is_enabled()
    applicant.get_by_label(MARKED).set_input_files(str(signed))
    applicant.get_by_role("button", name="Enviar corrección").click()
    applicant.get_by_text("Corrección enviada").first.wait_for()

    # 5. The clerk again: only the changed document waits for a verdict.
    sign_in(office, base, "tecnico@opamss.example.sv")
    _open_from_queue(office, base, number)
    changed = office.locator(".app-review-item--changed")
    assert changed.count() == 1
    marked = _item(office, MARKED)
    assert "app-review-item--changed" in marked.get_attribute("class")
    shown = marked.inner_text()
    assert "Cambió desde la presentación anterior." in shown
    assert "Antes: planos_estructurales.pdf" in shown
    assert "Ahora: planos-estructurales-firmados.pdf" in shown
    assert "Por revisar de nuevo" in shown
    assert not marked.get_by_label("Conforme", exact=True).is_checked()
    assert not marked.get_by_label("No conforme", exact=True).is_checked()
    kept = office.get_by_text("Revisado en una presentación anterior; no cambió desde entonces.")
    assert kept.count() == total - 1
    owner = _item(office, "Nombre del director de obra")
    assert "Conforme" in owner.locator(".app-review-item__verdict").inner_text()
    assert owner.get_by_label("Conforme", exact=True).is_checked()
    found_axe = _violations(office)
    office.set_viewport_size(PHONE)
    _fits(office, PHONE["width"])
    office.set_viewport_size(DESK)
    marked.get_by_label("Conforme", exact=True).check()
    office.get_by_role("button", name="Guardar revisión").click()
    office.get_by_text("Revisión guardada.").wait_for()
    assert office.locator(".app-review-item__verdict .govuk-tag--green").count() == total
    assert office.get_by_text("Por revisar de nuevo").count() == 0
    _decide(office, "Admitir y pasar a análisis técnico")

    # Admission issued the payment order: the applicant pays it online.
    applicant.goto(f"{base}/solicitudes/{application_id}")
    applicant.get_by_role("button", name="Pagar en línea").click()
    applicant.get_by_role("button", name="Confirmar el pago").click()
    applicant.get_by_text("Pagado el").first.wait_for()

    # 6. The clerk schedules the inspection (today, the office's inspector) and sends it on.
    _open_from_queue(office, base, number)
    _date(office, "Fecha de la visita", today)
    office.get_by_label("Inspector o inspectora").select_option(label=INSPECTOR)
    office.get_by_label("Indicaciones para la visita (opcional)").fill("Llamar antes de llegar.")
    office.get_by_role("button", name="Programar inspección").click()
    office.get_by_text("Inspección programada.").wait_for()
    visits = office.locator(".app-inspection").inner_text()
    assert f"Visita programada para el {today:%d/%m/%Y}" in visits and INSPECTOR in visits
    _decide(office, "Programar inspección")
    _sign_out(office)

    # The inspector finds it among her visits and records it: checklist, photo, result.
    sign_in(office, base, "inspeccion@opamss.example.sv")
    office.goto(f"{base}/bandeja/inspecciones")
    row = office.get_by_role("row").filter(has_text=number).inner_text()
    assert f"{today:%d/%m/%Y}" in row and "Hoy" in row and PROCEDURE in row
    office.get_by_role("link", name=number).click()
    office.get_by_role("heading", name="Registrar la visita").wait_for()
    _date(office, "Fecha de la visita", today)
    checklist = office.locator(".app-verdict")
    assert checklist.count() == 5  # the definition's checklist
    for index in range(checklist.count()):
        checklist.nth(index).get_by_label("Cumple", exact=True).check()
    office.get_by_role("group", name="Resultado").get_by_label("Conforme", exact=True).check()
    office.get_by_label("Acta u observaciones").fill("Obra gris conforme a planos.")
    office.get_by_label("Fotografías (opcional)").set_input_files(str(photo))
    office.get_by_role("button", name="Registrar inspección").click()
    office.get_by_text("Inspección registrada.").wait_for()
    _decide(office, "Registrar resultado de la inspección")
    _sign_out(office)

    # 7. The supervisor (password and code) sees the visit on the case and grants the permit.
    sign_in(office, base, "jefatura@opamss.example.sv")
    _open_from_queue(office, base, number)
    visits = office.locator(".app-inspection").inner_text()
    assert f"Visita del {today:%d/%m/%Y}" in visits and "Registrada" in visits
    assert INSPECTOR in visits and "Obra gris conforme a planos." in visits
    table = office.get_by_role("table", name="Lista de verificación").inner_text()
    assert "Respeta la línea de construcción y los retiros aprobados" in table
    assert "Cumple" in table
    thumbnail = office.get_by_role("img", name="Fotografía 1 de la visita: fachada.png")
    # The photo shows (decode() waits for it, and fails on a broken image).
    assert thumbnail.evaluate("img => img.decode().then(() => img.naturalWidth)") == 64
    _decide(office, "Otorgar el permiso")
    desk.close()

    applicant.goto(f"{base}/solicitudes/{application_id}")
    assert "Permiso otorgado" in _text(applicant)
    phone.close()

    problems = {
        where: found
        for where, found in (
            ("bandeja filtrada", queue_axe),
            ("expediente por revisar", first_axe),
            ("expediente corregido", found_axe),
        )
        if found
    }
    assert not problems, problems
