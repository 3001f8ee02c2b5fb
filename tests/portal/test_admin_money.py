"""Numbers typed in the YAML view: the Spanish problem at its place, never a 500 (issue 11).

A fee of 40 digits, half a cent, `.inf`, `.nan`, `1e400` or a file size of a terabyte: the
view answers with the problem where it is, the draft cannot be published, and the Tasas
editor and the public procedure page go on answering.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.portal.test_admin_editors import _admin_client, _draft, _form, _stored
from tests.portal.test_admin_editors import _url as _section_url

PUBLIC = "/tramites/OPAMSS/calificacion-lugar"


def _yaml_url(draft, action: str = "yaml") -> str:
    return f"/admin/tramites/{draft.procedure_id}/versiones/{draft.version}/{action}"


def _with_amount(source: str, typed: str) -> str:
    changed, count = re.subn(r"amount: 50(\.0+)?\n", f"amount: {typed}\n", source, count=1)
    assert count == 1
    return changed


def _publish(client, draft, revision: int):
    from portal.applications.effects import local_now

    day = local_now().date() + timedelta(days=1)
    form = {"valid_from": [str(day.day), str(day.month), str(day.year)], "revision": revision}
    return client.post(_yaml_url(draft, "publicar"), data=form)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "1234567890123456789012345678901234567890",
            "El número tiene demasiadas cifras: escriba como máximo 15.",
        ),
        ("1234567890123456", "El número tiene demasiadas cifras: escriba como máximo 15."),
        ("0.005", "Escriba el monto en dólares con dos decimales como máximo"),
        ("12.345", "Escriba el monto en dólares con dos decimales como máximo"),
        ("-0.01", "Un monto en dólares no puede ser negativo."),
        ("1e400", "Aquí va un número, con cifras y el punto como decimal"),
        ("'1.250,50'", "«1.250,50» no lo es."),
    ],
)
def test_a_bad_amount_is_saved_with_its_problem_and_cannot_be_published(
    app, app_ctx, typed, message
):
    admin, client = _admin_client(app)
    draft = _draft(admin)
    saved = client.post(
        _yaml_url(draft),
        data={"source": _with_amount(draft.source, typed), "revision": "1"},
    )
    assert saved.status_code == 302  # a readable draft is kept, with its problems
    page = client.get(_yaml_url(draft))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<code>fees[0].amount</code>" in text and message in text
    assert "Sin problemas: se puede publicar." not in text
    assert "is not of type" not in text

    assert client.get(_section_url(draft, "tasas")).status_code == 200
    refused = _publish(client, draft, 2)
    assert refused.status_code == 422
    assert message in refused.get_data(as_text=True)
    assert _stored(draft).status == "draft"
    public = client.get(PUBLIC)
    assert public.status_code == 200 and "$50.00" in public.get_data(as_text=True)


@pytest.mark.parametrize("typed", [".inf", "-.inf", ".nan", "1.0e+400"])
def test_a_non_finite_amount_is_refused_at_its_place_and_the_text_kept(app, app_ctx, typed):
    admin, client = _admin_client(app)
    draft = _draft(admin)
    source = _with_amount(draft.source, typed)
    refused = client.post(_yaml_url(draft), data={"source": source, "revision": "1"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "<code>fees[0].amount</code>" in text
    assert "no se admiten" in text and ".inf (infinito)" in text
    assert f"amount: {typed}" in text  # what was typed is still in the box
    assert _stored(draft).revision == 1  # nothing stored
    assert client.get(PUBLIC).status_code == 200


def test_other_numbers_say_their_range_and_a_nan_in_days_is_refused(app, app_ctx):
    admin, client = _admin_client(app)
    draft = _draft(admin)
    days = re.search(r"business_days: \d+\n", draft.source).group()
    huge = draft.source.replace(days, "business_days: 100000000000\n", 1)
    assert client.post(_yaml_url(draft), data={"source": huge, "revision": "1"}).status_code == 302
    text = client.get(_yaml_url(draft)).get_data(as_text=True)
    assert "El número debe estar entre 1 y 3,650." in text
    assert "El número está fuera del rango permitido." not in text
    nan = draft.source.replace(days, "business_days: .nan\n", 1)
    refused = client.post(_yaml_url(draft), data={"source": nan, "revision": "2"})
    assert refused.status_code == 422
    assert "no se admiten" in refused.get_data(as_text=True)


def test_a_document_size_beyond_30_mb_is_refused_in_the_form(app, app_ctx):
    admin, client = _admin_client(app)
    draft = _draft(admin)
    form = _form(client, draft, "documentos")
    name = next(key for key in form if key.endswith(".max_mb"))
    form[name] = ["99999999999"]
    refused = client.post(_section_url(draft, "documentos"), data=form)
    assert refused.status_code == 400  # the editors' answer to a value they cannot take
    text = refused.get_data(as_text=True)
    assert "El valor debe ser menor o igual que 30." in text and "99999999999" in text


def test_the_tasas_form_applies_the_same_money_rule(app, app_ctx):
    admin, client = _admin_client(app)
    draft = _draft(admin)
    for typed, message in (
        ("0.005", "dos decimales como máximo"),
        ("-5", "Un monto en dólares no puede ser negativo."),
        ("1234567890123456", "escriba como máximo 15"),
    ):
        form = _form(client, draft, "tasas")
        form["fees[0].amount"] = [typed]
        refused = client.post(_section_url(draft, "tasas"), data=form)
        assert refused.status_code == 400
        assert message in refused.get_data(as_text=True)
    assert _stored(draft).definition["fees"][0]["amount"] == 50


def test_an_unknown_mark_in_a_reasoned_text_is_named(app, app_ctx):
    admin, client = _admin_client(app)
    draft = _draft(admin)
    assert "{tracking_number}" in draft.source
    source = draft.source.replace("{tracking_number}", "{plazo_legal}", 1)
    assert (
        client.post(_yaml_url(draft), data={"source": source, "revision": "1"}).status_code == 302
    )
    text = client.get(_yaml_url(draft)).get_data(as_text=True)
    assert "La marca «{plazo_legal}» no existe en este texto." in text
