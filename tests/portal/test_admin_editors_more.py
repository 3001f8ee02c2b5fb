"""Editing the review's catalogues of a draft in forms: the reasons for corrections and
denials, the inspection's checklist and the institutions consulted for an opinion."""

from __future__ import annotations

import copy

import sqlalchemy as sa

from tests.portal.test_admin_editors import _admin_client, _form, _stored, _url
from tests.portal.test_admin_editors import _draft as _cloned

SLUG = "permiso-construccion"


def _draft(admin):
    return _cloned(admin, SLUG)


def _loads_as(row, expected: dict) -> None:
    """The saved draft validates, and its text (the YAML view's) loads to `expected`."""
    import workflows
    from portal.admin.editor_services import draft_problems
    from workflows.source import read_source

    assert draft_problems(row) == []
    data, unreadable = read_source(row.source)
    assert unreadable == []
    assert workflows.load(data).to_dict() == expected == row.definition


def _stale_is_refused(client, draft, section: str, form: dict, name: str, typed: str) -> None:
    """A form drawn from an older revision is refused with 409, what was typed kept."""
    before = _stored(draft).definition
    stale = client.post(_url(draft, section), data={**form, name: [typed]})
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Usted guardó este borrador en otra pestaña o ventana" in page
    assert f'value="{typed}"' in page
    assert _stored(draft).definition == before


def test_reasons_are_edited_added_moved_and_removed_and_the_draft_still_loads(app, app_ctx):
    from portal.accounts.models import AuditEvent
    from portal.extensions import db

    admin, client = _admin_client(app)
    draft = _draft(admin)
    original = copy.deepcopy(draft.definition)
    first = _form(client, draft, "motivos")
    assert first["reasons[0].code"] == ["documento_ilegible"]
    assert first["reasons[3].for"] == ["correction", "denial"]
    assert first["reasons[0].items"] == ["documents"]

    form = copy.deepcopy(first)
    form["reasons[0].label.es"] = ["Documento ilegible o incompleto"]
    form["reasons[0].items"] = []  # it now fits every item
    form["reasons[3].for"] = ["denial"]
    assert client.post(_url(draft, "motivos"), data=form).status_code == 302
    row = _stored(draft)
    expected = copy.deepcopy(original)
    expected["reasons"][0]["label"]["es"] = "Documento ilegible o incompleto"
    del expected["reasons"][0]["items"]
    expected["reasons"][3]["for"] = ["denial"]
    _loads_as(row, expected)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(
                AuditEvent.action == "procedure.draft_saved"
            )
        )
        == 1
    )

    # A new row: added, then filled, moved up to first, and an old one removed.
    form = _form(client, draft, "motivos")
    added = client.post(_url(draft, "motivos"), data={**form, "op": "add:reasons"})
    assert added.status_code == 302
    form = _form(client, draft, "motivos", added.headers["Location"])
    last = len(expected["reasons"])
    form.update(
        {
            f"reasons[{last}].code": ["plano_sin_curvas_nivel"],
            f"reasons[{last}].label.es": ["Plano sin curvas de nivel"],
            f"reasons[{last}].label.en": ["Plan without contour lines"],
            f"reasons[{last}].for": ["correction"],
            f"reasons[{last}].items": ["documents"],
        }
    )
    assert client.post(_url(draft, "motivos"), data=form).status_code == 302
    for step in range(last, 0, -1):
        form = _form(client, draft, "motivos")
        client.post(_url(draft, "motivos"), data={**form, "op": f"up:reasons:{step}"})
    form = _form(client, draft, "motivos")
    client.post(_url(draft, "motivos"), data={**form, "op": "remove:reasons:2"})
    new = {
        "code": "plano_sin_curvas_nivel",
        "label": {"es": "Plano sin curvas de nivel", "en": "Plan without contour lines"},
        "for": ["correction"],
        "items": ["documents"],
    }
    expected["reasons"] = [new, expected["reasons"][0], *expected["reasons"][2:]]
    _loads_as(_stored(draft), expected)

    _stale_is_refused(client, draft, "motivos", first, "reasons[0].label.es", "Texto viejo")


def test_a_reason_mistake_is_told_at_its_input_in_spanish_with_what_was_typed(app, app_ctx):
    admin, client = _admin_client(app)
    draft = _draft(admin)
    form = _form(client, draft, "motivos")
    form["reasons[1].code"] = ["Documento Vencido"]
    form["reasons[2].for"] = []
    saved = client.post(_url(draft, "motivos"), data=form, follow_redirects=True)
    page = saved.get_data(as_text=True)
    assert "con 2 problemas: se muestran junto a lo que afectan" in page
    assert 'value="Documento Vencido"' in page
    at_code = page.split('id="reasons[1].code-error"')[1][:200]
    assert "El valor no tiene el formato esperado." in at_code
    at_uses = page.split('id="reasons[2].for-error"')[1][:200]
    assert "No puede quedar vacío." in at_uses
    menu = page.split('aria-label="Secciones del borrador"')[1].split("</nav>")[0]
    reasons_item = menu.split("Motivos de corrección y denegación")[1].split("</li>")[0]
    assert "2 problemas" in reasons_item
    assert _stored(draft).definition["reasons"][1]["code"] == "Documento Vencido"

    from flask_babel import refresh

    client.post("/idioma/en", data={"next": "/"})
    refresh()  # the requests share this test's app context, where Babel keeps the language
    english = client.get(_url(draft, "motivos")).get_data(as_text=True)
    assert "Reasons for corrections and denials" in english and "Offered when" in english
    assert "The value does not have the expected format." in english


def test_the_inspection_checklist_is_edited_and_a_repeated_code_is_told_at_it(app, app_ctx):
    admin, client = _admin_client(app)
    draft = _draft(admin)
    original = copy.deepcopy(draft.definition)
    first = _form(client, draft, "verificacion")
    assert first["inspection.checklist[2].code"] == ["uso_suelo"]

    form = copy.deepcopy(first)
    form["inspection.checklist[2].label.es"] = ["El uso coincide con la calificación vigente"]
    form["op"] = ["down:inspection.checklist:0"]
    assert client.post(_url(draft, "verificacion"), data=form).status_code == 302
    expected = copy.deepcopy(original)
    checklist = expected["inspection"]["checklist"]
    checklist[2]["label"]["es"] = "El uso coincide con la calificación vigente"
    checklist[0], checklist[1] = checklist[1], checklist[0]
    _loads_as(_stored(draft), expected)

    form = _form(client, draft, "verificacion")
    added = client.post(
        _url(draft, "verificacion"), data={**form, "op": "add:inspection.checklist"}
    )
    form = _form(client, draft, "verificacion", added.headers["Location"])
    at = f"inspection.checklist[{len(checklist)}]"
    form.update(
        {f"{at}.code": ["accesos"], f"{at}.label.es": ["Rampas"], f"{at}.label.en": ["Ramps"]}
    )
    saved = client.post(_url(draft, "verificacion"), data=form, follow_redirects=True)
    page = saved.get_data(as_text=True)
    assert "con 1 problema: se muestra junto a lo que afecta" in page
    message = page.split(f'id="{at}.code-error"')[1][:200]
    assert "Este código ya se usa en otro elemento de la lista." in message
    assert 'value="Rampas"' in page

    _stale_is_refused(client, draft, "verificacion", first, "inspection.checklist[0].label.es", "X")


def test_institutions_consulted_are_edited_and_a_word_for_days_is_refused_at_it(app, app_ctx):
    admin, client = _admin_client(app)
    draft = _draft(admin)
    original = copy.deepcopy(draft.definition)
    first = _form(client, draft, "consultas")
    assert first["opinions[0].code"] == ["marn"] and first["opinions[0].suspends_clock"] == ["1"]
    assert "opinions[2].suspends_clock" not in first

    form = copy.deepcopy(first)
    form["opinions[1].business_days"] = ["diez"]
    refused = client.post(_url(draft, "consultas"), data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert 'value="diez"' in page
    assert "Escriba un número con cifras" in page.split('id="opinions[1].business_days-error"')[1]
    assert _stored(draft).revision == 1

    form["opinions[1].business_days"] = ["25"]
    del form["opinions[0].suspends_clock"]
    form["opinions[2].suspends_clock"] = ["1"]
    form["opinions[3].name.es"] = ["Distribuidora de energía eléctrica"]
    assert client.post(_url(draft, "consultas"), data=form).status_code == 302
    expected = copy.deepcopy(original)
    expected["opinions"][1]["business_days"] = 25
    expected["opinions"][0]["suspends_clock"] = False
    expected["opinions"][2]["suspends_clock"] = True
    expected["opinions"][3]["name"]["es"] = "Distribuidora de energía eléctrica"
    _loads_as(_stored(draft), expected)

    # Out of range: saved with the problem at the input.
    form = _form(client, draft, "consultas")
    form["opinions[0].business_days"] = ["400"]
    page = client.post(_url(draft, "consultas"), data=form, follow_redirects=True)
    message = page.get_data(as_text=True).split('id="opinions[0].business_days-error"')[1]
    assert "El número debe estar entre 1 y 365." in message[:200]

    _stale_is_refused(client, draft, "consultas", first, "opinions[0].name.es", "MARN viejo")


def test_the_yaml_view_takes_back_what_the_forms_saved(app, app_ctx):
    admin, client = _admin_client(app)
    draft = _draft(admin)
    form = _form(client, draft, "consultas")
    form["opinions[0].business_days"] = ["30"]
    assert client.post(_url(draft, "consultas"), data=form).status_code == 302
    row = _stored(draft)
    source, revision, definition = row.source, row.revision, copy.deepcopy(row.definition)
    yaml_url = f"/admin/tramites/{draft.procedure_id}/versiones/{draft.version}/yaml"
    assert "business_days: 30" in client.get(yaml_url).get_data(as_text=True)
    saved = client.post(yaml_url, data={"source": source, "revision": str(revision)})
    assert saved.status_code == 302
    again = _stored(draft)
    assert again.revision == revision + 1 and again.definition == definition
    assert _form(client, draft, "consultas")["opinions[0].business_days"] == ["30"]
