"""In Chromium's accessibility tree: every control has a name of its own, in the page's language."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.portal.helpers import PASSWORD, login, make_applicant, make_staff, pdf_bytes
from tests.portal.sign_permit import SIGN, file_, post, start_sign_permit

pytestmark = pytest.mark.e2e


def _sign_in(page, base, email, password_label="Contraseña", button="Entrar"):
    page.goto(f"{base}/cuenta/entrar")
    page.locator('[name="email"]').fill(email)
    page.get_by_label(password_label, exact=True).fill(PASSWORD)
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def test_each_reason_box_of_the_review_is_named_after_the_item_it_judges(app, live_server, browser):
    with app.app_context():
        make_applicant()
        # A procedure whose definition asks for an item-by-item review (a transition guarded by
        # `all_items_verified`): only there do the clerk's reason boxes appear.
        make_staff("clerk", "0511", email="clerk@example.sv")
        client = app.test_client()
        app.config["WTF_CSRF_ENABLED"] = False
        login(client, "ana@example.sv")
        application_id = start_sign_permit(client)
        filed = post(client, application_id, {**SIGN, "d_fotomontaje": file_("f.pdf", pdf_bytes())})
        assert filed.status_code == 302
        app.config["WTF_CSRF_ENABLED"] = True
    page = browser.new_context(locale="es-SV").new_page()
    _sign_in(page, live_server, "clerk@example.sv")
    page.goto(f"{live_server}/bandeja/{application_id}")
    review = page.locator("#revision + p + form")
    # Each item's radios are named after it; its reason box, shown under "No conforme", too.
    legends = [
        t.strip()
        for t in review.locator(
            ".app-verdict fieldset:has(> .govuk-radios) > legend"
        ).all_inner_texts()
    ]
    assert len(legends) >= 10  # every field and document of the case
    assert len(set(legends)) == len(legends)
    for legend in legends:
        name = f"Motivo (si no es conforme) – {legend}"
        expect(
            page.get_by_role("textbox", name=name, exact=True, include_hidden=True)
        ).to_have_count(1)


@pytest.mark.parametrize(
    ("language", "label", "show", "show_name", "hide_name"),
    [
        (None, "Contraseña", "Mostrar", "Mostrar contraseña", "Ocultar contraseña"),
        ("English", "Password", "Show", "Show password", "Hide password"),
    ],
)
def test_the_password_toggle_speaks_the_page_language(
    app, live_server, browser, language, label, show, show_name, hide_name
):
    """Spanish first (a browser set to English still gets Spanish), English when chosen."""
    page = browser.new_context(locale="en-US").new_page()
    page.goto(f"{live_server}/cuenta/entrar")
    if language:
        page.get_by_role("button", name=language).click()
        page.wait_for_load_state()
    toggle = page.get_by_role("button", name=show_name, exact=True)
    expect(toggle).to_have_text(show)
    toggle.click()
    expect(page.get_by_role("button", name=hide_name, exact=True)).to_be_visible()
    expect(page.get_by_label(label, exact=True)).to_have_attribute("type", "text")
