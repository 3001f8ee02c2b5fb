"""Minor faults a newcomer found in the admin console, each tested by its kind."""

from __future__ import annotations

import re

import pytest

from tests.portal.test_admin_editors import _admin_client, _draft, _form, _url


def _version_url(row, action: str = "") -> str:
    base = f"/admin/tramites/{row.procedure_id}/versiones/{row.version}"
    return f"{base}/{action}" if action else base


# --- 1. A problem is told at the editor's label of its place, never as an internal key -----


def test_a_problem_on_the_version_page_names_the_editors_label_not_the_key(app, app_ctx):
    admin, client = _admin_client(app)
    draft = _draft(admin)
    form = _form(client, draft, "catalogo")
    form["catalogue.legal_max_business_days"] = ["-3"]
    client.post(_url(draft, "catalogo"), data=form)

    for page_url in (_version_url(draft), _version_url(draft, "yaml")):
        page = client.get(page_url).get_data(as_text=True)
        summary = page.split('id="problemas"')[1].split("</ul>")[0]
        read = re.sub(r"<details.*?</details>", "", summary, flags=re.S)  # what shows, folded
        assert "Catálogo › Plazo legal máximo (días hábiles)</strong>: El número debe estar" in read
        assert "legal_max_business_days" not in read
        assert "<code>catalogue.legal_max_business_days</code>" in summary  # technical detail


def test_a_problem_place_uses_labels_in_lists_and_readable_words_without_one(app):
    from forms.problem_places import problem_place

    data = {"fees": [{"code": "tasa_x", "amount": "1"}], "catalogue": {}}
    with app.test_request_context():
        assert problem_place("fees[0].amount", data) == "Tasa «tasa_x» › Monto (US$)"
        assert problem_place("catalogue.max_extension_business_days", data) == (
            "Catálogo › Máximo de prórrogas (días hábiles)"
        )
        assert problem_place("catalogue.some_new_key", data) == "Catálogo › some new key"


# --- 2. Three decimals after a point in money are a half cent, not a thousands separator ---


def test_a_half_cent_in_the_fees_editor_is_told_as_money_at_its_input(app, app_ctx):
    admin, client = _admin_client(app)
    draft = _draft(admin)
    form = _form(client, draft, "tasas")
    form["fees[0].amount"] = ["50.005"]
    refused = client.post(_url(draft, "tasas"), data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    message = page.split('id="fees[0].amount-error"')[1][:300]
    assert "con dos decimales como máximo" in message
    assert "la coma o el punto" not in message
    assert 'value="50.005"' in page


def test_a_half_cent_in_a_minimum_wage_is_told_as_money(app):
    from types import SimpleNamespace

    from wtforms import ValidationError

    from forms.admin import read_amount

    with app.test_request_context():
        for typed in ("408.805", "$1.250"):
            try:
                read_amount(None, SimpleNamespace(data=typed))
            except ValidationError as refused:
                assert "con dos decimales como máximo" in str(refused)
            else:
                raise AssertionError(f"{typed} was accepted")


# --- 3. Texts have bounds: a title up to 200 characters, any other text up to 2,000 ---------


def test_a_too_long_title_or_summary_is_refused_at_its_input_and_kept(app, app_ctx):
    from tests.portal.test_admin_editors import _stored

    admin, client = _admin_client(app)
    draft = _draft(admin)
    form = _form(client, draft, "catalogo")
    title, summary = "T" * 640, "R" * 20000
    form["title.es"], form["summary.es"] = [title], [summary]
    refused = client.post(_url(draft, "catalogo"), data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    at_title = page.split('id="title.es-error"')[1][:300]
    assert "Escriba como máximo 200 caracteres; este texto tiene 640." in at_title
    at_summary = page.split('id="summary.es-error"')[1][:300]
    assert "Escriba como máximo 2,000 caracteres; este texto tiene 20,000." in at_summary
    assert title in page and summary in page  # what was typed stays
    assert _stored(draft).revision == 1


def test_a_too_long_text_in_the_yaml_is_a_problem_at_its_place(app, app_ctx):
    import workflows
    from workflows.source import read_source
    from workflows.text import TEXT_MAX_LENGTH, TITLE_MAX_LENGTH

    admin, _client = _admin_client(app)
    draft = _draft(admin)
    data = read_source(draft.source)[0]
    data["title"]["es"] = "T" * (TITLE_MAX_LENGTH + 1)
    data["catalogue"]["purpose"]["en"] = "P" * (TEXT_MAX_LENGTH + 1)
    data["summary"]["es"] = "S" * TEXT_MAX_LENGTH  # at the bound: accepted
    with pytest.raises(workflows.InvalidDefinition) as refused:
        workflows.load(data)
    found = {(p.path, p.code, dict(p.params).get("max")) for p in refused.value.problems}
    assert found == {
        ("title.es", "too_long", TITLE_MAX_LENGTH),
        ("catalogue.purpose.en", "too_long", TEXT_MAX_LENGTH),
    }


# --- 4. An empty import file says it is empty ----------------------------------------------


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf \n"])
def test_an_empty_import_file_says_it_is_empty(client, app_ctx, content):
    from tests.portal.helpers import login
    from tests.portal.test_admin_versions import _draft as _versions_draft
    from tests.portal.test_admin_versions import _import

    _versions_draft()
    login(client, "admin@example.sv")
    refused = _import(client, content, "tramite.yaml")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "El archivo está vacío." in page
    assert "mapa de claves y valores" not in page


# --- 5. Reversed dates in a search are told at «Hasta», not answered with nothing ----------


def test_reversed_audit_search_dates_are_told_at_hasta(app, app_ctx):
    from tests.portal.helpers import make_staff
    from tests.portal.test_staff import _as, _get

    make_staff("admin", "OPAMSS", email="admin@opamss.sv")
    admin = _as(app, "admin@opamss.sv")
    reversed_ = _get(admin, "/admin/auditoria?desde=1/12/2026&hasta=30/11/2026")
    assert reversed_.status_code == 400
    at_field = reversed_.text.split('id="hasta-error"')[1][:300]
    assert "«Hasta» es anterior a «Desde»" in at_field
    assert 'value="1/12/2026"' in reversed_.text and 'value="30/11/2026"' in reversed_.text
    same_day = _get(admin, "/admin/auditoria?desde=30/11/2026&hasta=30/11/2026")
    assert same_day.status_code == 200 and "«Hasta» es anterior" not in same_day.text


# --- 6. A confirmation left unticked is announced in the summary box, linked to its box ----


def test_an_unconfirmed_staff_action_shows_the_error_summary(app, app_ctx):
    from tests.portal.helpers import make_staff
    from tests.portal.test_staff import _as, _post

    make_staff("admin", "OPAMSS", email="admin@opamss.sv")
    clerk = make_staff("clerk", "0614", email="clerk@sansalvador.sv")
    admin = _as(app, "admin@opamss.sv")
    for action, box in (
        ("desactivar", "desactivar-confirm"),
        ("segundo-factor", "segundo_factor-confirm"),
    ):
        page = _post(admin, f"/admin/personal/{clerk.id}/{action}")
        assert page.status_code == 400
        summary = page.text.split("govuk-error-summary__title")[1].split("</ul>")[0]
        assert "Hay un problema" in summary
        assert f'href="#{box}"' in summary and "Marque la casilla para confirmar." in summary


# --- 7. A draft saved meanwhile by the same person says so, not «Otra persona» -------------


def test_a_draft_saved_in_another_tab_by_the_same_person_says_usted(app, app_ctx):
    admin, client = _admin_client(app)
    draft = _draft(admin)
    first, second = _form(client, draft, "catalogo"), _form(client, draft, "catalogo")
    first["title.es"] = ["Primera pestaña"]
    assert client.post(_url(draft, "catalogo"), data=first).status_code == 302
    second["title.es"] = ["Segunda pestaña"]
    stale = client.post(_url(draft, "catalogo"), data=second)
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Usted guardó este borrador en otra pestaña o ventana" in page
    assert "Otra persona" not in page and 'value="Segunda pestaña"' in page


def test_the_yaml_page_says_usted_for_the_same_person_and_otra_persona_for_another(app, app_ctx):
    from tests.portal.helpers import login, make_staff

    admin, client = _admin_client(app)
    draft = _draft(admin)
    url = _version_url(draft, "yaml")
    assert (
        client.post(url, data={"source": draft.source + "\n# a\n", "revision": "1"}).status_code
        == 302
    )
    mine = client.post(url, data={"source": draft.source + "\n# b\n", "revision": "1"})
    assert mine.status_code == 409
    assert "Usted guardó este borrador en otra pestaña o ventana" in mine.get_data(as_text=True)
    assert "Otra persona" not in mine.get_data(as_text=True)

    make_staff("admin", "OPAMSS", email="otra@example.sv")
    other = app.test_client()
    login(other, "otra@example.sv")
    theirs = other.post(url, data={"source": draft.source + "\n# c\n", "revision": "1"})
    assert theirs.status_code == 409
    assert "Otra persona guardó este borrador a las" in theirs.get_data(as_text=True)
