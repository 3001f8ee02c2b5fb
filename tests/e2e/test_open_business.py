"""'Abrir mi negocio' end to end in Chromium at phone size: two people, their plans, their cases.

Ana opens a restaurant that sells alcohol, with a sign, in San Salvador: the plan takes her to
OPAMSS (calificación de lugar) and then to the district's tax registry; she files both from the
plan's dashboard, each prefilled (from the plan's answers, her account, the records her first
case left and the calificación's tracking number), goes through a correction round with the
items the clerk marked, pays online and downloads both certificates. Beto opens a workshop
with works in Santa Tecla: another plan, other offices; he starts a step and files it.

Only the people's actions go through the browser; the staff accounts (and the applicants'
accounts) are created with the services, as an administrator would.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import pass_second_factor, wait_until
from tests.portal.helpers import (
    PASSWORD,
    make_applicant,
    make_staff,
    pdf_bytes,
    pdf_text,
)

pytestmark = pytest.mark.e2e
PHONE = {"width": 360, "height": 800}
DESK = {"width": 1280, "height": 900}
NAME_REASON = "El nombre comercial no coincide con el del balance inicial."


# ------------------------------------------------------------------ what a person does


def _sign_in(page, base: str, email: str) -> None:
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state()
    pass_second_factor(page)  # supervisors give a code after the password


def _sign_in_at(page, base: str, email: str) -> None:
    page.goto(f"{base}/cuenta/entrar")
    _sign_in(page, base, email)


def _fits(page) -> None:
    """Nothing scrolls sideways on the phone (WCAG 1.4.10)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def _choose(page, legend: str, choice: str) -> None:
    page.get_by_role("group", name=legend).get_by_label(choice, exact=True).check()


def _ask_for_a_plan(page, base: str, answers: dict) -> None:
    """Answer the questionnaire as a person: a district, words for the activity, choices."""
    page.goto(f"{base}/abrir-mi-negocio")
    page.get_by_label("¿En qué distrito estará el negocio?").select_option(
        label=answers["distrito"]
    )
    page.get_by_label("¿A qué se dedicará el negocio?").fill(answers["actividad"])
    _choose(page, "¿El local es arrendado?", answers["local_arrendado"])
    page.get_by_label("Área del local (m²)").fill(answers["area_m2"])
    _choose(page, "¿Hará obras en el local?", answers["obras"])
    _choose(page, "¿Pondrá un rótulo?", answers["rotulo"])
    _choose(page, "¿Venderá bebidas alcohólicas?", answers["venta_alcohol"])
    _choose(page, answers["taller_legend"], answers["taller"])
    page.get_by_role("button", name="Ver mi plan").click()
    page.wait_for_load_state()
    if page.get_by_text("Varias actividades coinciden").count():
        # The words fit several activities: the person picks hers and asks again.
        page.get_by_label(answers["actividad_elegida"]).check()
        page.get_by_role("button", name="Ver mi plan").click()
    page.wait_for_url(re.compile(r"/abrir-mi-negocio/plan\?"))


def _steps(page) -> list[str]:
    """The plan's steps as their headings read ("Paso 1: Calificación de Lugar", ...)."""
    return [" ".join(text.split()) for text in page.locator(".app-plan-step h3").all_inner_texts()]


def _save_plan(page, base: str, email: str) -> str:
    page.get_by_role("link", name="Entrar para guardar mi plan").click()
    _sign_in(page, base, email)
    page.get_by_role("button", name="Guardar mi plan").click()
    page.wait_for_url(re.compile(r"/mis-planes/\d+$"))
    return page.url


def _start_from_plan(page, plan_url: str, title: str) -> str:
    page.goto(plan_url)
    page.get_by_role("button", name=f"Comenzar: {title}").click()
    page.wait_for_url(re.compile(r"/borradores/\d+/paso/\d+$"))
    return page.url.rsplit("/paso/", 1)[0]


def _step_number(page) -> str:
    return page.locator(".app-step-progress").inner_text().strip()


def _fill_steps(page, answers: list[tuple], expect: dict[str, str] | None = None) -> list[str]:
    """Walk the draft's step pages to "Revise sus respuestas", answering what each one asks.

    `answers` are (kind, label, value) with kind "text", "select" (an option's label), "radio"
    (label: the question's legend, value: the choice's label), "date" (label: the legend,
    value: day/month/year) or "file" (a path). Only questions shown on the page are answered.
    `expect` maps labels to the value the field must already hold when it is first shown
    (what the draft was prefilled with), checked before anything is typed.
    Returns the progress line of each step seen ("Paso 1 de 5", ...).
    """
    expect = dict(expect or {})
    seen: list[str] = []
    for _ in range(10):
        page.wait_for_load_state()
        if page.url.endswith("/revisar"):
            assert not expect, f"never shown: {sorted(expect)}"
            return seen
        seen.append(_step_number(page))
        _prefilled(page, expect)
        for kind, label, value in answers:
            if kind == "radio" or kind == "date":
                group = page.get_by_role("group", name=label)
                if not (group.count() and group.first.is_visible()):
                    continue
                if kind == "radio":
                    group.get_by_label(value, exact=True).check()
                else:
                    for part, number in zip(("Día", "Mes", "Año"), value.split("/"), strict=True):
                        group.get_by_label(part, exact=True).fill(number)
                continue
            field = page.get_by_label(label, exact=True)
            if not (field.count() and field.first.is_visible()):
                continue
            if kind == "text":
                field.fill(value)
            elif kind == "select":
                field.select_option(label=value)
            else:  # a document: sent as soon as it is chosen, with a progress bar
                field.set_input_files(str(value))
                page.locator(".app-document__received").filter(has_text=label).filter(
                    has_text=value.name
                ).wait_for()
        _prefilled(page, expect)  # and those an answer just revealed
        before = page.url
        page.get_by_role("button", name="Continuar").click()
        page.wait_for_load_state()
        if page.url == before:
            summary = page.locator(".govuk-error-summary")
            raise AssertionError(
                f"{seen[-1]} not accepted: {summary.inner_text() if summary.count() else ''}"
            )
    raise AssertionError("the steps never reached the check page")


def _prefilled(page, expect: dict[str, str]) -> None:
    """Check (and forget) the expected values of the fields shown now, as the page has them."""
    for label in list(expect):
        field = page.get_by_label(label, exact=True)
        if field.count() and field.first.is_visible():
            assert field.first.input_value() == expect.pop(label), label


def _file(page) -> tuple[str, str]:
    """From "Revise sus respuestas": file, and return the tracking number and the status page."""
    page.get_by_role("heading", name="Revise sus respuestas").wait_for()
    _fits(page)
    page.get_by_role("button", name="Presentar solicitud").click()
    page.get_by_text("Solicitud presentada").first.wait_for()
    number = re.search(r"[A-Z0-9]+-\d{4}-\d{6}", page.locator("main").inner_text()).group(0)
    return number, page.url


def _download(page, status_url: str, link_name: str) -> bytes:
    """Reload the status page until the document's job produced its link, then download it."""

    def ready():
        page.goto(status_url)
        return page.get_by_role("link", name=link_name).count() > 0

    wait_until(ready)
    with page.expect_download() as download:
        page.get_by_role("link", name=link_name).first.click()
    return download.value.path().read_bytes()


# ------------------------------------------------------------------ what the office does


def _open_case(page, base: str, number: str) -> None:
    page.goto(f"{base}/bandeja/")
    page.get_by_role("link", name=number).click()
    page.get_by_role("heading", name=f"Expediente {number}").wait_for()


def _decide(page, choice: str, comment: str = "", outputs: dict | None = None) -> None:
    page.get_by_label(choice, exact=True).check()
    for label, value in (outputs or {}).items():
        page.get_by_label(label).fill(value)
    if comment:
        page.get_by_label("Motivo u observaciones").fill(comment)
    page.get_by_role("button", name="Registrar decisión").click()
    page.get_by_text("Decisión registrada en el expediente").wait_for()


def _pay_online(page, status_url: str) -> None:
    """Pay the case's pending order with the demonstration gateway, from its status page."""
    page.goto(status_url)
    page.get_by_role("button", name="Pagar en línea").click()
    page.get_by_text("Pasarela de demostración").first.wait_for()
    _fits(page)
    page.get_by_role("button", name="Confirmar el pago").click()
    page.get_by_text("Pagado el").first.wait_for()
    assert not page.get_by_role("button", name="Pagar en línea").count()


def _verdicts(page, marked: dict[str, str]) -> None:
    """Mark every item "Conforme" except those in `marked` (item label → reason)."""
    items = page.locator(".app-verdict")
    for index in range(items.count()):
        item = items.nth(index)
        legend = item.locator("legend").first.inner_text().strip()
        if legend in marked:
            item.get_by_label("No conforme", exact=True).check()
            item.get_by_role("textbox").fill(marked.pop(legend))
        else:
            item.get_by_label("Conforme", exact=True).check()
    assert not marked, (
        f"no such items: {sorted(marked)} in {items.locator('legend').all_inner_texts()}"
    )
    page.get_by_role("button", name="Guardar revisión").click()
    page.get_by_text("Revisión guardada.").wait_for()


def _sign_out(page) -> None:
    menu = page.get_by_role("button", name="Menú")
    if menu.is_visible():
        menu.click()
    page.get_by_role("button", name="Salir").click()
    page.get_by_text("Cerró su sesión").wait_for()


# ------------------------------------------------------------------ the journeys


def test_a_restaurant_in_san_salvador_across_two_offices_to_its_certificates(
    app, live_server, rq_worker, browser, tmp_path
):
    base = live_server
    with app.app_context():
        make_applicant("ana@example.sv", "Ana María Pérez")
        make_staff("clerk", "OPAMSS", email="tecnico@opamss.example.sv")
        make_staff("clerk", "0614", email="registro@sansalvador.example.sv")
        make_staff("supervisor", "0614", email="jefatura@sansalvador.example.sv")
    scans = {}
    for name, pages in (
        ("escritura", 1),
        ("plano", 2),
        ("dui", 1),
        ("balance", 1),
        ("contrato", 3),
    ):
        scans[name] = tmp_path / f"{name}.pdf"
        scans[name].write_bytes(pdf_bytes(pages))

    phone = browser.new_context(viewport=PHONE, locale="es-SV", accept_downloads=True)
    ana = phone.new_page()
    # The questionnaire, without an account.
    _ask_for_a_plan(
        ana,
        base,
        {
            "distrito": "San Salvador",
            "actividad": "restaurantes",
            "actividad_elegida": "56101 · Restaurantes",
            "local_arrendado": "Sí",
            "area_m2": "80",
            "obras": "No, ninguna",
            "rotulo": "Sí",
            "venta_alcohol": "Sí",
            "taller_legend": "¿Es un taller, un negocio de reciclaje u otro que pueda generar"
            " conflictos con los vecinos?",
            "taller": "No",
        },
    )
    _fits(ana)
    assert _steps(ana) == [
        "Paso 1: Calificación de Lugar",
        "Paso 2: Inscripción de establecimiento en el Registro Tributario",
    ]
    plan_text = ana.locator("main").inner_text()
    assert "56101 · Restaurantes" in plan_text
    assert "Oficina de Planificación del Área Metropolitana de San Salvador" in plan_text
    assert "Registro Tributario, Alcaldía Municipal de San Salvador Centro" in plan_text
    assert "Después de\nCalificación de Lugar de la OPAMSS" in plan_text
    assert "Trámites que aún no están en línea en San Salvador" in plan_text  # the sign

    # Saving the plan asks her to sign in; the answers come back with her.
    plan_url = _save_plan(ana, base, "ana@example.sv")
    _fits(ana)
    assert ana.get_by_text("No iniciado").count() == 2
    assert ana.get_by_text("Espera la resolución favorable de: Calificación de Lugar").is_visible()

    # Step 1 at OPAMSS, prefilled from the plan's answers.
    _start_from_plan(ana, plan_url, "Calificación de Lugar")
    assert _step_number(ana) == "Paso 1 de 5"
    _fits(ana)
    steps = _fill_steps(
        ana,
        [
            ("text", "Dirección del inmueble", "Calle Arce 1234, Colonia Escalón"),
            ("text", "Área del terreno (m²)", "350"),
            ("text", "Uso actual del inmueble", "Local comercial"),
            ("text", "Uso de suelo propuesto", "Restaurante con venta de cerveza y vino"),
            ("radio", "La persona propietaria es", "Persona natural"),
            ("text", "Nombre o razón social de la persona propietaria", "Ana María Pérez"),
            ("text", "NIT de la persona propietaria", "01234567-8"),
            ("text", "Nombre del profesional responsable", "Arq. José Martínez"),
            ("text", "Número de registro del profesional", "A-1234"),
            (
                "file",
                "Escritura de propiedad, o promesa u opción de compraventa",
                scans["escritura"],
            ),
            ("file", "Plano topográfico del terreno", scans["plano"]),
        ],
        expect={
            "Distrito donde se ubica el inmueble": "0614",  # San Salvador, from the plan
            "Código de actividad económica (CLAEES)": "56101",
            "Área de construcción propuesta (m²)": "80",
        },
    )
    assert steps[-1] == "Paso 5 de 5"
    check = ana.locator("main").inner_text()
    assert "San Salvador" in check and "56101" in check and "plano.pdf" in check
    calificacion, calificacion_url = _file(ana)
    assert calificacion.startswith("OPAMSS-")
    ana.goto(plan_url)
    assert ana.get_by_text(f"Ver la solicitud {calificacion}").is_visible()

    # Filing issued its payment order: she pays it online (the sheet's and plan's $50.00).
    _pay_online(ana, calificacion_url)

    # OPAMSS checks every item and approves it (a second browser: the office's desk).
    desk = browser.new_context(viewport=DESK, locale="es-SV")
    office = desk.new_page()
    _sign_in_at(office, base, "tecnico@opamss.example.sv")
    _open_case(office, base, calificacion)
    _verdicts(office, {})
    _decide(office, "Resolver favorable")
    _sign_out(office)

    # Her resolution: a PDF with her name and the procedure.
    text = pdf_text(_download(ana, calificacion_url, "Descargar resolución (PDF)"))
    assert calificacion in text and "Ana María Pérez" in text
    assert "Calificación de Lugar" in text and "FAVORABLE" in text

    # The plan shows the step resolved, and the registration may start now.
    ana.goto(plan_url)
    assert ana.get_by_text("Resuelto").is_visible()
    assert not ana.get_by_text("Espera la resolución favorable de").count()
    title = "Inscripción de establecimiento en el Registro Tributario"
    _start_from_plan(ana, plan_url, title)

    # Step 2 at the district, prefilled from the plan, her account, the records her first
    # case left (owner's name and NIT) and the calificación's number.
    steps = _fill_steps(
        ana,
        [
            ("text", "DUI de la persona titular", "01234567-8"),
            ("radio", "¿Presenta la solicitud un apoderado?", "No"),
            ("text", "Nombre comercial del establecimiento", "Restaurante La Ceiba"),
            ("text", "Dirección del establecimiento en San Salvador", "Calle Arce 1234, local 2"),
            ("text", "Descripción de la actividad", "Restaurante con venta de cerveza y vino"),
            ("date", "Fecha de inicio de operaciones", "2/1/2027"),
            ("text", "Activo según el balance inicial (US$)", "15000"),
            ("text", "Número de personas empleadas", "6"),
            ("text", "Ventas brutas anuales estimadas (US$)", "90000"),
            ("radio", "¿Ya es contribuyente del distrito de San Salvador?", "No"),
            (
                "radio",
                "¿Es un taller, un negocio de reciclaje u otro establecimiento que pueda"
                " generar conflictos?",
                "Sí",
            ),
            ("text", "Teléfono", "2222-3333"),
            ("file", "Copia certificada de DUI y NIT", scans["dui"]),
            ("file", "Balance inicial", scans["balance"]),
            ("file", "Contrato de arrendamiento", scans["contrato"]),
            ("file", "Resolución de calificación de lugar de la OPAMSS", scans["escritura"]),
        ],
        expect={
            "Nombre o razón social": "Ana María Pérez",  # her records
            "NIT de la persona titular": "01234567-8",
            "Código de actividad económica principal (CLAEES)": "56101",  # the plan
            "Área del local (m²)": "80",
            "Correo electrónico": "ana@example.sv",  # her account
            "Expediente de su calificación de lugar (OPAMSS)": calificacion,
        },
    )
    assert len(steps) >= 2
    registration, registration_url = _file(ana)
    assert registration.startswith("SS-"), registration  # San Salvador's own numbering

    # The district's clerk takes it, marks the trade name and asks for a correction.
    _sign_in_at(office, base, "registro@sansalvador.example.sv")
    _open_case(office, base, registration)
    _decide(office, "Tomar el caso para revisión")
    _open_case(office, base, registration)
    _verdicts(office, {"Nombre comercial del establecimiento": NAME_REASON})
    _decide(office, "Solicitar corrección (prevención)", "Revise lo marcado, por favor.")

    # She sees the marked field with its reason, corrects only it and sends it back.
    ana.goto(registration_url)
    status = ana.locator("main").inner_text()
    assert "Prevenido (corrección solicitada)" in status and "La tiene ahora: Usted" in status
    # The procedure's reasoned text starts the request; the clerk's words follow it.
    assert f"La institución le pide corregir:\n\nExpediente {registration}" in status
    assert "\n\nRevise lo marcado, por favor." in status
    assert "plazo suspendido" in status
    ana.get_by_role("link", name="Corregir la solicitud").click()
    # The reason sits at the field it is about, which alone stays open to change.
    banner = ana.get_by_role("region", name="Corrección solicitada").inner_text()
    assert f"Nombre comercial del establecimiento: {NAME_REASON}" in banner
    note = ana.locator(".app-correction-note").filter(has_text=NAME_REASON)
    assert note.inner_text().startswith("Corregir:")
    # The reason stands with its question, just above the input.
    question = ana.locator("#pregunta-nombre_comercial")
    assert NAME_REASON in question.locator(".app-correction-note").inner_text()
    assert question.locator("#f_nombre_comercial").count()
    _fits(ana)
    name = ana.get_by_label("Nombre comercial del establecimiento")
    assert name.is_editable()
    assert not ana.get_by_label("Descripción de la actividad").is_editable()
    name.fill("Restaurante y Bar La Ceiba")
    ana.get_by_role("button", name="Enviar corrección").click()
    ana.get_by_text("Corrección enviada").first.wait_for()

    # The clerk finds it right now and admits it: the fees are assessed.
    _open_case(office, base, registration)
    _verdicts(office, {})
    _decide(office, "Admitir y pasar a calificación")
    _sign_out(office)

    # She pays online with the demonstration gateway.
    _pay_online(ana, registration_url)

    # The supervisor classifies and registers it.
    _sign_in_at(office, base, "jefatura@sansalvador.example.sv")
    _open_case(office, base, registration)
    _decide(
        office,
        "Calificar e inscribir",
        outputs={
            "Número de cuenta del contribuyente": "0614-2027-000321",
            "Calificación tributaria del establecimiento": "Comercio, restaurante; base: activo",
        },
    )
    desk.close()

    # Her constancia: the holder (with the corrected trade name), the procedure, the account.
    text = pdf_text(_download(ana, registration_url, "Descargar constancia (PDF)"))
    assert "Constancia de inscripción en el Registro Tributario Municipal" in text
    assert f"Número de expediente {registration}" in text
    assert "Titular Ana María Pérez (Restaurante y Bar La Ceiba)" in text
    assert "INSCRITO" in text and "0614-2027-000321" in text

    ana.goto(plan_url)
    assert ana.get_by_text("Resuelto").count() == 2
    assert not ana.get_by_role("button", name=re.compile("^Comenzar")).count()
    phone.close()
    if rq_worker is not None:
        assert rq_worker.poll() is None, "the rq worker died"


def test_a_workshop_in_santa_tecla_gets_another_plan_and_files_a_prefilled_step(
    app, live_server, browser, tmp_path
):
    base = live_server
    with app.app_context():
        make_applicant("beto@example.sv", "Beto Ramos")
    scans = {}
    for name in ("escritura", "plano", "dwg"):
        scans[name] = tmp_path / f"{name}.pdf"
        scans[name].write_bytes(pdf_bytes())

    phone = browser.new_context(viewport=PHONE, locale="es-SV")
    beto = phone.new_page()
    _ask_for_a_plan(
        beto,
        base,
        {
            "distrito": "Santa Tecla",
            "actividad": "reparacion mecanica vehiculos",
            "actividad_elegida": "45201",
            "local_arrendado": "No",
            "area_m2": "120",
            "obras": "Remodelación del local",
            "rotulo": "No",
            "venta_alcohol": "No",
            "taller_legend": "¿Es un taller, un negocio de reciclaje u otro que pueda generar"
            " conflictos con los vecinos?",
            "taller": "Sí",
        },
    )
    _fits(beto)
    # Another plan: OPAMSS for the land and the works, Santa Tecla for the registration.
    steps = _steps(beto)
    assert steps == [
        "Paso 1: Calificación de Lugar",
        "Paso 2: Inscripción de establecimiento en el Registro Tributario",
        "Paso 3: Línea de Construcción",
        "Paso 4: Factibilidad de Drenaje de Aguas Lluvias",
        "Paso 5: Permiso de Construcción",
        "Paso 6: Recepción de Obra",
    ], steps
    plan_text = beto.locator("main").inner_text()
    assert "45201 · Reparación mecánica de vehículos automotores" in plan_text
    assert "Tiempo máximo\n130 días hábiles" in plan_text
    assert "Oficina de Planificación del Área Metropolitana de San Salvador" in plan_text
    assert "Santa Tecla" in plan_text.split("Paso 2:")[1].split("Paso 3:")[0]  # its office
    assert "Lo exige otro trámite de su plan." in plan_text
    plan_url = _save_plan(beto, base, "beto@example.sv")
    assert beto.get_by_text("No iniciado").count() == len(steps)

    # He starts the building line at OPAMSS; the district comes from his plan.
    _start_from_plan(beto, plan_url, "Línea de Construcción")
    _fits(beto)
    _fill_steps(
        beto,
        [
            ("text", "Dirección del inmueble", "Km 12 Carretera Panamericana, Santa Tecla"),
            ("text", "Área del terreno (m²)", "450"),
            ("text", "Calle o calles a las que da frente el inmueble", "Carretera Panamericana"),
            ("radio", "Clasificación de la vía principal", "Arteria primaria"),
            ("text", "Lado menor de la lámina del plano (m)", "0.60"),
            ("text", "Lado mayor de la lámina del plano (m)", "0.90"),
            ("radio", "La persona propietaria es", "Persona natural"),
            ("text", "Nombre o razón social de la persona propietaria", "Beto Ramos"),
            ("text", "NIT de la persona propietaria", "07654321-2"),
            ("text", "Nombre del profesional responsable", "Ing. Carla Flores"),
            ("text", "Número de registro del profesional", "IC-2211"),
            ("file", "Escritura de propiedad", scans["escritura"]),
            ("file", "Plano de línea de construcción en PDF", scans["plano"]),
        ],
        expect={"Distrito donde se ubica el inmueble": "0511"},  # Santa Tecla, from the plan
    )
    assert "Santa Tecla" in beto.locator("main").inner_text()
    number, _status = _file(beto)
    assert number.startswith("OPAMSS-")
    beto.goto(plan_url)
    assert beto.get_by_text(f"Ver la solicitud {number}").is_visible()
    assert beto.get_by_text("No iniciado").count() == len(steps) - 1
    phone.close()
