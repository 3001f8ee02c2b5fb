"""A form save changes only what the form changed: the draft's comments, order and untouched
values stay in its text (issue 11: one save of "Revisión Vial" lost its 29 comment lines)."""

from __future__ import annotations

import difflib

import pytest
import sqlalchemy as sa

from tests.portal.helpers import login, make_staff
from tests.portal.test_admin_editors import _form, _stored, _url

SLUG = "revision-vial-zonificacion"
#: Every form editor section, as the console names them in its URLs.
SECTIONS = (
    "catalogo",
    "campos",
    "documentos",
    "tasas",
    "flujo",
    "avisos",
    "motivos",
    "verificacion",
    "consultas",
    "constancia",
    "otros",
)


def _draft(admin, slug: str = SLUG, authority: str = "OPAMSS"):
    from portal.admin.draft_services import clone_to_draft
    from portal.authorities.models import Authority
    from portal.extensions import db
    from portal.procedures.models import Procedure, ProcedureVersion

    origin = db.session.scalar(
        sa.select(ProcedureVersion)
        .join(Procedure)
        .join(Authority)
        .where(
            Procedure.slug == slug,
            Authority.code == authority,
            ProcedureVersion.status == "published",
        )
        .order_by(ProcedureVersion.version.desc())
    )
    return origin, clone_to_draft(admin, origin.procedure_id, origin.version)


def _comments(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("#")]


def _changes(origin, draft) -> list[str]:
    from portal.admin.services import loaded_definition
    from workflows.diff import diff, summary

    return summary(diff(loaded_definition(origin), loaded_definition(_stored(draft))))


def _admin(app, authority: str = "OPAMSS"):
    admin = make_staff("admin", authority, email="admin@example.sv")
    client = app.test_client()
    login(client, "admin@example.sv")
    return admin, client


def _first_text(form: dict[str, list[str]]) -> str | None:
    """The section's first filled-in Spanish text (a label, a title, a notice), if any."""
    names = (name for name, values in form.items() if name.endswith(".es") and values[0])
    return next(names, None)


@pytest.mark.parametrize(
    ("authority", "slug"),
    [
        ("OPAMSS", SLUG),
        ("OPAMSS", "permiso-construccion"),
        ("APLAN", "licencia-funcionamiento"),
        ("0511", "inscripcion-establecimiento"),
        ("0511", "cierre-establecimiento"),
        ("0511", "permiso-rotulo"),
        ("0614", "inscripcion-establecimiento"),
        ("0617", "permiso-rotulo"),
        ("OPAMSS", "calificacion-lugar"),
        ("OPAMSS", "factibilidad-aguas-lluvias"),
        ("OPAMSS", "linea-construccion"),
        ("OPAMSS", "recepcion-obra"),
    ],
)
def test_saving_every_section_unchanged_leaves_the_text_byte_for_byte(
    app, app_ctx, authority, slug
):
    admin, client = _admin(app, authority)
    origin, draft = _draft(admin, slug, authority)
    text = draft.source
    assert len(_comments(text)) >= 10
    for section in SECTIONS:
        saved = client.post(_url(draft, section), data=_form(client, draft, section))
        assert saved.status_code == 302, (section, saved.get_data(as_text=True)[:300])
        assert _stored(draft).source == text, section
    assert _stored(draft).revision == 1 + len(SECTIONS)
    assert _changes(origin, draft) == []


@pytest.mark.parametrize(
    ("authority", "slug"),
    [("OPAMSS", SLUG), ("OPAMSS", "permiso-construccion"), ("APLAN", "licencia-funcionamiento")],
)
def test_a_change_in_each_section_is_all_that_changes_and_every_comment_stays(
    app, app_ctx, authority, slug
):
    from workflows.source import read_source

    admin, client = _admin(app, authority)
    origin, draft = _draft(admin, slug, authority)
    comments = _comments(draft.source)
    edited = []
    for section in SECTIONS:
        before = _stored(draft)
        text, definition = before.source, before.definition
        form = _form(client, draft, section)
        name = _first_text(form)
        if name is not None:
            form[name] = [form[name][0].strip() + " (revisado)"]
        saved = client.post(_url(draft, section), data=form)
        assert saved.status_code == 302, (section, saved.get_data(as_text=True)[:300])
        after = _stored(draft)
        assert _comments(after.source) == comments, section
        if name is None:  # nothing to write in this procedure's section (no checklist)
            assert after.source == text, section
            edited.append(section)
            continue
        # The data is the old data with that one text changed, nothing else.
        old, new = read_source(text)[0], read_source(after.source)[0]
        changed = _paths_changed(old, new)
        assert len(changed) == 1 and changed[0].endswith(".es"), (section, changed)
        assert _paths_changed(definition, after.definition) == changed
        # The text changes only in the lines of that value.
        edits = [
            line
            for line in difflib.ndiff(text.splitlines(), after.source.splitlines())
            if line[:1] in "+-"
        ]
        assert any("(revisado)" in line for line in edits if line.startswith("+")), section
        assert all(not line[1:].lstrip().startswith("#") for line in edits), section
        edited.append(section)
    assert edited == list(SECTIONS)
    assert _changes(origin, draft)


def _paths_changed(old, new, path: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        keys = [*old, *(key for key in new if key not in old)]
        return [
            changed
            for key in keys
            for changed in _paths_changed(old.get(key), new.get(key), f"{path}.{key}")
        ]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            changed
            for index, (a, b) in enumerate(zip(old, new, strict=True))
            for changed in _paths_changed(a, b, f"{path}[{index}]")
        ]
    return [] if old == new else [path]


def test_an_untouched_reasoned_text_keeps_its_trailing_space(app, app_ctx):
    """Saving the notices unchanged keeps a stored text the form shows trimmed."""
    from portal.admin.draft_services import save_draft_source

    admin, client = _admin(app)
    _origin, draft = _draft(admin)
    # The first reasoned text (a prevention) ends its Spanish with a space.
    ending = 'plazo indicado:\\n{reasons}"'
    assert ending in draft.source
    spaced = draft.source.replace(ending, ending[:-1] + ' "', 1)
    row, _problems = save_draft_source(admin, draft.id, spaced, expected_revision=1)
    assert row is not None and row.revision == 2
    texts = [
        t["reasoned_text"]["es"]
        for t in row.definition["workflow"]["transitions"]
        if "reasoned_text" in t
    ]
    assert texts[0].endswith("{reasons} ") and any(text.endswith("\n") for text in texts)
    definition = row.definition

    form = _form(client, draft, "avisos")
    # A browser posts a textarea's line ends as CRLF; the text is the same.
    form = {key: [value.replace("\n", "\r\n") for value in values] for key, values in form.items()}
    assert client.post(_url(draft, "avisos"), data=form).status_code == 302
    assert _stored(draft).source == spaced
    assert _stored(draft).definition == definition  # the diff to the published one as before


def test_a_draft_without_a_text_is_written_from_its_mapping(app, app_ctx):
    from portal.admin.draft_services import save_draft_definition
    from portal.extensions import db

    admin, _client = _admin(app)
    _origin, draft = _draft(admin)
    draft.source = ""
    db.session.commit()
    data = dict(draft.definition, title={"es": "Revisión Vial", "en": "Road review"})
    row, _problems = save_draft_definition(admin, draft.id, data, expected_revision=1)
    assert row.definition["title"] == {"es": "Revisión Vial", "en": "Road review"}
    assert "title:\n  es: Revisión Vial\n" in row.source and _comments(row.source) == []


TEXT = """# Legal source: Ley de Urbanismo, art. 12.
authority: '0511'
title:
  es: Permiso  # the name on the page
  en: Permit
fields:
  # The owner's name, as in the deed.
  - name: owner
    help: {es: Como en la escritura, en: As in the deed}
    # Asked only of companies (art. 7).
    required: true
  - name: area
    required: true  # in square metres

# Documents: the plans the law asks for (art. 9).
documents:
  - code: plano
old: 1
"""


def _merged(change):
    """`TEXT` written with `change` applied to its data, and the data it reads back as."""
    import copy

    from portal.admin.yaml_merge import merged_source
    from workflows.source import read_source

    before = read_source(TEXT)[0]
    after = copy.deepcopy(before)
    change(after)
    text = merged_source(TEXT, before, after)
    assert read_source(text)[0] == after
    return text


def test_a_merge_updates_adds_at_the_end_and_removes_keeping_the_comments():
    def change(data):
        data["title"]["es"] = "Permiso de obra"
        del data["old"]
        del data["fields"][0]["required"]
        data["fields"][1]["required"] = False
        data["validity"] = {"months": 12, "note": {"es": "0614", "en": "yes"}}

    text = _merged(change)
    assert _comments(text) == _comments(TEXT)
    assert "  es: Permiso de obra # the name on the page\n" in text
    assert "    required: false # in square metres\n" in text  # the comment keeps its column
    assert "old:" not in text
    # New keys go at the end; texts a reader would take for a number or a flag stay texts.
    assert text.endswith("validity:\n  months: 12\n  note:\n    es: '0614'\n    en: 'yes'\n")


def test_a_list_cut_short_keeps_the_comment_heading_the_next_section():
    def change(data):
        del data["fields"][1]
        data["documents"].append({"code": "memoria", "text": "Primera línea\nSegunda\n"})

    text = _merged(change)
    assert "\n# Documents: the plans the law asks for (art. 9).\ndocuments:\n" in text
    assert "name: area" not in text
    assert "    text: |\n      Primera línea\n      Segunda\n" in text


def test_a_merge_without_a_change_gives_back_the_same_text():
    from portal.admin.yaml_merge import merged_source
    from workflows.source import read_source

    data = read_source(TEXT)[0]
    # The loaded definition spells defaults out (`required: false`); no change is no change.
    spelled = dict(data, extra_default=False)
    assert merged_source(TEXT, spelled, dict(spelled)) == TEXT
    assert merged_source("- no es un mapa\n", {}, {"a": 1}) is None
