"""Test mode's deadline and opinion buttons in Chromium, as an admin uses them.

An OPAMSS admin opens a draft's test mode, files a test case of the Calificación de Lugar and
lets its review deadline fall due with «Simular el vencimiento del plazo»: the supervisor's
warning (its e-mail captured, not sent), the escalation, and once a correction is requested
and never made, the caducidad that closes the case. On a draft of the Recepción de Obra she
asks ANDA for its opinion as the clerk, answers it as ANDA, finds the stamped test PDF of the
answer, and the case goes on with its legal period running again.

Only the people, the drafts (imported as an admin's file would be) and, for the opinion, a
case filed yesterday are set up through the services; every step is a click on the pages.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import click_through, sign_in
from tests.e2e.test_accessibility import _violations
from tests.e2e.test_reflow import WIDEST
from tests.portal.helpers import make_staff, pdf_bytes, pdf_text

pytestmark = pytest.mark.e2e
SIMULATE = "Simular el vencimiento del plazo"
ANDA = "Administración Nacional de Acueductos y Alcantarillados (ANDA)"
PHONE = {"width": 360, "height": 800}
DESK = {"width": 1280, "height": 900}


def _draft(path: str):
    """The next version of a seeded procedure as a draft, as if the admin imported its file."""
    from tests.portal.test_test_mode import ROOT, _next_version

    return _next_version(ROOT / path)


def _open_test_mode(page, base: str, title: str, version: int) -> None:
    """From the console's front page to the draft's test mode, by its links."""
    page.goto(f"{base}/bandeja/")
    menu = page.get_by_role("button", name="Menú")
    if menu.is_visible():  # on a phone the sections fold away
        menu.click()
    click_through(page, page.get_by_role("link", name="Administración"))
    table = page.locator("table").filter(
        has=page.locator("caption", has_text=re.compile(f"^{title}"))
    )
    click_through(page, table.get_by_role("link", name=f"Versión {version}", exact=True))
    click_through(page, page.get_by_role("link", name="Probar este borrador con casos de prueba"))


def _state(page) -> str:
    return page.locator("#estado").inner_text()


def _history(page) -> str:
    return page.locator("ol.govuk-list--number").inner_text()


def _deadline(page) -> tuple[str, str, str, str]:
    """What the page says of the running deadline: the stage's last day and the legal
    period's (as the real case page shows them), what happens next, and the day it applies
    (the next breach's line, which the button's hint repeats)."""
    stage = page.locator("#fecha-limite").inner_text().strip()
    legal = page.locator("#plazo-resolver").inner_text().strip()
    text = page.locator("p.app-next-breach").inner_text()
    found = re.search(r"^El (\d\d/\d\d/\d{4}): (.+)$", text)
    assert found, text
    hint = page.locator("p.app-next-breach + form .govuk-hint").inner_text()
    sweep = re.search(r"a un expediente real el (\d\d/\d\d/\d{4})\.", hint)
    assert sweep, hint
    assert sweep.group(1) == found.group(1)
    return stage, legal, found.group(2), sweep.group(1)


def _simulate(page, *, keyboard: bool = False) -> None:
    button = page.get_by_role("button", name=SIMULATE)
    with page.expect_navigation():
        if keyboard:  # reached and pressed without a mouse
            button.focus()
            page.keyboard.press("Enter")
        else:
            button.click()


def _flash(page) -> str:
    return page.locator(".govuk-notification-banner").first.inner_text()


def test_an_admin_lets_a_test_cases_deadlines_fall_due_and_sees_what_the_sweep_does(
    app, live_server, browser, run_jobs, tmp_path
):
    from tests.e2e.test_admin_loop import _answer_form

    with app.app_context():
        row = _draft("workflows/definitions/opamss/calificacion-lugar.yaml")
        version = row.version
        make_staff("admin", "OPAMSS", email="admin@opamss.example.sv")
        make_staff("supervisor", "OPAMSS", email="jefa@opamss.example.sv")
    files = {}
    for name in ("escritura", "plano"):
        files[name] = tmp_path / f"{name}.pdf"
        files[name].write_bytes(pdf_bytes())
    page = browser.new_context(viewport=DESK, locale="es-SV", bypass_csp=True).new_page()
    sign_in(page, live_server, "admin@opamss.example.sv")
    _open_test_mode(page, live_server, "Calificación de Lugar", version)
    click_through(page, page.get_by_role("button", name="Nueva prueba"))
    _answer_form(page, files, company=False)
    click_through(page, page.get_by_role("button", name="Presentar solicitud"))
    assert "Prueba presentada." in _flash(page)
    assert _state(page) == "Presentado (en revisión)"

    # Day 20 of the review: the supervisor is warned; the e-mail is shown, never sent.
    _stage, _legal, then, day = _deadline(page)
    assert then == "Aviso a jefatura."
    _simulate(page, keyboard=True)
    assert f"Plazo vencido como el {day}: el caso está en «Presentado (en revisión)»." in (
        _flash(page)
    )
    assert "Aviso automático al rol «jefatura»" in _history(page)
    run_jobs()  # the e-mails are written in a job, as a real one's would be
    page.reload()
    mail = page.locator(".app-test-mail").filter(has_text="para jefa@opamss.example.sv")
    assert re.match(r"Plazo vencido: expediente PRUEBA-", mail.inner_text()), mail.inner_text()
    mail.locator("summary").click()
    assert mail.locator(".app-test-mail__body").is_visible()

    # The stage's 25 days pass: escalated to the supervisor.
    _stage, _legal, then, day = _deadline(page)
    assert then == "Escalado a jefatura."
    _simulate(page)
    assert f"Plazo vencido como el {day}" in _flash(page)
    assert "Escalado automático al rol «jefatura»" in _history(page)
    assert _state(page) == "Presentado (en revisión)"

    # A correction requested and never made: the deadline to correct closes the case.
    clerk = page.locator("#rol-clerk form").filter(
        has=page.get_by_role("button", name="Solicitar corrección (prevención)")
    )
    clerk.get_by_label("Comentario (obligatorio)").fill("Adjunte el plano firmado.")
    click_through(page, clerk.get_by_role("button", name="Solicitar corrección (prevención)"))
    assert _state(page) == "Prevenido (corrección solicitada)"
    due, _legal, then, day = _deadline(page)
    assert then == "Caducidad: el caso pasa a «Archivado por no subsanar en el plazo»."
    axe = {"caso de prueba con plazo": _violations(page)}
    _simulate(page)
    state = "Archivado por no subsanar en el plazo"
    assert f"Plazo vencido como el {day}: el caso está en «{state}»." in _flash(page)
    assert _state(page) == state
    assert f"el plazo para corregir venció el {due}" in _history(page)
    assert page.get_by_role("button", name=SIMULATE).count() == 0

    # On a phone the page, its history and an e-mail opened to read stay within the screen.
    page.set_viewport_size(PHONE)
    page.reload()
    for mail in page.locator(".app-test-mail").all():
        mail.locator("summary").click()
    assert page.evaluate(WIDEST) == [0, []]
    axe["caso de prueba a 360 px"] = _violations(page)
    problems = {where: found for where, found in axe.items() if found}
    assert not problems, problems


def test_an_admin_asks_an_opinion_answers_it_as_the_institution_and_the_case_goes_on(
    app, live_server, browser
):
    from tests.portal.test_test_mode import _filed_yesterday

    with app.app_context():
        row = _draft("workflows/definitions/opamss/recepcion-obra.yaml")
        version = row.version
        admin = make_staff("admin", "OPAMSS", email="admin@opamss.example.sv")
        case, _definition, _calendar = _filed_yesterday(row, admin, "presentado")
        number = case.tracking_number
    # On a phone: every page of the walk stays within the screen.
    page = browser.new_context(viewport=PHONE, locale="es-SV", bypass_csp=True).new_page()
    sign_in(page, live_server, "admin@opamss.example.sv")
    _open_test_mode(page, live_server, "Recepción de Obra", version)
    assert page.evaluate(WIDEST) == [0, []]  # the draft's test cases, on a phone
    click_through(page, page.get_by_role("link", name=number))
    assert "días hábiles restantes" in page.locator("#plazo-legal").inner_text()

    # As the clerk: ANDA consulted; its consultation suspends the legal period.
    assert page.get_by_role("heading", name="Solicitar una opinión técnica como personal técnico")
    asking = page.locator("form").filter(
        has=page.get_by_role("button", name="Solicitar opinión técnica")
    )
    asking.get_by_label(ANDA).check()
    click_through(page, asking.get_by_role("button", name="Solicitar opinión técnica"))
    # No question typed: said at its field, on a page of its own; the institution kept.
    assert "Escriba qué se consulta." in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label(ANDA).is_checked()
    assert page.evaluate(WIDEST) == [0, []]
    axe = {"solicitar opinión con un error": _violations(page)}
    page.get_by_label("Qué se consulta").fill("¿Hay capacidad de la red para la conexión?")
    click_through(page, page.get_by_role("button", name="Solicitar opinión técnica"))
    assert "Opinión técnica solicitada como personal técnico." in _flash(page)
    opinion = page.locator(".app-opinion").filter(has_text="(ANDA)")
    assert opinion.get_by_role("heading").inner_text().endswith("— Pendiente")
    assert page.locator("#plazo-legal").inner_text() == "Suspendido"

    # As ANDA: favourable with conditions, the conditions forgotten first.
    opinion.get_by_label("Favorable con condiciones").check()
    click_through(page, opinion.get_by_role("button", name="Registrar respuesta"))
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Escriba las conclusiones o las condiciones de la opinión." in summary
    assert page.get_by_label("Favorable con condiciones").is_checked()
    assert page.evaluate(WIDEST) == [0, []]
    axe["responder con un error"] = _violations(page)
    page.get_by_label("Conclusiones o condiciones").fill(
        "Conectar al colector de la calle principal."
    )
    click_through(page, page.get_by_role("button", name="Registrar respuesta"))
    assert "Respuesta registrada como la institución consultada." in _flash(page)
    opinion = page.locator(".app-opinion").filter(has_text="(ANDA)")
    assert opinion.get_by_role("heading").inner_text().endswith("— Respondida")
    assert "Conectar al colector de la calle principal." in opinion.inner_text()
    link = opinion.get_by_role("link", name="Descargar el documento de prueba de la respuesta")
    response = page.context.request.get(link.evaluate("a => a.href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert "PRUEBA — SIN VALIDEZ" in pdf_text(response.body())

    # The period runs again, and the case moves on as the clerk works it.
    assert "días hábiles restantes" in page.locator("#plazo-legal").inner_text()
    history = _history(page)
    assert f"Opinión técnica solicitada (Presentado (en revisión)): {ANDA}" in history
    assert "Opinión técnica recibida" in history
    clerk = page.locator("#rol-clerk form").filter(
        has=page.get_by_role("button", name="Solicitar corrección (prevención)")
    )
    clerk.get_by_label("Comentario (obligatorio)").fill("Adjunte la bitácora firmada.")
    click_through(page, clerk.get_by_role("button", name="Solicitar corrección (prevención)"))
    assert "Acción realizada como personal técnico." in _flash(page), _flash(page)
    assert _state(page) == "Prevenido (corrección solicitada)"
    assert page.evaluate(WIDEST) == [0, []]
    axe["caso de prueba tras la opinión"] = _violations(page)
    problems = {where: found for where, found in axe.items() if found}
    assert not problems, problems


def test_positive_silence_reaches_a_test_case_with_its_stamped_licence_as_the_page_foretold(
    app, live_server, browser, run_jobs
):
    """APLAN's licence is granted by positive silence once its legal period passes undecided:
    each press applies the next breach the page announces, the last one the silence."""
    from tests.portal.test_test_mode import _filed_yesterday

    with app.app_context():
        row = _draft("workflows/definitions/aplan/licencia-funcionamiento.yaml")
        version = row.version
        admin = make_staff("admin", "APLAN", email="admin@aplan.example.sv")
        case, _definition, _calendar = _filed_yesterday(row, admin, "resolucion")
        number = case.tracking_number
    page = browser.new_context(viewport=DESK, locale="es-SV", bypass_csp=True).new_page()
    sign_in(page, live_server, "admin@aplan.example.sv")
    _open_test_mode(page, live_server, "Licencia de funcionamiento en el Centro Histórico", version)
    click_through(page, page.get_by_role("link", name=number))
    announced = []
    while page.get_by_role("button", name=SIMULATE).count() and len(announced) < 5:
        _stage, due, then, day = _deadline(page)
        announced.append(then)
        _simulate(page)
        assert f"Plazo vencido como el {day}" in _flash(page)
    state = "Otorgada por silencio administrativo positivo"
    assert announced[-1] == f"Silencio positivo: el caso pasa a «{state}».", announced
    assert len(announced) == 3, announced
    assert _state(page) == state
    assert f"el plazo para resolver venció el {due}" in _history(page)
    run_jobs()  # the licence is rendered in a job, as a real one's would be
    page.reload()
    licence = page.locator("#pdfs li").filter(has_text="Licencia de Funcionamiento")
    assert "PRUEBA-" in licence.inner_text()
    link = licence.get_by_role("link", name="Descargar PDF de prueba")
    response = page.context.request.get(link.evaluate("a => a.href"))
    assert response.ok and "PRUEBA — SIN VALIDEZ" in pdf_text(response.body())
