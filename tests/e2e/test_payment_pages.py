"""The payment pages pass axe-core at 360 and 1280 px, and a person pays online in Chromium."""

from __future__ import annotations

import pytest

from tests.e2e.test_accessibility import _sign_in, _violations
from tests.portal.helpers import make_applicant
from tests.portal.test_back_office import _filed

pytestmark = pytest.mark.e2e


def test_a_pending_order_and_the_demonstration_gateway_pass_axe_and_pay(
    app, live_server, browser, run_jobs
):
    with app.app_context():
        application_id = _filed(make_applicant()).id
    run_jobs()  # the payment order's PDF
    base = live_server
    found: dict[str, list[str]] = {}
    for width in (360, 1280):
        context = browser.new_context(
            viewport={"width": width, "height": 800}, locale="es-SV", bypass_csp=True
        )
        page = context.new_page()
        _sign_in(page, base, "ana@example.sv")
        page.goto(f"{base}/solicitudes/{application_id}")
        assert page.get_by_role("link", name="Descargar mandamiento de pago (PDF)").is_visible()
        found[f"{width} status"] = _violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.get_by_role("button", name="Pagar en línea").click()
        page.get_by_text("Pasarela de demostración").first.wait_for()
        found[f"{width} simulator"] = _violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if width == 1280:
            page.get_by_role("button", name="Confirmar el pago").click()
            page.get_by_text("Pagado el").wait_for()
            assert not page.get_by_role("button", name="Pagar en línea").count()
        context.close()
    problems = {where: v for where, v in found.items() if v}
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())
