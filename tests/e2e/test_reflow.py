"""In Chromium at 360 px and at desktop width: nothing a person typed pushes the page sideways.

A file name, a trade name or an address may be one long word with no spaces (issue 6, item 10,
whose kind covers the pages as well as the PDFs); the clerk's queue table scrolls inside its
own box on a phone instead of the whole page.
"""

from __future__ import annotations

import pytest

from tests.portal.helpers import PASSWORD, login, make_applicant, make_staff, pdf_bytes
from tests.portal.sign_permit import SIGN, file_, post, start_sign_permit

pytestmark = pytest.mark.e2e

LONG_FILE = "Recibo" + "ñ" * 290 + ".pdf"
LONG_TRADE = "INVERSIONESYSERVICIOSGENERALESDELNORTESOCIEDADANONIMADECAPITALVARIABLE" * 2
LONG_ADDRESS = "CalleElPinoNúmero5ColoniaSantaMónicaDistritodeSantaTeclaLaLibertadSur" * 2

WIDEST = """() => {
  const width = document.documentElement.clientWidth
  const wide = [...document.querySelectorAll('main *')]
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .filter((el) => !el.closest('.app-table--stack'))
    .map((el) => el.tagName + ' ' + (el.textContent || '').slice(0, 30))
  return [document.documentElement.scrollWidth - width, wide.slice(0, 3)]
}"""


def _sign_in(page, base, email):
    page.goto(f"{base}/cuenta/entrar")
    page.locator('[name="email"]').fill(email)
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("width", [360, 1280])
def test_long_words_typed_by_the_applicant_stay_on_the_page(app, live_server, browser, width):
    with app.app_context():
        make_applicant()
        make_staff("clerk", "0511", email="clerk@example.sv")
        client = app.test_client()
        app.config["WTF_CSRF_ENABLED"] = False
        login(client, "ana@example.sv")
        application_id = start_sign_permit(client)
        answers = {**SIGN, "f_nombre_comercial": LONG_TRADE, "f_direccion": LONG_ADDRESS}
        filed = post(
            client, application_id, {**answers, "d_fotomontaje": file_(LONG_FILE, pdf_bytes())}
        )
        assert filed.status_code == 302
        app.config["WTF_CSRF_ENABLED"] = True
    pages = {
        "ana@example.sv": [
            f"/solicitudes/{application_id}",
            f"/solicitudes/{application_id}/editar",
        ],
        "clerk@example.sv": [f"/bandeja/{application_id}", "/bandeja/"],
    }
    for email, paths in pages.items():
        page = browser.new_context(
            viewport={"width": width, "height": 800}, locale="es-SV"
        ).new_page()
        _sign_in(page, live_server, email)
        for path in paths:
            page.goto(f"{live_server}{path}")
            assert LONG_FILE[:100] in page.content() or path.endswith(("/bandeja/", "/editar"))
            assert page.evaluate(WIDEST) == [0, []], (width, path)
