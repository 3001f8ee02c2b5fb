"""The admin console's whole loop in Chromium (issue 11, "Tests").

An OPAMSS admin clones the published Calificación de Lugar into a draft; in the fields editor
adds a question bound to the data dictionary and shown only to legal persons (the condition
made with the pickers), and in the fees editor a fee charged to them; she sees the validator's
problem at the field in Spanish and fixes it; reads the changes in plain sentences on the
publish page; files a test case and walks it as each role to its certificate (a PDF stamped
as a test); and publishes the draft from a day next week. A case an applicant filed before
stays on the old version to its certificate; a case filed once that day comes takes the new
one (the clock moved with time-machine: the live server runs in this process and follows it).

Only the people are set up through the services, and the office's review and payment of the
old case (their pages have their own browser test, test_back_office_journey.py).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urljoin

import pytest
import time_machine

from tests.e2e.conftest import START, pass_second_factor
from tests.e2e.test_accessibility import AXE, TAGS, _violations
from tests.portal.helpers import (
    PASSWORD,
    make_applicant,
    make_staff,
    pdf_bytes,
    pdf_text,
    ready_to_decide,
)

pytestmark = pytest.mark.e2e
SLUG = "calificacion-lugar"
TITLE = "Calificación de Lugar"
OWNER_IS = "La persona propietaria es"
LEGAL_PERSON = "Persona jurídica (sociedad u otra entidad)"
NEW_QUESTION = "Nombre comercial del establecimiento"
NEW_FEE = "Inspección de campo"


def _sign_in(page, base: str, email: str) -> None:
    page.context.clear_cookies()  # one browser, one person at a time
    page.goto(f"{base}/cuenta/entrar")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state()
    pass_second_factor(page)  # the admin gives her code after the password


def _text(page) -> str:
    return page.locator("main").inner_text()


def _flash(page, text: str) -> None:
    page.get_by_text(text).first.wait_for()


def _answer_form(page, files: dict, *, company: bool) -> None:
    """The Calificación de Lugar form, answered as the owner's professional would."""
    page.get_by_label("Distrito donde se ubica el inmueble").select_option(label="San Salvador")
    page.get_by_label("Dirección del inmueble").fill("Calle Arce 1234, Colonia Escalón")
    page.get_by_label("Área del terreno (m²)").fill("350")
    page.get_by_label("Uso actual del inmueble").fill("Vivienda")
    page.get_by_label("Uso de suelo propuesto").fill("Cafetería de barrio")
    page.get_by_label("Código de actividad económica (CLAEES)").fill("56101")
    page.get_by_label(LEGAL_PERSON if company else "Persona natural").check()
    page.get_by_label("Nombre o razón social de la persona propietaria").fill(
        "Café Escalón, S.A. de C.V." if company else "Ana María Pérez"
    )
    page.get_by_label("NIT de la persona propietaria").fill("0614-050707-104-8")
    page.get_by_label("Nombre del profesional responsable").fill("Arq. José Martínez")
    page.get_by_label("Número de registro del profesional").fill("A-1234")
    page.get_by_label("Escritura de propiedad, o promesa u opción de compraventa").set_input_files(
        str(files["escritura"])
    )
    page.get_by_label("Plano topográfico del terreno").set_input_files(str(files["plano"]))
    if company:
        page.get_by_label("Declaración jurada").set_input_files(str(files["declaracion"]))


def _start_case(page, base: str) -> None:
    page.goto(f"{base}/tramites/OPAMSS/{SLUG}")
    _click(page, page.get_by_role("button", name=START))
    _click(page, page.get_by_role("link", name="Ver todas las preguntas en una página"))


def _file_case(page) -> str:
    """Send the answered form; return the tracking number the status page shows."""
    _click(page, page.get_by_role("button", name="Presentar solicitud"))
    page.get_by_text("Solicitud presentada").first.wait_for()
    return re.search(r"OPAMSS-\d{4}-\d{6}", _text(page)).group(0)


def _fees(page) -> str:
    """The fee table of a case's status page (its lines and total)."""
    return page.locator("table").filter(has_text="Mandamiento de pago").first.inner_text()


def _sections(page) -> str:
    """The draft editor's menu of sections, with each one's count of problems."""
    return page.get_by_role("navigation", name="Secciones del borrador").inner_text()


def _row(page):
    """The last row of an editor's list (the one just added)."""
    return page.locator("fieldset.app-editor-row").last


def _click(page, target) -> None:
    """Press a button or link that loads another page, and wait for it."""
    with page.expect_navigation():
        target.click()


def _pick_condition(row, legend: str, value: str, *, typed: bool) -> None:
    """The first comparison of a condition, built with the pickers."""
    condition = row.get_by_role("group", name=legend)
    condition.get_by_label("Campo", exact=True).first.select_option(label=OWNER_IS)
    condition.get_by_label("Operador", exact=True).first.select_option(label="es igual a")
    if typed:  # a new comparison: the value is typed, as the field's answers are
        condition.get_by_label("Valor", exact=True).first.fill(value)
    else:  # once the field is known, its answers are offered
        condition.get_by_label("Valor", exact=True).first.select_option(label=value)


def _save(page) -> None:
    _click(page, page.get_by_role("button", name="Guardar esta sección"))
    _flash(page, "Se guardó el borrador")


def _act(page, role: str, button: str, comment: str = "") -> None:
    """As `role` on the test case page, press `button` (and wait for the page's answer)."""
    section = page.locator(f"#rol-{role}")
    form = section.locator("form").filter(has=page.get_by_role("button", name=button, exact=True))
    if comment:
        form.get_by_label("Comentario (obligatorio)").fill(comment)
    _click(page, form.get_by_role("button", name=button, exact=True))
    assert page.get_by_text(re.compile(r"(Acción|Tarea) realizada como")).count(), _text(page)


def _violations_within(page, *selectors: str) -> list[str]:
    """axe on parts of a page only: the fields editor is long (axe on all of it takes seconds)
    and its layout is checked whole on the other admin pages."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "([include, tags]) => axe.run({include}, {runOnly: {type: 'tag', values: tags}})",
        [[[selector] for selector in selectors], TAGS],
    )
    return [f"{v['id']}: {v['help']} ({v['nodes'][0]['target']})" for v in result["violations"]]


def _pdf(page, link) -> bytes:
    """The PDF a link leads to, fetched with the person's session (the link works)."""
    response = page.context.request.get(urljoin(page.url, link.get_attribute("href")))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    return response.body()


def _pinned(number: str) -> int:
    """The version a case is pinned to: only the database can tell."""
    import sqlalchemy as sa

    from portal.applications.models import Application
    from portal.extensions import db

    db.session.expire_all()
    case = db.session.scalar(sa.select(Application).where(Application.tracking_number == number))
    return case.procedure_version.version


def test_an_admin_changes_tests_and_publishes_a_procedure_and_cases_keep_their_version(
    app, live_server, browser, run_jobs, tmp_path
):
    from portal.accounts.services import get_user_by_email
    from portal.applications.effects import LOCAL_TZ, local_now
    from portal.procedures.services import get_procedure, latest_version

    base = live_server
    with app.app_context():
        old = latest_version(get_procedure("OPAMSS", SLUG)).version
        make_staff("admin", "OPAMSS", email="admin@opamss.example.sv")
        make_staff("clerk", "OPAMSS", email="tecnico@opamss.example.sv")
        make_applicant("ana@example.sv", "Ana María Pérez")
    new = old + 1
    files = {}
    for name in ("escritura", "plano", "declaracion"):
        files[name] = tmp_path / f"{name}.pdf"
        files[name].write_bytes(pdf_bytes())
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="es-SV", bypass_csp=True
    )
    page = context.new_page()
    axe: dict[str, list[str]] = {}

    # 1. Before anything changes, Ana files a case on the version in force: $50.00 to pay.
    _sign_in(page, base, "ana@example.sv")
    _start_case(page, base)
    assert page.get_by_label(NEW_QUESTION).count() == 0
    _answer_form(page, files, company=False)
    before = _file_case(page)
    fees = _fees(page)
    assert "$50.00" in fees and NEW_FEE not in fees
    before_url = page.url

    # 2. The admin clones the published version into a draft.
    _sign_in(page, base, "admin@opamss.example.sv")
    page.get_by_role("link", name="Administración").click()
    page.get_by_role("heading", name="Trámites y versiones").wait_for()
    axe["lista de trámites"] = _violations(page)
    procedure = page.locator("table").filter(
        has=page.locator("caption", has_text=re.compile(f"^{TITLE}"))
    )
    procedure.get_by_role("link", name=f"Versión {old}", exact=True).click()
    page.get_by_role("button", name="Crear borrador a partir de esta versión").click()
    _flash(page, f"Borrador versión {new} listo para editar.")
    assert "El validador no encuentra problemas: se puede publicar." in _text(page)
    draft_url = page.url

    # 3. Fields: a question bound to the dictionary, asked only of legal persons. The value
    # typed for the condition is the answer's wording, not its code: the validator says so at
    # the field, in Spanish, and the value is then picked from the field's answers.
    page.get_by_role("link", name="Editar el borrador").click()
    page.get_by_role("link", name="Campos del formulario").click()
    _click(page, page.get_by_role("button", name="Añadir un campo"))
    _flash(page, "Se guardó el borrador")
    row = _row(page)
    row.get_by_label("Nombre (clave)").fill("nombre_comercial")
    row.get_by_label("Dato del diccionario").select_option(label="Nombre comercial")
    row.get_by_label("Pregunta (español)", exact=True).fill(NEW_QUESTION)
    row.get_by_label("Pregunta (inglés)", exact=True).fill("Trade name of the establishment")
    row.get_by_label("Obligatorio cuando se muestra").check()
    _pick_condition(row, "Mostrar solo cuando", "Jurídica", typed=True)
    _save(page)
    _flash(page, "con 1 problema: se muestra junto a lo que afecta")
    row = _row(page)
    assert "Esta opción no existe en el dato del diccionario." in row.inner_text()
    assert "Campos del formulario 1 problema" in _sections(page)
    axe["editor de campos con un problema"] = _violations_within(
        page, ".govuk-error-summary", "nav", f'[id="{row.get_attribute("id")}"]'
    )
    _pick_condition(row, "Mostrar solo cuando", LEGAL_PERSON, typed=False)
    _save(page)
    assert not page.locator(".govuk-error-summary").count()
    assert "problema" not in _sections(page)
    assert "Esta opción no existe" not in _row(page).inner_text()
    assert _row(page).get_by_label("Nombre (clave)").input_value() == "nombre_comercial"

    # 4. Fees: $25.00 more for legal persons; the estimator charges it as the order will.
    page.get_by_role("link", name="Tasas").click()
    _click(page, page.get_by_role("button", name="Añadir una tasa"))
    _flash(page, "Se guardó el borrador")
    row = _row(page)
    row.get_by_label("Código", exact=True).fill("inspeccion")
    row.get_by_label("Concepto (español)", exact=True).fill(NEW_FEE)
    row.get_by_label("Concepto (inglés)", exact=True).fill("Site inspection")
    row.get_by_label("Monto (US$)", exact=True).fill("25")
    _pick_condition(row, "Se cobra solo cuando", "juridica", typed=True)
    _save(page)
    assert not page.locator(".govuk-error-summary").count()
    assert "problema" not in _sections(page)
    estimator = page.locator("form.app-estimator")
    estimator.get_by_label(LEGAL_PERSON).check()
    estimator.get_by_role("button", name="Calcular").click()
    page.get_by_text("Total estimado: $75.00").wait_for()
    assert f"{NEW_FEE}: $25.00" in page.locator(".app-estimate").inner_text()

    # 5. The publish page says what changes, in sentences.
    page.get_by_role("link", name="Volver a la versión").click()
    page.get_by_role("link", name="Publicar", exact=True).click()
    assert page.locator("main ul.govuk-list--bullet li").all_inner_texts() == [
        f"Se agregó el campo «{NEW_QUESTION}»",
        f"Se agregó la tasa «{NEW_FEE}»",
    ]
    assert "El validador no encuentra problemas." in _text(page)
    axe["publicar"] = _violations(page)

    # 6. Test mode: a test case answered as the applicant and walked as each role.
    page.get_by_role("link", name="Volver a la versión").click()
    page.get_by_role("link", name="Probar este borrador con casos de prueba").click()
    _click(page, page.get_by_role("button", name="Nueva prueba"))
    question = page.get_by_label(NEW_QUESTION)
    assert not question.is_visible()  # asked only of legal persons
    _answer_form(page, files, company=True)
    assert question.is_visible()
    question.fill("Café Escalón")
    page.get_by_role("button", name="Presentar solicitud").click()
    _flash(page, "Prueba presentada.")
    run_jobs()  # the receipt and the payment order are rendered in jobs
    page.reload()
    assert page.locator("#estado").inner_text() == "Presentado (en revisión)"
    produced = page.locator("#pdfs").inner_text()
    assert re.search(r"Mandamiento de pago \(PRUEBA-[^,]+, \$75\.00\)", produced), produced
    axe["caso de prueba"] = _violations(page)
    _act(page, "clerk", "Solicitar corrección (prevención)", "Adjunte el plano firmado.")
    assert page.locator("#estado").inner_text() == "Prevenido (corrección solicitada)"
    _act(page, "applicant", "Enviar correcciones")
    _act(page, "clerk", "Marcar conformes todos los datos y documentos")
    _act(page, "clerk", "Registrar el pago de los mandamientos pendientes")
    _act(page, "clerk", "Resolver favorable")
    assert page.locator("#estado").inner_text() == "Resolución favorable"
    run_jobs()
    page.reload()
    certificate = page.locator("#pdfs li").filter(has_text="Resolución de Calificación de Lugar")
    pdf = pdf_text(_pdf(page, certificate.get_by_role("link", name="Descargar PDF de prueba")))
    assert "PRUEBA — SIN VALIDEZ" in pdf
    assert page.locator(".app-test-mail").count() >= 1  # the e-mails it would have sent

    # 7. Published from a day next week: until then new cases keep the old version.
    page.goto(draft_url)
    page.get_by_role("link", name="Publicar", exact=True).click()
    day = local_now().date() + timedelta(days=7)
    group = page.get_by_role("group", name="Vigente desde")
    for part, number in zip(("Día", "Mes", "Año"), (day.day, day.month, day.year), strict=True):
        group.get_by_label(part, exact=True).fill(str(number))
    page.get_by_role("button", name="Publicar esta versión").click()
    _flash(page, f"Versión {new} publicada.")
    assert f"Publicada, vigente desde el {day:%d/%m/%Y}" in _text(page)
    page.goto(f"{base}/tramites/OPAMSS/{SLUG}")  # the catalogue still charges the old fee
    assert page.locator(".app-estimate").inner_text().startswith("Total estimado: $50.00")

    with time_machine.travel(datetime(day.year, day.month, day.day, 9, tzinfo=LOCAL_TZ)):
        # 8. The case filed before goes on, on its version, to its certificate.
        with app.app_context():
            clerk = get_user_by_email("tecnico@opamss.example.sv")
            ready_to_decide(_case_id(before), clerk)  # every item OK, the fee paid
        _sign_in(page, base, "tecnico@opamss.example.sv")
        page.goto(f"{base}/bandeja/")
        page.get_by_role("link", name=before).click()
        page.get_by_label("Resolver favorable", exact=True).check()
        page.get_by_role("button", name="Registrar decisión").click()
        _flash(page, f"Decisión registrada en el expediente {before}")
        run_jobs()
        _sign_in(page, base, "ana@example.sv")
        page.goto(before_url)
        link = page.get_by_role("link", name="Descargar resolución (PDF)")
        link.wait_for()
        pdf = pdf_text(_pdf(page, link))
        assert before in pdf and "FAVORABLE" in pdf and "PRUEBA" not in pdf
        assert NEW_FEE not in _fees(page)

        # 9. A new case takes the new version: the new question for a company, the new fee.
        _start_case(page, base)
        question = page.get_by_label(NEW_QUESTION)
        assert not question.is_visible()
        _answer_form(page, files, company=True)
        question.fill("Café Escalón")
        after = _file_case(page)
        fees = _fees(page)
        assert f"{NEW_FEE}\t$25.00" in fees and "$75.00" in fees, fees
    context.close()

    with app.app_context():
        assert (_pinned(before), _pinned(after)) == (old, new)
    problems = {where: found for where, found in axe.items() if found}
    assert not problems, problems


def _case_id(number: str) -> int:
    import sqlalchemy as sa

    from portal.applications.models import Application
    from portal.extensions import db

    return db.session.scalar(sa.select(Application.id).where(Application.tracking_number == number))
