"""The public verification pages in a real browser: each answer (valid, expired, revoked,
replaced, altered, unknown) passes axe at 360 and 1280 px without sideways scrolling; a code
typed or pasted as people do and a PDF chosen in the file picker are found; a case's tracking
code is told so at the field and sent to Seguimiento."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.applications import effects
from portal.certificates import services as certificates
from portal.extensions import db
from portal.tracking.services import display_code
from tests.e2e.test_accessibility import _violations
from tests.portal.helpers import make_staff
from tests.portal.test_verification import COMPANY, HEADINGS, _certificate

pytestmark = pytest.mark.e2e


def _documents(app):
    """Five rendered certificates: valid, expired, revoked, replaced (and its replacement)."""
    with app.app_context():
        made = {
            name: _certificate(COMPANY, email=f"{name}@example.sv", render=True)
            for name in ("valid", "expired", "revoked", "replaced")
        }
        made["expired"].valid_until = effects.local_now().date() - timedelta(days=1)
        db.session.commit()
        supervisor = make_staff("supervisor", "OPAMSS")
        certificates.revoke_document(
            actor=supervisor,
            application=made["revoked"].application,
            document_id=made["revoked"].id,
            reason="La obra invade la zona de protección del río.",
        )
        certificates.replace_document(
            actor=supervisor,
            application=made["replaced"].application,
            document_id=made["replaced"].id,
            reason="Corrección del área del terreno.",
        )
        codes = {name: display_code(document.code) for name, document in made.items()}
        pdf = certificates.read_pdf(made["valid"])
        db.session.remove()
    return codes, pdf


def test_every_answer_passes_axe_and_fits_a_phone_and_typed_codes_and_files_are_found(
    app, live_server, browser, tmp_path
):
    codes, pdf = _documents(app)
    original = tmp_path / "permiso.pdf"
    original.write_bytes(pdf)
    altered = tmp_path / "permiso editado.pdf"
    cut = pdf.index(b"/Contents") // 2  # one byte inside the signed range
    altered.write_bytes(pdf[:cut] + bytes([pdf[cut] ^ 0x01]) + pdf[cut + 1 :])
    base = live_server
    found: dict[str, list[str]] = {}
    for width in (360, 1280):
        context = browser.new_context(
            viewport={"width": width, "height": 800}, locale="es-SV", bypass_csp=True
        )
        page = context.new_page()
        for name, code in codes.items():
            page.goto(f"{base}/verificar/{code}")
            page.get_by_role("heading", name=HEADINGS[name]).wait_for()
            found[f"{width} {name}"] = _violations(page)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        page.goto(f"{base}/verificar/ZZZZ-ZZZZ-ZZZZ-ZZZZ")
        found[f"{width} unknown"] = _violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        # Typed from paper: lower case, spaces for dashes, a trailing dot.
        page.goto(f"{base}/verificar/")
        found[f"{width} form"] = _violations(page)
        typed = codes["valid"].lower().replace("-", " ") + "."
        page.get_by_label("Código de verificación").fill(typed)
        page.get_by_role("button", name="Verificar el código").click()
        page.get_by_role("heading", name=HEADINGS["valid"]).wait_for()

        # Pasted from a chat: the page's address with a slash and a query, among words.
        page.goto(f"{base}/verificar/")
        address = f"https://ventanilla.amss.gob.sv/verificar/{codes['valid'].lower()}/"
        field = page.get_by_label("Código de verificación")
        field.fill(f"Hola, aquí el enlace: {address}?utm_source=whatsapp 🙏")
        page.get_by_role("button", name="Verificar el código").click()
        page.get_by_role("heading", name=HEADINGS["valid"]).wait_for()

        # A case's tracking code typed here: told so at the field, kept, and sent on.
        page.goto(f"{base}/verificar/")
        field.fill("k7qm 2pxa")
        page.get_by_role("button", name="Verificar el código").click()
        page.locator("#code-error").get_by_text("código de seguimiento de un expediente").wait_for()
        assert field.input_value() == "k7qm 2pxa"
        found[f"{width} tracking code"] = _violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.get_by_role("link", name="Consultar un expediente en Seguimiento").click()
        page.wait_for_url("**/seguimiento/")

        # The PDF itself, then the same PDF with one byte changed.
        for path, heading in ((original, HEADINGS["valid"]), (altered, HEADINGS["altered"])):
            page.goto(f"{base}/verificar/")
            page.locator("input[type=file]").set_input_files(str(path))
            page.get_by_role("button", name="Verificar el archivo").click()
            page.get_by_role("heading", name=heading).wait_for()
            found[f"{width} file {path.name}"] = _violations(page)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()
    problems = {where: v for where, v in found.items() if v}
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())
