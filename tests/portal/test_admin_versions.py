"""The version lifecycle in the admin console: publish, retire, copy, compare, export, import."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import sqlalchemy as sa

from tests.portal.helpers import login, logout, make_applicant, make_staff, start, submit
from workflows.source import MAX_BYTES

SLUG = "calificacion-lugar"


def _draft(admin_email: str = "admin@example.sv"):
    """An OPAMSS admin and a draft cloned from the newest published Calificación de Lugar."""
    from portal.admin.draft_services import clone_to_draft
    from portal.procedures.services import get_procedure

    admin = make_staff("admin", "OPAMSS", email=admin_email)
    procedure = get_procedure("OPAMSS", SLUG)
    newest = max(v.version for v in procedure.versions if v.status == "published")
    return admin, clone_to_draft(admin, procedure.id, newest)


def _url(row, action: str = "") -> str:
    base = f"/admin/tramites/{row.procedure_id}/versiones/{row.version}"
    return f"{base}/{action}" if action else base


def _date_fields(day) -> dict:
    return {"valid_from": [str(day.day), str(day.month), str(day.year)]}


def test_export_then_import_reproduces_the_draft_exactly(client, app_ctx):
    from portal.admin.draft_services import save_draft_source
    from portal.extensions import db
    from portal.procedures.models import ProcedureVersion

    admin, draft = _draft()
    # Trailing blanks, a tab, accents and no final newline: all must come back as they were.
    odd = draft.source.rstrip("\n") + "\n# revisión: «año» \t\n#  fin   "
    saved, _ = save_draft_source(admin, draft.id, odd, expected_revision=1)
    number = saved.version
    login(client, "admin@example.sv")
    for formato in ("yaml", "json"):
        exported = client.get(
            f"/admin/tramites/{saved.procedure_id}/exportar",
            query_string={"version": number, "formato": formato},
        )
        assert exported.status_code == 200
        assert "attachment" in exported.headers["Content-Disposition"]
        assert b"ventanilla-procedure/1" in exported.data
        assert client.post(_url(saved, "eliminar")).status_code == 302
        assert (
            db.session.scalar(sa.select(ProcedureVersion).where(ProcedureVersion.id == saved.id))
            is None
        )
        answer = _import(client, exported.data, f"export.{formato}")
        assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
        db.session.expire_all()
        imported = db.session.scalar(
            sa.select(ProcedureVersion).where(
                ProcedureVersion.procedure_id == saved.procedure_id,
                ProcedureVersion.status == "draft",
            )
        )
        assert (imported.version, imported.source) == (number, odd)
        assert imported.source.encode() == odd.encode()
        saved = imported

    # A file of another format version, or a hostile one, is refused at the field.
    wrong = exported.data.replace(b"ventanilla-procedure/1", b"ventanilla-procedure/9")
    bomb = b"format: ventanilla-procedure/1\n" + b"a: " + b"[" * 100 + b"]" * 100 + b"\n"
    for content, message in (
        (wrong, "no es una exportación de trámite de este portal"),
        (bomb, "No se pudo leer el archivo: El texto anida demasiados niveles."),
        (b"#" * (MAX_BYTES + 1), "El texto es demasiado grande"),
    ):
        page = _import(client, content, "otro.json")
        assert page.status_code == 422
        assert message in page.get_data(as_text=True)


def test_an_export_reads_back_any_text_exactly():
    from portal.admin.transfer_services import dump_export
    from workflows.source import read_source

    texts = ["a:\n  b: 1\n", "sin salto final  ", "x:\r\n\ty\u2028z\x85\u2029😀\n\n\n", "'\"|>#"]
    for as_json in (False, True):
        payload = {"format": "ventanilla-procedure/1", "versions": [{"source": t} for t in texts]}
        data, problems = read_source(dump_export(payload, as_json=as_json))
        assert problems == [] and [v["source"] for v in data["versions"]] == texts


def test_an_invalid_draft_cannot_be_published_and_says_why_in_spanish(client, app_ctx):
    from portal.admin.draft_services import save_draft_source

    admin, draft = _draft()
    broken = draft.source.replace("to: favorable\n", "to: aprobadisimo\n", 1)
    save_draft_source(admin, draft.id, broken, expected_revision=1)
    login(client, "admin@example.sv")

    expert = client.get(_url(draft, "yaml")).get_data(as_text=True)
    assert "Este estado no existe en el flujo." in expert
    assert "<code>workflow.transitions[" in expert and "aprobadisimo" in expert
    page = client.get(_url(draft, "publicar")).get_data(as_text=True)
    assert "Este estado no existe en el flujo." in page
    assert "Flujo › Acción" in page and "› Hacia</strong>" in page
    assert 'disabled aria-disabled="true"' in page
    tomorrow = _today() + timedelta(days=1)
    refused = client.post(_url(draft, "publicar"), data={**_date_fields(tomorrow), "revision": "2"})
    assert refused.status_code == 422
    assert "Este estado no existe en el flujo." in refused.get_data(as_text=True)
    assert _status(draft.id) == "draft"
    # A day already gone is refused at the field.
    fixed = client.post(_url(draft, "yaml"), data={"source": draft.source, "revision": "2"})
    assert fixed.status_code == 302
    past = client.post(
        _url(draft, "publicar"),
        data={**_date_fields(_today() - timedelta(days=1)), "revision": "3"},
    )
    assert past.status_code == 422
    assert "La fecha no puede ser anterior a hoy." in past.get_data(as_text=True)
    assert _status(draft.id) == "draft"


def test_a_save_over_someone_elses_answers_409_and_keeps_the_text(client, app, app_ctx):
    _admin, draft = _draft()
    make_staff("admin", "OPAMSS", email="otra@example.sv")
    first = app.test_client()
    login(first, "otra@example.sv")
    assert (
        first.post(
            _url(draft, "yaml"), data={"source": draft.source + "\n# uno\n", "revision": "1"}
        ).status_code
        == 302
    )
    login(client, "admin@example.sv")
    mine = draft.source + "\n# mis cambios, que no deben perderse\n"
    answer = client.post(_url(draft, "yaml"), data={"source": mine, "revision": "1"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Otra persona guardó este borrador a las" in page
    assert "Sus cambios no se guardaron: cópielos" in page
    assert "# mis cambios, que no deben perderse" in page
    assert f'href="{_url(draft, "yaml")}"' in page
    assert _source(draft.id).endswith("# uno\n")


def test_a_municipal_admin_gets_404_audited_on_another_municipios_procedures(client, app_ctx):
    from portal.accounts.models import AuditEvent
    from portal.extensions import db
    from portal.procedures.services import get_procedure

    _admin, draft = _draft()
    make_staff("admin", "M-SSC", email="admin.ssc@example.sv")
    login(client, "admin.ssc@example.sv")
    others = [draft, *get_procedure("0511", "inscripcion-establecimiento").versions[:1]]
    paths = []
    for row in others:
        base = f"/admin/tramites/{row.procedure_id}"
        paths += [("GET", _url(row)), ("GET", f"{_url(row)}/diagrama.es.svg")]
        paths += [("GET", f"{base}/comparar?de=1&a=2"), ("GET", f"{base}/exportar")]
        for action in ("clonar", "retirar", "eliminar", "publicar", "yaml"):
            paths += [("GET", _url(row, action)), ("POST", _url(row, action))]
        paths.append(("POST", _url(row, "borrador")))
    for method, path in paths:
        before = _denials(path)
        assert client.open(path, method=method, data={}).status_code == 404, (method, path)
        assert _denials(path) == before + 1, f"{method} {path} was not audited"
    assert "Calificación de Lugar" not in client.get("/admin/tramites/").get_data(as_text=True)
    # A published procedure of another authority is public: it may be copied into theirs,
    # but naming another authority's draft is refused as if it did not exist.
    mejicanos = db.session.scalar(sa.text("SELECT id FROM authorities WHERE code = '0608'"))
    santa_tecla = get_procedure("0511", "inscripcion-establecimiento")
    copied = client.post(
        "/admin/tramites/copiar",
        data={
            "source": f"{santa_tecla.id}:{santa_tecla.versions[-1].version}",
            "authority": str(mejicanos),
        },
    )
    assert copied.status_code == 302
    assert get_procedure("0608", "inscripcion-establecimiento").versions[0].status == "draft"
    before = _denials("/admin/tramites/copiar")
    hidden = client.post(
        "/admin/tramites/copiar",
        data={"source": f"{draft.procedure_id}:{draft.version}", "authority": str(mejicanos)},
    )
    assert hidden.status_code == 404 and _denials("/admin/tramites/copiar") == before + 1
    # Nor can a file be imported into another municipio.
    exported = _export_as_opamss(draft)
    login(client, "admin.ssc@example.sv")
    page = _import(client, exported, "x.yaml")
    assert page.status_code == 422 and "que usted no administra" in page.get_data(as_text=True)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "procedure.imported")
        )
        == 0
    )


def test_publish_for_a_future_day_keeps_filed_cases_and_new_ones_follow_the_date(client, app_ctx):
    from portal.applications.models import Application
    from portal.extensions import db
    from portal.procedures.models import ProcedureVersion

    _admin, draft = _draft()
    make_applicant()
    login(client, "ana@example.sv")
    old_case = start(client, token="caso-antes-de-publicar-0001")
    assert submit(client, old_case).status_code == 302
    logout(client)

    login(client, "admin@example.sv")
    page = client.get(_url(draft, "publicar")).get_data(as_text=True)
    in_force = draft.version - 1
    said = f"Este borrador no tiene cambios respecto de la versión {in_force} en vigor."
    assert said in page
    assert 'disabled aria-disabled="true"' not in page
    tomorrow = _today() + timedelta(days=1)
    form = {**_date_fields(tomorrow), "revision": "1"}
    # The same text for another day is published only when the admin says so, at the box.
    refused = client.post(_url(draft, "publicar"), data=form)
    assert refused.status_code == 422
    at_box = refused.get_data(as_text=True).split('id="unchanged-error"')[1][:400]
    assert "marque «Publicarla igualmente, sin cambios»" in at_box
    assert db.session.get(ProcedureVersion, draft.id).status == "draft"
    form["unchanged"] = "y"
    assert client.post(_url(draft, "publicar"), data=form).status_code == 302
    assert client.post(_url(draft, "publicar"), data=form).status_code == 302  # twice is once
    row = db.session.get(ProcedureVersion, draft.id)
    assert (row.status, row.valid_from) == ("published", tomorrow)
    listing = client.get("/admin/tramites/").get_data(as_text=True)
    assert f"vigente desde el {tomorrow:%d/%m/%Y}" in listing
    table = listing[listing.index("Calificación de Lugar") :].split("</table>")[0]
    counts = dict(re.findall(r'>Versión (\d+)</a></th>.*?"Expedientes">(\d+)<', table, re.S))
    assert counts[str(draft.version - 1)] == "1" and counts[str(draft.version)] == "0"
    logout(client)

    login(client, "ana@example.sv")
    today_case = start(client, token="caso-presentado-hoy-0001")
    row.valid_from = _today()  # the day came (the portal reads the machine's clock)
    db.session.commit()
    next_case = start(client, token="caso-desde-la-fecha-0001")
    db.session.expire_all()
    versions = {a.id: a.procedure_version_id for a in db.session.query(Application).all()}
    assert versions[old_case] != draft.id and versions[today_case] != draft.id
    assert versions[next_case] == draft.id
    assert versions[old_case] == versions[today_case]


def test_retire_copy_and_compare(client, app_ctx):
    from portal.admin.draft_services import save_draft_source
    from portal.admin.lifecycle_services import compare_versions
    from portal.extensions import db
    from portal.procedures.models import Procedure, ProcedureVersion

    admin, draft = _draft()
    published = draft.version - 1
    save_draft_source(admin, draft.id, draft.source + "# copia\n", expected_revision=1)
    login(client, "admin@example.sv")
    assert client.post(_url(draft, "borrador")).status_code == 302  # the same draft again
    authority = db.session.scalar(sa.text("SELECT id FROM authorities WHERE code = '0511'"))
    for _ in range(2):  # a second click answers the same copy
        answer = client.post(_url(draft, "clonar"), data={"authority": str(authority)})
        assert answer.status_code == 302
    copy = db.session.scalar(
        sa.select(ProcedureVersion)
        .join(Procedure)
        .where(Procedure.authority_id == authority, Procedure.slug == SLUG)
    )
    assert (copy.version, copy.status) == (1, "draft")
    assert "authority: '0511'\n" in copy.source and "version: 1\n" in copy.source
    assert copy.source.endswith("# copia\n")
    older = _url(draft).replace(f"/versiones/{draft.version}", f"/versiones/{published}")
    taken = client.post(f"{older}/clonar", data={"authority": str(authority)})
    assert taken.status_code == 422
    assert "ya tiene un trámite «calificacion-lugar»" in taken.get_data(as_text=True)

    page = client.get(
        f"/admin/tramites/{draft.procedure_id}/comparar",
        query_string={"de": published, "a": draft.version},
    )
    assert page.status_code == 200
    assert f"De la versión {published} a la versión {draft.version}" in page.get_data(as_text=True)
    english = compare_versions(admin, draft.procedure_id, published, draft.version, "en")
    spanish = compare_versions(admin, draft.procedure_id, published, draft.version, "es")
    assert english == [] == spanish  # a comment is no change of content, in either language
    assert client.get(_url(copy, "retirar")).status_code == 200
    assert client.post(_url(copy, "retirar")).status_code == 422  # a draft is deleted instead


def _import(client, content: bytes, name: str):
    """Upload a file to the import page, encoded in memory (the test client would spill a
    large body to a temporary file that it does not always close)."""
    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    upload = FileStorage(io.BytesIO(content), filename=name, content_type="application/yaml")
    boundary, body = encode_multipart(MultiDict({"file": upload}))
    return client.post(
        "/admin/tramites/importar",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _today():
    from portal.applications.effects import local_now

    return local_now().date()


def _status(version_id: int) -> str:
    from portal.extensions import db
    from portal.procedures.models import ProcedureVersion

    db.session.expire_all()
    return db.session.get(ProcedureVersion, version_id).status


def _source(version_id: int) -> str:
    from portal.extensions import db
    from portal.procedures.models import ProcedureVersion

    db.session.expire_all()
    return db.session.get(ProcedureVersion, version_id).source


def _denials(path: str) -> int:
    from portal.accounts.models import AuditEvent
    from portal.extensions import db

    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "access.denied", AuditEvent.subject == path.split("?")[0]
        )
    )


def _export_as_opamss(draft) -> bytes:
    from portal.accounts.models import User
    from portal.admin.transfer_services import export_procedure
    from portal.extensions import db

    admin = db.session.scalar(sa.select(User).where(User.email == "admin@example.sv"))
    return export_procedure(admin, draft.procedure_id, draft.version)[1].encode()


def test_an_import_renumbered_changes_only_its_version_line(app_ctx):
    from portal.admin.draft_services import dump_definition
    from portal.admin.transfer_services import export_procedure, import_procedure_file
    from portal.procedures.services import get_procedure

    admin = make_staff("admin", "0511", email="admin0511@example.sv")
    procedure = get_procedure("0511", "inscripcion-establecimiento")
    newest = max(procedure.versions, key=lambda v: v.version)
    _name, exported = export_procedure(admin, procedure.id, newest.version)
    draft, renumbered = import_procedure_file(admin, exported.encode())
    assert renumbered and draft.version == newest.version + 1
    expected = re.sub(
        r"^version:.*$", f"version: {draft.version}", newest.source, count=1, flags=re.M
    )
    assert draft.source == expected
    assert 'authority: "0511"' in draft.source
    # When a mapping must be written out, texts that look like numbers stay quoted.
    assert "authority: '0511'" in dump_definition({"authority": "0511", "code": "0811"})
    assert "code: '0811'" in dump_definition({"code": "0811"})
