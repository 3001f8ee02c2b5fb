"""Editing a draft in forms: each section saves into the draft's mapping, keeps what was typed."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from tests.portal.helpers import login, make_staff, pdf_text

SLUG = "calificacion-lugar"


def _draft(admin, slug: str = SLUG):
    """A draft cloned from the newest published version of an OPAMSS procedure."""
    from portal.admin.draft_services import clone_to_draft
    from portal.extensions import db
    from portal.procedures.models import Procedure, ProcedureVersion

    origin = db.session.scalar(
        sa.select(ProcedureVersion)
        .join(Procedure)
        .where(Procedure.slug == slug, ProcedureVersion.status == "published")
        .order_by(ProcedureVersion.version.desc())
    )
    return clone_to_draft(admin, origin.procedure_id, origin.version)


def _url(draft, section: str) -> str:
    return f"/admin/tramites/{draft.procedure_id}/versiones/{draft.version}/editar/{section}"


def _form(client, draft, section: str, url: str | None = None) -> dict[str, list[str]]:
    """The section's form as the page draws it (inputs, selects, textareas and checks); `url`
    is where a save sent the browser (after "Añadir", with the new row drawn)."""
    from html.parser import HTMLParser

    class Inputs(HTMLParser):
        def __init__(self):
            super().__init__()
            self.values: dict[str, list[str]] = {}
            self.select = self.area = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            name = a.get("name")
            if (tag == "input" and name and a.get("type") != "checkbox") or (
                tag == "input" and name and "checked" in a
            ):
                self.values.setdefault(name, []).append(a.get("value") or "")
            elif tag == "select":
                self.select = name
            elif tag == "option" and self.select and "selected" in a:
                self.values.setdefault(self.select, []).append(a.get("value") or "")
            elif tag == "textarea":
                self.area = name
                self.values.setdefault(name, []).append("")

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None
            elif tag == "textarea":
                self.area = None

        def handle_data(self, data):
            if self.area:
                self.values[self.area][-1] += data

    page = client.get(url or _url(draft, section))
    assert page.status_code == 200, page.data[:300]
    parser = Inputs()
    parser.feed(page.get_data(as_text=True))
    parser.values.pop("op", None)
    return parser.values


def _admin_client(app, authority: str = "OPAMSS", email: str = "admin@example.sv"):
    admin = make_staff("admin", authority, email=email)
    client = app.test_client()
    login(client, email)
    return admin, client


def _stored(draft):
    from portal.extensions import db

    db.session.expire_all()
    return db.session.get(type(draft), draft.id)


def test_catalogue_saves_keeps_a_bad_number_and_refuses_a_stale_revision(app, app_ctx):
    from portal.admin.editor_services import draft_problems

    admin, client = _admin_client(app)
    draft = _draft(admin)
    form = _form(client, draft, "catalogo")
    assert form["title.es"] == ["Calificación de Lugar"]

    form["title.es"] = ["Calificación de Lugar (2027)"]
    saved = client.post(_url(draft, "catalogo"), data=form)
    assert saved.status_code == 302
    row = _stored(draft)
    assert row.definition["title"]["es"] == "Calificación de Lugar (2027)"
    assert row.revision == 2
    assert "legal_basis" in row.definition["catalogue"]  # what the form leaves alone stays
    assert draft_problems(row) == []

    # A word where a number goes: nothing is stored, the word stays, the message is at it.
    fresh = _form(client, draft, "catalogo")
    fresh["catalogue.legal_max_business_days"] = ["veinte"]
    refused = client.post(_url(draft, "catalogo"), data=fresh)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    message = page.split('id="catalogue.legal_max_business_days-error"')[1][:200]
    assert "Escriba un número con cifras" in message
    assert 'value="veinte"' in page
    assert _stored(draft).revision == 2

    # The first form still says revision 1: someone saved since, so it is refused, kept.
    form["title.es"] = ["Mi título nuevo"]
    stale = client.post(_url(draft, "catalogo"), data=form)
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Usted guardó este borrador en otra pestaña o ventana" in page
    assert 'value="Mi título nuevo"' in page
    assert _stored(draft).definition["title"]["es"] == "Calificación de Lugar (2027)"


def test_a_field_with_a_condition_built_from_pickers_is_saved_and_validates(app, app_ctx):
    from portal.admin.editor_services import draft_problems

    admin, client = _admin_client(app)
    draft = _draft(admin)
    form = _form(client, draft, "campos")
    added = client.post(_url(draft, "campos"), data={**form, "op": "add:fields"})
    form = _form(client, draft, "campos", added.headers["Location"])
    last = max(int(k.split("[")[1].split("]")[0]) for k in form if k.startswith("fields["))
    at = f"fields[{last}]"
    form.update(
        {
            f"{at}.name": ["razon_social_previa"],
            f"{at}.type": ["text"],
            f"{at}.bind": ["establishment.trade_name"],
            f"{at}.label.es": ["Nombre comercial"],
            f"{at}.label.en": ["Trade name"],
            f"{at}.required": ["1"],
            f"{at}.visible_if.c[0].field": ["tipo_persona"],
            f"{at}.visible_if.c[0].op": ["eq"],
            f"{at}.visible_if.c[0].value": ["juridica"],
        }
    )
    assert client.post(_url(draft, "campos"), data=form).status_code == 302
    row = _stored(draft)
    field = row.definition["fields"][last]
    assert field["bind"] == "establishment.trade_name" and field["required"] is True
    assert field["visible_if"] == {"field": "tipo_persona", "op": "eq", "value": "juridica"}
    assert draft_problems(row) == []

    # Moving it up saves the new order.
    form = _form(client, draft, "campos")
    client.post(_url(draft, "campos"), data={**form, "op": f"up:fields:{last}"})
    assert _stored(draft).definition["fields"][last - 1]["name"] == "razon_social_previa"


def test_a_problem_is_shown_at_its_row_in_spanish(app, app_ctx):
    admin, client = _admin_client(app)
    draft = _draft(admin)
    form = _form(client, draft, "campos")
    form["fields[1].visible_if.c[0].field"] = ["area_terreno_m2"]
    form["fields[1].visible_if.c[0].op"] = ["gt"]
    form["fields[1].visible_if.c[0].value"] = ["mucho"]
    refused = client.post(_url(draft, "campos"), data=form)
    assert refused.status_code == 400
    assert 'value="mucho"' in refused.get_data(as_text=True)

    form["fields[1].visible_if.c[0].field"] = ["campo_que_no_existe"]
    saved = client.post(_url(draft, "campos"), data=form, follow_redirects=True)
    page = saved.get_data(as_text=True)
    assert "con 1 problema: se muestra junto a lo que afecta" in page
    row = page.split('id="fields[1]"')[1].split("</fieldset>")[0]
    assert "Ese campo no existe en el formulario." in row


def test_a_section_the_form_cannot_draw_is_left_to_the_yaml_editor(app, app_ctx):
    from portal.admin.draft_services import save_draft_definition

    admin, client = _admin_client(app)
    draft = _draft(admin)
    data = dict(draft.definition, fields="no es una lista")
    save_draft_definition(admin, draft.id, data, expected_revision=1)
    page = client.get(_url(draft, "campos")).get_data(as_text=True)
    assert "corríjala en el editor YAML" in page and "Guardar esta sección" not in page
    refused = client.post(_url(draft, "campos"), data={"revision": "2"})
    assert refused.status_code == 400
    assert _stored(draft).definition["fields"] == "no es una lista"


def test_the_fee_estimator_gives_what_the_portal_charges(app, app_ctx):
    from portal.admin.editor_services import draft_definition, draft_problems
    from portal.catalogue.services import estimate

    admin, client = _admin_client(app)
    draft = _draft(admin)
    form = _form(client, draft, "tasas")
    form.update(
        {
            "fees[0].kind": ["per_unit_above"],
            "fees[0].field": ["area_terreno_m2"],
            "fees[0].base": ["40"],
            "fees[0].threshold": ["100"],
            "fees[0].rate": ["0.25"],
        }
    )
    client.post(_url(draft, "tasas"), data=form)
    form = _form(client, draft, "tasas")  # the kind's own inputs now show
    form["fees[0].rate"] = ["0.50"]
    form["fees[0].rates[0].rate"] = ["0.75"]  # for legal persons, a rate built with pickers
    form["fees[0].rates[0].when.c[0].field"] = ["tipo_persona"]
    form["fees[0].rates[0].when.c[0].op"] = ["eq"]
    form["fees[0].rates[0].when.c[0].value"] = ["juridica"]
    assert client.post(_url(draft, "tasas"), data=form).status_code == 302
    row = _stored(draft)
    assert row.definition["fees"][0]["rate"] == 0.5
    assert draft_problems(row) == []

    assert row.definition["fees"][0]["rates"] == [
        {"when": {"field": "tipo_persona", "op": "eq", "value": "juridica"}, "rate": 0.75}
    ]
    for answers, total in (
        ({"tipo_persona": "natural"}, "140.00"),
        ({"tipo_persona": "juridica"}, "190.00"),
    ):
        answers = {"area_terreno_m2": "300", **answers}
        page = client.get(
            _url(draft, "tasas"),
            query_string={**{f"f_{k}": v for k, v in answers.items()}, "calcular": "1"},
        ).get_data(as_text=True)
        charged = estimate(row.procedure, draft_definition(row), answers)
        assert charged.total == Decimal(total)
        assert f"Total estimado: ${total}" in page


def test_workflow_notices_documents_certificate_and_other_sections_save(app, app_ctx):
    from portal.admin.editor_services import draft_problems

    admin, client = _admin_client(app)
    draft = _draft(admin)

    form = _form(client, draft, "flujo")
    form["workflow.states[1].business_days"] = ["30"]
    assert client.post(_url(draft, "flujo"), data=form).status_code == 302
    assert _stored(draft).definition["workflow"]["states"][1]["business_days"] == 30
    page = client.get(_url(draft, "flujo")).get_data(as_text=True)
    assert "diagrama.svg" in page
    svg = client.get(_url(draft, "diagrama.svg"))
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"

    form = _form(client, draft, "avisos")
    name = next(k for k in form if k.endswith(".params.message.es"))
    form[name] = ["Su expediente {{ tracking_number }} cambió."]
    form[name[:-3] + ".en"] = ["Your case {{ tracking_number }} changed."]
    assert client.post(_url(draft, "avisos"), data=form).status_code == 302
    page = client.get(_url(draft, "avisos")).get_data(as_text=True)
    assert "Su expediente OPAMSS-2026-000123 cambió." in page

    form = _form(client, draft, "otros")
    form["validity.months"] = ["12"]
    form["simdet.activity_field"] = ["actividad_claees"]
    assert client.post(_url(draft, "otros"), data=form).status_code == 302
    row = _stored(draft)
    assert row.definition["validity"]["months"] == 12
    assert row.definition["simdet"] == {"activity_field": "actividad_claees"}

    form = _form(client, draft, "documentos")
    form["documents[3].required"] = ["1"]
    form["documents[3].max_mb"] = ["2"]
    assert client.post(_url(draft, "documentos"), data=form).status_code == 302
    document = _stored(draft).definition["documents"][3]
    assert document["required"] is True and document["max_bytes"] == 2 * 1024 * 1024

    form = _form(client, draft, "constancia")
    form["certificate.title.es"] = ["Resolución de Calificación de Lugar 2027"]
    assert client.post(_url(draft, "constancia"), data=form).status_code == 302
    preview = client.get(_url(draft, "constancia/vista-previa.pdf"))
    assert preview.status_code == 200 and preview.data.startswith(b"%PDF")
    assert "VISTA PREVIA" in pdf_text(preview.data)
    assert draft_problems(_stored(draft)) == []


def test_out_of_scope_versions_are_not_found_and_published_ones_say_why(app, app_ctx):
    from portal.accounts.models import AuditEvent
    from portal.extensions import db

    owner = make_staff("admin", "OPAMSS", email="owner@example.sv")
    draft = _draft(owner)
    _admin, client = _admin_client(app, "0511", "ste@example.sv")
    assert client.get(_url(draft, "catalogo")).status_code == 404
    assert client.post(_url(draft, "catalogo"), data={"revision": "1"}).status_code == 404
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(
                AuditEvent.action == "access.denied", AuditEvent.subject == _url(draft, "catalogo")
            )
        )
        == 2
    )
    _owner, own = _admin_client(app, "OPAMSS", "otro@example.sv")
    published = f"/admin/tramites/{draft.procedure_id}/versiones/{draft.version - 1}/editar/campos"
    refused = own.post(published, data={"revision": "1"})
    assert refused.status_code == 409
    assert "ya está publicada: no se puede cambiar" in refused.get_data(as_text=True)


def test_a_certificate_of_its_own_design_is_saved_as_a_layout_and_previews(app, app_ctx):
    from portal.admin.editor_services import draft_problems

    admin, client = _admin_client(app)
    draft = _draft(admin)
    form = _form(client, draft, "constancia")
    form["certificate.layout"] = ["<h1>Constancia de {{ procedure_title }}</h1>"]
    assert client.post(_url(draft, "constancia"), data=form).status_code == 302
    spec = _stored(draft).definition["certificate"]
    assert spec["layout"] == "<h1>Constancia de {{ procedure_title }}</h1>"
    assert "template" not in spec
    assert draft_problems(_stored(draft)) == []
    page = client.get(_url(draft, "constancia")).get_data(as_text=True)
    assert "Constancia de {{ procedure_title }}" in page
    preview = client.get(_url(draft, "constancia/vista-previa.pdf"))
    assert preview.status_code == 200 and "Constancia de" in pdf_text(preview.data)


def test_the_fields_and_workflow_tables_scroll_or_stack_inside_themselves_on_a_phone(app, app_ctx):
    import re
    from pathlib import Path

    admin, client = _admin_client(app)
    draft = _draft(admin)
    for section, count in (("campos", 1), ("flujo", 2)):
        page = client.get(_url(draft, section)).get_data(as_text=True)
        tables = re.findall(r'<table class="([^"]*)"', page)
        assert len(tables) == count and all("app-table--stack" in t for t in tables), tables
    css = (Path(app.static_folder) / "css" / "app.css").read_text()
    phone = css.split("@media (max-width: 40.0525em)")[1].split("\n}\n")[0]
    assert "overflow-x: auto" in phone.split(".app-table--stack")[1]
    assert ".app-table--rows td" in phone


def test_valid_until_is_typed_as_people_write_dates(app, app_ctx):
    admin, client = _admin_client(app)
    draft = _draft(admin)
    form = _form(client, draft, "otros")
    form["validity.months"] = [""]
    form["validity.until"] = ["31/12/2027"]
    assert client.post(_url(draft, "otros"), data=form).status_code == 302
    assert _stored(draft).definition["validity"]["until"] == "2027-12-31"
    assert _form(client, draft, "otros")["validity.until"] == ["31/12/2027"]

    form["validity.until"] = ["31/02/2027"]
    refused = client.post(_url(draft, "otros"), data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'value="31/02/2027"' in page
    assert "febrero" in page.split('id="validity.until-error"')[1][:300]


def _draft_of(admin, authority: str, slug: str):
    """A draft cloned from the newest published version of `authority`'s procedure `slug`."""
    from portal.admin.draft_services import clone_to_draft
    from portal.authorities.models import Authority
    from portal.extensions import db
    from portal.procedures.models import Procedure, ProcedureVersion

    origin = db.session.scalar(
        sa.select(ProcedureVersion)
        .join(Procedure)
        .join(Authority, Authority.id == Procedure.authority_id)
        .where(Procedure.slug == slug, Authority.code == authority)
        .where(ProcedureVersion.status == "published")
        .order_by(ProcedureVersion.version.desc())
    )
    return clone_to_draft(admin, origin.procedure_id, origin.version)


def test_the_certificate_preview_shows_the_procedures_own_authority_and_data(app, app_ctx):
    admin, client = _admin_client(app)
    draft = _draft_of(admin, "OPAMSS", "calificacion-lugar")
    preview = client.get(_url(draft, "constancia/vista-previa.pdf"))
    text = " ".join(pdf_text(preview.data).split())
    assert preview.status_code == 200 and "VISTA PREVIA" in text
    assert "(OPAMSS)" in text and "OPAMSS-2026-000123" in text
    assert "Dirección del inmueble" in text  # one of its own form's questions
    assert "RESOLUCIÓN FAVORABLE CON CONDICIONES" in text  # one of its own states
    for foreign in ("Santa Tecla", "0511", "STE-2026", "Número de cuenta"):
        assert foreign not in text


def test_a_districts_preview_shows_what_its_officers_give(app, app_ctx):
    admin, client = _admin_client(app, "0511", "ste@example.sv")
    draft = _draft_of(admin, "0511", "inscripcion-establecimiento")
    text = " ".join(pdf_text(client.get(_url(draft, "constancia/vista-previa.pdf")).data).split())
    assert "Número de cuenta del contribuyente" in text  # its transition's output
    assert "(0511)" in text and "OPAMSS" not in text
