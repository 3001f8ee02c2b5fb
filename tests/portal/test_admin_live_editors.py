"""The editors' live results: the estimate, diagram and notice previews of what is typed, as
the saved draft would give them, never saving anything (static/js/live.js asks for them)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.portal.test_admin_editors import _admin_client, _draft, _form, _stored, _url

FEE = {
    "fees[0].kind": ["per_unit_above"],
    "fees[0].field": ["area_terreno_m2"],
    "fees[0].base": ["40"],
    "fees[0].threshold": ["100"],
    "fees[0].rate": ["0.25"],
}
ANSWERS = {"f_area_terreno_m2": "300", "f_tipo_persona": "natural", "calcular": "1"}


def _estimate(html: str) -> str:
    return " ".join(
        html.split('class="govuk-inset-text app-estimate"')[1].split("</div>")[0].split()
    )


def test_the_live_estimate_is_the_saved_drafts_and_saves_nothing(app, app_ctx):
    admin, client = _admin_client(app)
    draft = _draft(admin)
    form = {**_form(client, draft, "tasas"), **FEE}
    live = client.post(_url(draft, "tasas/estimacion"), data={**form, **ANSWERS})
    assert live.status_code == 200
    assert "Total estimado: $90.00" in live.get_data(as_text=True)
    assert _stored(draft).revision == 1 and _stored(draft).definition["fees"][0]["kind"] != (
        "per_unit_above"
    )

    assert client.post(_url(draft, "tasas"), data=form).status_code == 302
    saved = client.get(_url(draft, "tasas"), query_string=ANSWERS).get_data(as_text=True)
    assert _estimate(live.get_data(as_text=True)) == _estimate(saved)

    # A word where an amount goes: the editor's own message, linked to the input.
    form["fees[0].base"] = ["cuarenta"]
    refused = client.post(_url(draft, "tasas/estimacion"), data={**form, **ANSWERS})
    assert refused.status_code == 422
    message = re.search(r'href="#fees\[0\]\.base">([^<]+)<', refused.get_data(as_text=True))
    assert "No se puede estimar con las tasas escritas" in refused.get_data(as_text=True)
    page = client.post(_url(draft, "tasas"), data=form).get_data(as_text=True)
    assert message.group(1) in page.split('id="fees[0].base-error"')[1][:300]
    assert _stored(draft).revision == 2


def test_the_live_diagram_is_the_saved_drafts_or_says_why_not(app, app_ctx):
    admin, client = _admin_client(app)
    draft = _draft(admin)
    form = _form(client, draft, "flujo")
    label = "workflow.transitions[1].label.es"
    form[label] = ["Pedir que corrija"]
    before = client.get(_url(draft, "diagrama.svg")).data
    live = client.post(_url(draft, "flujo/diagrama.svg"), data=form)
    assert live.status_code == 200 and live.mimetype == "image/svg+xml", live.get_data(as_text=True)
    assert live.data != before and _stored(draft).revision == 1
    assert client.post(_url(draft, "flujo"), data=form).status_code == 302
    assert client.get(_url(draft, "diagrama.svg")).data == live.data

    form["workflow.transitions[1].to"] = ["estado_que_no_existe"]
    refused = client.post(_url(draft, "flujo/diagrama.svg"), data=form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Lo escrito no se puede dibujar" in text
    assert 'href="#workflow.transitions[1]"' in text
    assert _stored(draft).revision == 2


def _preview(html: str, name: str) -> str:
    part = html.split(f'data-app-live-part="{name}"')[1]
    return part.split('app-preline">')[1].split("</p>")[0]


def test_the_live_notice_preview_is_the_saved_ones(app, app_ctx):
    admin, client = _admin_client(app)
    draft = _draft(admin)
    form = _form(client, draft, "avisos")
    name = next(k for k in form if k.endswith(".params.message.es"))
    form[name] = ["Su expediente {{ tracking_number }} cambió."]
    form[name[:-3] + ".en"] = ["Your case {{ tracking_number }} changed."]
    live = client.post(_url(draft, "avisos/vista-previa"), data=form).get_data(as_text=True)
    assert _preview(live, name) == "Su expediente OPAMSS-2026-000123 cambió."
    assert _stored(draft).revision == 1
    saved = client.post(_url(draft, "avisos"), data=form)
    assert saved.status_code == 302
    page = client.get(_url(draft, "avisos")).get_data(as_text=True)
    assert _preview(page, name) == _preview(live, name)

    form[name] = ["Su expediente {{ tracking_number cambió."]
    live = client.post(_url(draft, "avisos/vista-previa"), data=form).get_data(as_text=True)
    assert "Este texto no se puede usar:" in live.split(f'data-app-live-part="{name}"')[1]


def test_the_live_routes_of_another_authoritys_draft_are_not_found(app, app_ctx):
    from portal.accounts.models import AuditEvent
    from portal.extensions import db

    owner = make_owner()
    draft = _draft(owner)
    _admin, client = _admin_client(app, "0511", "ste@example.sv")
    paths = [
        _url(draft, p) for p in ("tasas/estimacion", "flujo/diagrama.svg", "avisos/vista-previa")
    ]
    for path in paths:
        assert client.post(path, data={"revision": "1"}).status_code == 404
    denied = sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "access.denied", AuditEvent.subject.in_(paths)
    )
    assert db.session.scalar(denied) == 3


def make_owner():
    from tests.portal.helpers import make_staff

    return make_staff("admin", "OPAMSS", email="owner@example.sv")


def _part(html: str, name: str) -> str:
    return html.split(f'data-app-live-part="{name}"')[1].split("data-app-live-part=")[0]


def test_a_notice_preview_speaks_spanish_and_uses_the_drafts_own_procedure(app, app_ctx):
    from portal.admin.draft_services import clone_to_draft
    from portal.procedures.services import get_procedure

    admin, client = _admin_client(app, "0511", "ste@example.sv")
    procedure = get_procedure("0511", "cierre-establecimiento")
    draft = clone_to_draft(admin, procedure.id, max(v.version for v in procedure.versions))
    form = _form(client, draft, "avisos")
    name = next(k for k in form if k.endswith(".params.message.es"))
    form[name] = ["{{ procedure }}: {{ tracking_number }}"]
    live = client.post(_url(draft, "avisos/vista-previa"), data=form).get_data(as_text=True)
    assert _preview(live, name) == "Cierre de establecimiento: 0511-2026-000123"

    form[name] = ["Estimado {{ solicitante }}"]
    part = _part(client.post(_url(draft, "avisos/vista-previa"), data=form).text, name)
    shown, detail = part.split("<details")
    assert "La marca «{{ solicitante }}» no existe en los avisos." in shown
    assert "is not" not in shown and "is not a notice variable" in detail

    from portal.admin.editor_services import _reasoned_fault
    from workflows.reasons import template_problems

    fault = template_problems("Señor {inexistente}")[0]
    assert _reasoned_fault(*fault) == "La marca «{inexistente}» no existe en los textos motivados."
    assert "llaves" in _reasoned_fault(*template_problems("Señor {applicant")[0])
