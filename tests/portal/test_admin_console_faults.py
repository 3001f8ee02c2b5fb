"""Faults a newcomer found in the admin console, each tested by its kind: rows left blank or
half filled, money written as the seeded definitions write it, published versions that cannot
change, sizes in the editor's unit, a draft with no changes, comments that stay with their item.
"""

from __future__ import annotations

import re

import pytest

from tests.portal.test_admin_editors import _admin_client, _draft, _form, _stored, _url


def _version_url(row, action: str = "") -> str:
    base = f"/admin/tramites/{row.procedure_id}/versiones/{row.version}"
    return f"{base}/{action}" if action else base


def _added(client, draft, section: str, path: str) -> tuple[dict, str]:
    """The section's form after "Añadir" on the list `path`, and the new row's prefix."""
    form = _form(client, draft, section)
    added = client.post(_url(draft, section), data={**form, "op": f"add:{path}"})
    assert added.status_code == 302
    assert f"anadir={path}" in added.headers["Location"]
    form = _form(client, draft, section, added.headers["Location"])
    rows = {int(m.group(1)) for k in form if (m := re.match(re.escape(path) + r"\[(\d+)\]\.", k))}
    return form, f"{path}[{max(rows)}]"


# --- 1. A row added and left blank is dropped; one half filled is refused at its inputs ----

LISTS = [
    # (section, list, an input typed alone, the inputs then refused)
    ("tasas", "fees", "code", ("label.es", "amount")),
    ("campos", "fields", "name", ("label.es",)),
    ("documentos", "documents", "code", ("title.es",)),
    ("flujo", "workflow.transitions", "action", ("to", "label.es")),
    ("consultas", "opinions", "code", ("name.es", "business_days")),
    ("verificacion", "inspection.checklist", "code", ("label.es",)),
    ("motivos", "reasons", "code", ("label.es",)),
    ("flujo", "workflow.states", "code", ("label.es",)),
]


@pytest.mark.parametrize(("section", "path", "typed", "refused"), LISTS)
def test_a_row_added_and_left_blank_is_dropped_and_one_half_filled_is_refused_at_it(
    app, app_ctx, section, path, typed, refused
):
    from portal.admin.editor_services import draft_definition, draft_problems

    admin, client = _admin_client(app)
    draft = _draft(admin)
    before = _stored(draft)
    definition = before.definition
    form, at = _added(client, draft, section, path)
    assert _stored(draft).definition == definition  # adding a row stores nothing new

    saved = client.post(_url(draft, section), data=form)  # the new row left as drawn
    assert saved.status_code == 302
    row = _stored(draft)
    assert row.definition == definition
    assert draft_definition(row) is not None and draft_problems(row) == []

    form[f"{at}.{typed}"] = ["nuevo_dato"]
    answer = client.post(_url(draft, section), data=form)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    for name in refused:
        message = page.split(f'id="{at}.{name}-error"')[1][:300]
        assert "Falta este dato: escríbalo, o quite la fila con «Quitar»" in message
    assert 'value="nuevo_dato"' in page
    assert _stored(draft).revision == row.revision  # nothing stored
    assert draft_definition(_stored(draft)) is not None


def test_a_fee_row_refused_then_completed_is_saved_and_the_draft_publishes(app, app_ctx):
    from portal.admin.editor_services import draft_problems

    admin, client = _admin_client(app)
    draft = _draft(admin)
    form, at = _added(client, draft, "tasas", "fees")
    form.update({f"{at}.code": ["tasa_copia"], f"{at}.label.es": ["Copia certificada"]})
    assert client.post(_url(draft, "tasas"), data=form).status_code == 400
    form.update({f"{at}.label.en": ["Certified copy"], f"{at}.amount": ["1500.5"]})
    assert client.post(_url(draft, "tasas"), data=form).status_code == 302
    row = _stored(draft)
    assert row.definition["fees"][-1]["code"] == "tasa_copia"
    assert draft_problems(row) == []


# --- 2. Money is written with two decimals, and reads back the same ------------------------


def test_an_amount_typed_in_the_fees_editor_is_written_with_its_cents(app, app_ctx):
    from workflows.source import read_source

    admin, client = _admin_client(app)
    draft = _draft(admin)
    form = _form(client, draft, "tasas")
    assert form["fees[0].amount"] == ["50.00"]  # shown as the definition writes it
    form["fees[0].amount"] = ["1500.5"]
    assert client.post(_url(draft, "tasas"), data=form).status_code == 302
    row = _stored(draft)
    assert "    amount: 1500.50\n" in row.source
    assert read_source(row.source)[0]["fees"][0]["amount"] == 1500.5
    assert _form(client, draft, "tasas")["fees[0].amount"] == ["1500.50"]


def test_money_written_anew_or_merged_keeps_two_decimals_and_reads_back_the_same():
    from portal.admin.draft_services import dump_definition
    from portal.admin.editor_rows import Money
    from portal.admin.yaml_merge import merged_source
    from workflows.source import read_source

    source = "fees:\n  - code: a  # the fee\n    amount: 50.00\n    base: 273\n"
    before = read_source(source)[0]
    after = {"fees": [dict(before["fees"][0], amount=Money("1500.5"), base=Money(273))]}
    text = merged_source(source, before, after)
    assert text == "fees:\n  - code: a  # the fee\n    amount: 1500.50\n    base: 273\n"
    assert read_source(text)[0] == {"fees": [{"code": "a", "amount": 1500.5, "base": 273}]}
    written = dump_definition({"amount": Money(12), "rate": Money("0.1")})
    assert written == "amount: 12.00\nrate: 0.10\n"
    assert read_source(written)[0] == {"amount": 12, "rate": 0.1}


# --- 3. A published version cannot change: every edit URL says so and offers a draft -------


def test_every_edit_url_of_a_published_version_explains_and_offers_a_draft(app, app_ctx):
    from portal.extensions import db
    from portal.procedures.models import ProcedureVersion

    admin, client = _admin_client(app)
    draft = _draft(admin)
    published = db.session.get(ProcedureVersion, draft.id).procedure.versions[-2]
    assert published.status == "published"
    source = published.source
    answers = [
        client.get(_url(published, "campos")),
        client.post(_url(published, "tasas"), data={"revision": "1"}),
        client.post(_url(published, "tasas") + "/estimacion", data={}),
        client.post(_version_url(published, "yaml"), data={"source": "x: 1", "revision": "1"}),
    ]
    for answer in answers:
        page = answer.get_data(as_text=True)
        assert answer.status_code == 409
        assert f"La versión {published.version} ya está publicada: no se puede cambiar" in page
        assert f"Ir al borrador versión {draft.version}" in page
    assert f'href="{_url(draft, "campos")}"' in answers[0].get_data(as_text=True)
    assert _stored(published).source == source

    # Without a draft, the page offers to start one from the version.
    from portal.admin.lifecycle_services import delete_draft

    delete_draft(admin, draft.procedure_id, draft.version)
    page = client.get(_url(published, "campos"))
    assert page.status_code == 409
    text = page.get_data(as_text=True)
    assert "Crear un borrador a partir de esta versión" in text
    assert f'action="{_version_url(published, "borrador")}"' in text
    # The YAML view of a published version still shows its text, with the same offer.
    view = client.get(_version_url(published, "yaml"))
    assert view.status_code == 200
    assert f'action="{_version_url(published, "borrador")}"' in view.get_data(as_text=True)


# --- 4. File sizes in MB, as the document editor speaks of them ----------------------------


def test_a_file_size_problem_speaks_of_mb_at_the_editors_input(app, app_ctx):
    admin, client = _admin_client(app)
    draft = _draft(admin)
    text = draft.source.replace("max_bytes: 10485760", "max_bytes: 99999999999", 1)
    assert text != draft.source
    saved = client.post(_version_url(draft, "yaml"), data={"source": text, "revision": "1"})
    assert saved.status_code == 302
    said = "El tamaño máximo del archivo debe ser mayor que 0 MB y no pasar de 30 MB."
    for page in (
        client.get(_version_url(draft, "yaml")),
        client.get(_version_url(draft, "publicar")),
    ):
        shown = page.get_data(as_text=True)
        assert said in shown and "31,457,280" not in shown and "31457280" not in shown
    editor = client.get(_url(draft, "documentos")).get_data(as_text=True)
    assert said in editor.split('id="documents[0].max_mb-error"')[1][:300]


def test_sizes_are_told_in_mb_never_rounded_up():
    from forms.messages import megabytes, problem_message
    from workflows.problems import Problem

    assert [megabytes(n) for n in (10485760, 1572864, 1000000, 31457280)] == [
        "10",
        "1.5",
        "0.95",
        "30",
    ]
    problem = Problem(
        "documents[1].max_bytes",
        "out_of_range",
        "",
        (("variant", "between"), ("min", 1), ("max", 31457280)),
    )
    assert "no pasar de 30 MB" in problem_message(problem)


# --- 5. A draft with no changes is published only when the admin says so -----------------


def test_a_retired_procedure_is_reopened_by_publishing_its_copy_without_a_confirmation(
    app, app_ctx
):
    from datetime import timedelta

    from portal.admin.lifecycle_services import retire_version, unchanged_from
    from portal.applications.effects import local_now
    from portal.extensions import db
    from portal.procedures.models import ProcedureVersion

    admin, client = _admin_client(app)
    draft = _draft(admin)
    in_force = draft.version - 1
    assert unchanged_from(draft).version == in_force
    retire_version(admin, draft.procedure_id, in_force)
    assert unchanged_from(_stored(draft)) is None  # nothing in force: nothing to compare
    page = client.get(_version_url(draft, "publicar")).get_data(as_text=True)
    assert "no tiene cambios respecto de la versión" not in page
    tomorrow = local_now().date() + timedelta(days=1)
    form = {"valid_from": [str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)]}
    answer = client.post(_version_url(draft, "publicar"), data={**form, "revision": "1"})
    assert answer.status_code == 302
    assert db.session.get(ProcedureVersion, draft.id).status == "published"


# --- 6. Removing a field in the middle: every comment stays with its own field -------------


def test_removing_a_field_in_the_middle_keeps_each_comment_with_its_field(app, app_ctx):
    from portal.admin.draft_services import save_draft_source
    from tests.portal.test_admin_draft_comments import _draft as _commented_draft

    admin, client = _admin_client(app)
    _origin, draft = _commented_draft(admin)
    text = draft.source.replace(
        "  - name: tipo_proyecto\n", "  # Kind of project [own note]\n  - name: tipo_proyecto\n", 1
    ).replace(
        "  - name: numero_lotes\n", "  # Lots: goes with its field\n  - name: numero_lotes\n", 1
    )
    save_draft_source(admin, draft.id, text, expected_revision=1)
    form = _form(client, draft, "campos")
    names = [form[f"fields[{i}].name"][0] for i in range(len(_stored(draft).definition["fields"]))]
    removed = names.index("numero_lotes")
    answer = client.post(_url(draft, "campos"), data={**form, "op": f"remove:fields:{removed}"})
    assert answer.status_code == 302
    source = _stored(draft).source
    assert "- name: numero_lotes" not in source
    assert "# Lots: goes with its field" not in source
    assert "  # Kind of project [own note]\n  - name: tipo_proyecto\n" in source
    heading = "  # resolution. Optional when filing; required to leave the external consultation"
    after_heading = source.split(heading)[1].split("\n")[1]
    assert after_heading == "  - name: marn_numero"
    lines = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert [line for line in source.splitlines() if line.lstrip().startswith("#")] == [
        line for line in lines if "Lots: goes with its field" not in line
    ]
