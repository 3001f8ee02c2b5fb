"""The clerk's case page: each item beside its verdict, what changed, kept verdicts, notes,
reasons that fit each item and reasoned texts, a save from a stale page refused (two clerks at
once), every reason picked counted by the report, documents in the page, and a constant number
of SQL statements."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
import sqlalchemy as sa
from flask import g

from portal.applications.facts import facts_for
from portal.applications.models import HistoryEntry
from portal.extensions import db
from portal.procedures.services import definition_of
from portal.review.models import CaseNote, ReviewVerdict, Submission
from portal.review.services import current_verdicts
from tests.portal.helpers import (
    VALID_FIELDS,
    file_new_application,
    login,
    logout,
    mails,
    make_applicant,
    make_staff,
    pdf_bytes,
    reload_application,
    submit,
)
from workflows.guards import review_items

NEW_ADDRESS = "Calle Arce 1250, Colonia Escalón"
NOTE = "Llamé al arquitecto: confirma que el plano corregido llega el lunes."


def _filed(client) -> int:
    """A filed Calificación de Lugar and the OPAMSS clerk signed in."""
    make_applicant()
    make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    login(client, "ana@example.sv")
    application_id = file_new_application(client)
    logout(client)
    login(client, "clerk@example.sv")
    return application_id


def _items(application_id: int) -> tuple[str, ...]:
    application = reload_application(application_id)
    return review_items(
        definition_of(application.procedure_version), facts_for(application, "clerk")
    )


def _block(page: str, key: str) -> str:
    """The HTML of one item's row on the case page (its data and its verdict)."""
    start = page.index(f'id="item-{key}"')
    following = page.find('id="item-', start + 1)
    return page[start : following if following != -1 else len(page)]


def _post_verdicts(client, application_id: int, verdicts: dict[str, str], **extra):
    data = {f"v_{key}": choice for key, choice in verdicts.items()} | extra
    g.pop("_login_user", None)  # the shared app context keeps the last user in g
    return client.post(f"/bandeja/{application_id}/revision", data=data)


def _page(client, path: str) -> str:
    """The page as the person signed in on `client` sees it (two browsers in one test)."""
    g.pop("_login_user", None)
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _decide(client, application_id: int, action: str, **extra):
    version = reload_application(application_id).lock_version
    return client.post(
        f"/bandeja/{application_id}",
        data={"action": action, "comment": "", "lock_version": str(version)} | extra,
    )


def _textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    return unescape(found.group(1)).strip()


def _corrected(client, application_id: int) -> None:
    """The clerk marks the address not OK (a reason ticked), asks; Ana changes only it."""
    items = _items(application_id)
    verdicts = dict.fromkeys(items, "ok") | {"direccion": "no"}
    done = _post_verdicts(client, application_id, verdicts, x_direccion="datos_no_coinciden")
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    text = _textarea(page, "t_prevenir")  # as the browser sends the proposed text
    asked = _decide(
        client, application_id, "prevenir", t_prevenir=text, x_prevenir="documento_ilegible"
    )
    assert asked.status_code == 302
    logout(client)
    login(client, "ana@example.sv")
    fields = dict(VALID_FIELDS, f_direccion=NEW_ADDRESS)
    assert submit(client, application_id, fields=fields, files={}).status_code == 302
    assert reload_application(application_id).state == "presentado"
    logout(client)
    login(client, "clerk@example.sv")


def test_each_item_sits_beside_its_verdict_grouped_as_the_form_asks(client, app_ctx):
    application_id = _filed(client)
    page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    for key in _items(application_id):
        block = _block(page, key)
        assert f'name="v_{key}"' in block and f'name="r_{key}"' in block, key
        assert 'name="x_' + key + '"' in block  # the procedure's correction reasons
    assert "Calle Arce 1234" in _block(page, "direccion")
    document = reload_application(application_id).current_documents[0]
    viewer = _block(page, document.requirement_code)
    assert f"/documentos/{document.id}?ver=1" in viewer and "<iframe" in viewer
    assert "Ver el documento aquí" in viewer and "Sin revisar" in viewer
    headings = re.findall(r'<h3 class="govuk-heading-s app-review-group">([^<]+)</h3>', page)
    assert len(headings) >= 2 and "Documentos" in headings  # the form's steps, documents last
    # Deadlines and the sections other parts of the back office include.
    assert "Estado y plazos" in page and "Plazo legal para resolver" in page
    assert "Notas internas" in page and 'id="historial"' in page


def test_documents_open_in_the_page_only_as_pdf_or_image_and_sandboxed(client, app_ctx):
    from portal.downloads import send_inline

    application_id = _filed(client)
    document = reload_application(application_id).current_documents[0]
    path = f"/solicitudes/{application_id}/documentos/{document.id}"
    shown = client.get(f"{path}?ver=1")
    assert shown.status_code == 200 and shown.data.startswith(b"%PDF")
    assert shown.headers["Content-Disposition"].startswith("inline")
    assert shown.headers["Content-Type"] == "application/pdf"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert shown.headers["Content-Security-Policy"].startswith("sandbox;")
    assert "frame-ancestors 'self'" in shown.headers["Content-Security-Policy"]
    assert shown.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert client.get(path).headers["Content-Disposition"].startswith("attachment")
    with client.application.test_request_context():
        image = send_inline(b"\x89PNG", "image/png", "foto.png")
        other = send_inline(b"<script>", "text/html", "pagina.html")
    assert image.headers["Content-Disposition"].startswith("inline")
    assert "sandbox" not in image.headers["Content-Security-Policy"]
    assert other.headers["Content-Disposition"].startswith("attachment")


def test_after_a_correction_only_changed_items_need_a_new_verdict(client, app_ctx):
    application_id = _filed(client)
    _corrected(client, application_id)
    application = reload_application(application_id)
    submissions = db.session.scalars(
        sa.select(Submission)
        .where(Submission.application_id == application_id)
        .order_by(Submission.id)
    ).all()
    assert [s.data["direccion"] for s in submissions] == [
        "Calle Arce 1234, Colonia Escalón",
        NEW_ADDRESS,
    ]
    assert set(submissions[0].documents) == set(submissions[1].documents)
    # The engine sees the verdicts kept on what did not change, and none on the address.
    kept = facts_for(application, "clerk").verdicts
    assert "direccion" not in kept and kept and all(kept.values())
    assert set(kept) == set(_items(application_id)) - {"direccion"}
    page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    changed = _block(page, "direccion")
    assert "Cambió desde la presentación anterior" in changed
    assert "<del>Calle Arce 1234, Colonia Escalón</del>" in changed and NEW_ADDRESS in changed
    assert "Por revisar de nuevo" in changed and "Historial de revisión (1)" in changed
    assert "Los datos de la solicitud no coinciden con los documentos presentados" in changed
    unchanged = _block(page, "uso_actual")
    assert "Cambió" not in unchanged and "no cambió desde entonces" in unchanged
    # One new verdict, on the changed item, is enough to approve the items.
    assert _post_verdicts(client, application_id, {"direccion": "ok"}).status_code == 302
    verdicts = facts_for(reload_application(application_id), "clerk").verdicts
    assert set(verdicts) == set(_items(application_id)) and all(verdicts.values())
    page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    assert "Historial de revisión (2)" in _block(page, "direccion")


def test_the_correction_keeps_its_reasons_and_starts_from_the_reasoned_text(client, app_ctx):
    application_id = _filed(client)
    items = _items(application_id)
    verdicts = dict.fromkeys(items, "ok") | {"direccion": "no"}
    _post_verdicts(client, application_id, verdicts, r_direccion="Falta el número de casa.")
    page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    number = reload_application(application_id).tracking_number
    proposed = _textarea(page, "t_prevenir")
    assert proposed.startswith(f"Expediente {number}, Calificación de Lugar.")
    assert "Se previene a Ana María Pérez" in proposed
    assert "- Dirección del inmueble: Falta el número de casa." in proposed
    denial = _textarea(page, "t_denegar")
    assert "Se resuelve desfavorablemente" in denial and "Uso de suelo no compatible" in page
    # The forged reason is dropped; the one offered is stored, its label added to the text.
    asked = _decide(
        client,
        application_id,
        "prevenir",
        t_prevenir=proposed,
        x_prevenir=["plano_sin_firma", "no_existe"],
    )
    assert asked.status_code == 302
    entry = reload_application(application_id).history[-1]
    assert entry.reasons == ["plano_sin_firma"]
    assert entry.comment.startswith(f"Expediente {number}")
    assert entry.comment.endswith("- Plano sin firma y sello del profesional responsable")
    logout(client)
    login(client, "ana@example.sv")
    status = client.get(f"/solicitudes/{application_id}").get_data(as_text=True)
    assert "Falta el número de casa." in status


def test_a_denial_without_any_reason_is_refused_at_its_reasons(client, app_ctx):
    application_id = _filed(client)
    page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    bare = _textarea(page, "t_denegar")
    refused = _decide(client, application_id, "denegar", t_denegar=bare)
    assert refused.status_code == 200
    text = refused.get_data(as_text=True)
    assert "Marque al menos un motivo o escríbalo en el texto" in text
    assert 'href="#x_denegar"' in text  # the error summary points at the reasons
    assert reload_application(application_id).state == "presentado"
    done = _decide(
        client, application_id, "denegar", t_denegar=bare, x_denegar="uso_suelo_incompatible"
    )
    assert done.status_code == 302
    application = reload_application(application_id)
    assert application.state == "desfavorable"
    assert application.history[-1].reasons == ["uso_suelo_incompatible"]
    assert "Uso de suelo no compatible" in application.history[-1].comment


def test_internal_notes_are_kept_and_never_shown_to_the_applicant(client, app_ctx, run_jobs, app):
    application_id = _filed(client)
    blank = client.post(f"/bandeja/{application_id}/notas", data={"body": "   "})
    assert blank.status_code == 200 and "Escriba la nota." in blank.get_data(as_text=True)
    added = client.post(f"/bandeja/{application_id}/notas", data={"body": NOTE})
    assert added.status_code == 302 and added.headers["Location"].endswith("#notas")
    page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    notes = page[page.index('id="notas"') : page.index('id="historial"')]
    note = db.session.scalar(sa.select(CaseNote).where(CaseNote.application_id == application_id))
    assert NOTE in notes and note.author.full_name in notes and "<time" in notes
    assert note.author.email == "clerk@example.sv"
    # The applicant is told about a correction; the note goes nowhere they can see.
    _decide(client, application_id, "prevenir", comment="Corrija la dirección.")
    run_jobs()
    application = reload_application(application_id)
    logout(client)
    login(client, "ana@example.sv")
    for path in (
        f"/solicitudes/{application_id}",
        f"/solicitudes/{application_id}/constancia.pdf",
        "/avisos/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert NOTE.encode() not in response.data and b"Llam" not in response.data, path
    logout(client)
    tracked = client.post(
        "/seguimiento/",
        data={"number": application.tracking_number, "code": application.tracking_code},
    )
    assert tracked.status_code == 200 and NOTE not in tracked.get_data(as_text=True)
    sent = mails(app)
    assert sent and all(NOTE not in str(mail) for mail in sent)


def test_notes_cannot_be_changed_or_deleted(client, app_ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's (the embedded SQLite has none)")
    application_id = _filed(client)
    client.post(f"/bandeja/{application_id}/notas", data={"body": NOTE})
    notes = sa.table("case_notes", sa.column("body"))
    for statement in (sa.update(notes).values(body="x"), sa.delete(notes)):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(statement)


def _statements(client, path: str) -> int:
    count = 0

    def one(*_args) -> None:
        nonlocal count
        count += 1

    sa.event.listen(db.engine, "before_cursor_execute", one)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", one)
    return count


def test_the_case_page_reads_a_constant_number_of_statements(client, app_ctx):
    application_id = _filed(client)
    _corrected(client, application_id)
    path = f"/bandeja/{application_id}"
    client.get("/bandeja/")  # the session's first page after sign-in records its second step
    few = _statements(client, path)
    items = _items(application_id)
    for round_ in range(3):  # more verdicts, notes and history on the same case
        choice = "ok" if round_ % 2 else "no"
        _post_verdicts(
            client,
            application_id,
            dict.fromkeys(items, choice),
            **{f"r_{key}": f"Motivo {round_}" for key in items},
        )
        client.post(path + "/notas", data={"body": f"{NOTE} ({round_})"})
    many = _statements(client, path)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(HistoryEntry.id)).where(
                HistoryEntry.application_id == application_id
            )
        )
        > 6
    )
    assert few == many
    # 14–16 before: + submissions, notes, inspection visits and results, assignment; the
    # authority tree read once per request (it was read four times)
    assert many <= 20, many


# ------------------------------------------------- APLAN's licence: a field and a document apart

AVISO = "El número no coincide con la resolución adjunta."


def _licence_case(token: str = "licencia-aplan-revision") -> int:
    """An APLAN operating licence filed with its four permits; APLAN's clerk exists."""
    from portal.applications.services import Upload, save_application, start_application
    from portal.procedures.services import get_procedure, latest_version
    from tests.portal.test_silence import DOCUMENTS, LICENCE

    applicant = make_applicant()
    make_staff("clerk", "APLAN", email="clerk@aplan.example.sv")
    procedure = get_procedure("APLAN", "licencia-funcionamiento")
    definition = definition_of(latest_version(procedure))
    codes = [d.code for d in definition.documents if d.required]
    assert len(codes) == len(DOCUMENTS)
    application = start_application(actor=applicant, token=token, procedure=procedure)
    result = save_application(
        actor=applicant,
        application=application,
        data=LICENCE,
        submit=True,
        uploads={c: Upload(f"{c}.pdf", pdf_bytes()) for c in codes},
    )
    assert result.ok, (result.errors, result.reasons)
    return application.id


def _ids_and_groups(page: str) -> tuple[list[str], set[str]]:
    """Every id on the page, and the names of the verdict radio groups."""
    radios = re.findall(r"<input[^>]*type=\"radio\"[^>]*>", page)
    groups = {re.search(r'name="([^"]+)"', radio).group(1) for radio in radios}
    return re.findall(r'\sid="([^"]+)"', page), {name for name in groups if name.startswith("v_")}


def test_the_licence_shows_each_answer_and_each_document_once_with_its_own_verdict(client, app_ctx):
    from tests.portal.test_silence import LICENCE

    application_id = _licence_case()
    login(client, "clerk@aplan.example.sv")
    page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    items = _items(application_id)
    assert len(items) == len(set(items))
    ids, groups = _ids_and_groups(page)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    assert groups == {f"v_{key}" for key in items}
    application = reload_application(application_id)
    for document in application.current_documents:
        assert page.count(f'id="item-{document.requirement_code}"') == 1
        assert page.count(f"Descargar {document.filename}") == 1
    for name in ("resolucion_uso_suelo", "permiso_proteccion_civil", "permiso_cbes"):
        assert LICENCE[name] in _block(page, name) and page.count(LICENCE[name]) == 1
    # The copy of the resolution is judged apart from the number the applicant typed.
    verdicts = dict.fromkeys(items, "ok") | {"copia_resolucion_uso_suelo": "no"}
    done = _post_verdicts(
        client, application_id, verdicts, r_copia_resolucion_uso_suelo="Copia ilegible."
    )
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    assert 'govuk-tag--red">No conforme' in _block(page, "copia_resolucion_uso_suelo")
    assert 'govuk-tag--green">Conforme' in _block(page, "resolucion_uso_suelo")


@pytest.fixture
def clashing_version(app_ctx):
    """APLAN's licence as versions 1-3 named it (a document named as a field), stored and in
    force: it was published before `review_item_clash`, so it loads, and new cases take it."""
    from pathlib import Path

    import workflows
    from portal.catalogue.services import refresh_entries
    from portal.procedures.services import get_procedure, publish_definition, retire

    root = Path(__file__).resolve().parents[2]
    data = workflows.load_file(
        root / "workflows/definitions/aplan/licencia-funcionamiento.yaml"
    ).to_dict()
    for document in data["documents"]:
        document["code"] = document["code"].removeprefix("copia_")
    data["version"] = 3
    publish_definition(workflows.load(data))
    procedure = get_procedure("APLAN", "licencia-funcionamiento")
    [newest] = retire(procedure, version=5)
    db.session.commit()
    yield
    # The seeded procedures are shared by every test: publish version 5 again.
    newest.status, newest.retired_at = "published", None
    refresh_entries(procedure)
    db.session.commit()


def test_a_stored_version_whose_field_and_document_share_a_name_shows_both_once(
    client, clashing_version
):
    from tests.portal.test_silence import LICENCE

    application_id = _licence_case("licencia-aplan-version-3")
    application = reload_application(application_id)
    assert application.procedure_version.version == 3
    login(client, "clerk@aplan.example.sv")
    page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    ids, groups = _ids_and_groups(page)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    assert groups == {f"v_{key}" for key in set(_items(application_id))}
    for shared in ("resolucion_uso_suelo", "permiso_proteccion_civil"):
        block = _block(page, shared)
        assert page.count(f'id="item-{shared}"') == 1
        assert LICENCE[shared] in block and page.count(LICENCE[shared]) == 1  # the answer
        assert f"Descargar {shared}.pdf" in block and page.count(f"Descargar {shared}.pdf") == 1
    # One verdict covers the name; a changed answer is shown and needs a new verdict.
    verdicts = dict.fromkeys(_items(application_id), "ok") | {"resolucion_uso_suelo": "no"}
    done = _post_verdicts(client, application_id, verdicts, r_resolucion_uso_suelo=AVISO)
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    asked = _decide(client, application_id, "prevenir", comment=AVISO)
    assert asked.status_code == 302, asked.get_data(as_text=True)[:2000]
    _answer_correction(application_id, resolucion_uso_suelo="APLAN-US-2026-13")
    page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    block = _block(page, "resolucion_uso_suelo")
    assert "Cambió" in block and "APLAN-US-2026-12" in block and "APLAN-US-2026-13" in block
    assert "Por revisar de nuevo" in block  # the answer changed, the file did not
    assert "Cambió" not in _block(page, "permiso_proteccion_civil")


def _answer_correction(application_id: int, **changed: str) -> None:
    from portal.accounts.models import User
    from portal.applications.services import save_application
    from tests.portal.test_silence import LICENCE

    applicant = db.session.scalar(sa.select(User).where(User.email == "ana@example.sv"))
    result = save_application(
        actor=applicant,
        application=reload_application(application_id),
        data=dict(LICENCE, **changed),
        submit=True,
        uploads={},
    )
    assert result.ok, (result.errors, result.reasons)
    assert reload_application(application_id).state == "presentado"


# ------------------------------------------------ a save from a stale page (two clerks at once)


def _checked(block: str, name: str, value: str) -> bool:
    """Whether the radio or checkbox `name` with `value` is ticked in the HTML."""
    return re.search(rf'name="{name}" type="\w+" value="{value}" checked', block) is not None


def _seen(page: str) -> str:
    """What the page's verdict form carries of the review it showed (hidden)."""
    found = re.search(r'<input[^>]*name="seen"[^>]*value="([^"]*)"', page)
    return unescape(found.group(1))


def _colleague(client, email: str = "colega@example.sv"):
    """A second clerk of the same office, signed in on their own browser."""
    make_staff("clerk", "OPAMSS", email=email)
    other = client.application.test_client()
    login(other, email)
    return other


def _latest_verdicts(application_id: int) -> dict[str, tuple[bool, str, str]]:
    found = {}
    for verdict in db.session.scalars(
        sa.select(ReviewVerdict)
        .where(ReviewVerdict.application_id == application_id)
        .order_by(ReviewVerdict.id)
    ):
        found[verdict.item] = (verdict.ok, verdict.reason, verdict.actor.email)
    return found


def _verdict_count(application_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(ReviewVerdict.id)).where(
            ReviewVerdict.application_id == application_id
        )
    )


def test_a_save_from_a_stale_page_is_refused_and_keeps_what_was_typed(client, app_ctx):
    application_id = _filed(client)
    colleague = _colleague(client)
    path = f"/bandeja/{application_id}"
    mine = _seen(_page(client, path))  # A opens the case...
    theirs = _seen(_page(colleague, path))  # ...and so does B
    saved = _post_verdicts(colleague, application_id, {"escritura": "ok"}, seen=theirs)
    assert saved.status_code == 302
    before = _verdict_count(application_id)
    typed = "Falta el sello del registro en la última página."
    stale = _post_verdicts(
        client,
        application_id,
        {"escritura": "no", "direccion": "ok"},
        seen=mine,
        r_escritura=typed,
        x_escritura="escritura_no_inscrita",
    )
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    block = _block(page, "escritura")
    assert "Otra persona guardó una revisión de «Escritura" in block
    assert 'href="#v_escritura"' in page  # the error summary points at the item
    assert typed in _textarea(page, "r_escritura")  # what A typed is kept...
    assert _checked(block, "v_escritura", "no")
    assert _checked(block, "x_escritura", "escritura_no_inscrita")
    assert "govuk-tag--green" in block  # ...beside B's verdict "Conforme", now shown
    # Nothing was saved: B's verdict counts, and A's other item waits too (one save, one act).
    assert _verdict_count(application_id) == before
    assert _latest_verdicts(application_id)["escritura"] == (True, "", "colega@example.sv")
    assert "direccion" not in _latest_verdicts(application_id)
    # The page now carries what it shows: saving again is A's deliberate choice, and counts.
    again = _post_verdicts(
        client,
        application_id,
        {"escritura": "no"},
        seen=_seen(page),
        r_escritura=typed,
    )
    assert again.status_code == 302
    assert _latest_verdicts(application_id)["escritura"] == (False, typed, "clerk@example.sv")


def test_a_prefilled_verdict_someone_changed_meanwhile_is_not_silently_put_back(client, app_ctx):
    application_id = _filed(client)
    path = f"/bandeja/{application_id}"
    assert _post_verdicts(client, application_id, {"direccion": "ok"}).status_code == 302
    colleague = _colleague(client)
    page = _page(client, path)  # A sees the address "Conforme", prefilled
    mine = _seen(page)
    assert _checked(_block(page, "direccion"), "v_direccion", "ok")
    changed = _post_verdicts(
        colleague,
        application_id,
        {"direccion": "no"},
        seen=_seen(_page(colleague, path)),
        r_direccion="Falta el número de casa.",
    )
    assert changed.status_code == 302
    # A judges another item; the form still sends the address as A's page showed it.
    stale = _post_verdicts(
        client, application_id, {"direccion": "ok", "uso_actual": "ok"}, seen=mine
    )
    assert stale.status_code == 409
    assert "Otra persona guardó" in _block(stale.get_data(as_text=True), "direccion")
    assert _latest_verdicts(application_id)["direccion"][0] is False
    assert "uso_actual" not in _latest_verdicts(application_id)


def test_an_item_only_the_colleague_judged_does_not_stop_the_save(client, app_ctx):
    application_id = _filed(client)
    path = f"/bandeja/{application_id}"
    colleague = _colleague(client)
    mine = _seen(_page(client, path))
    theirs = _seen(_page(colleague, path))
    assert (
        _post_verdicts(colleague, application_id, {"escritura": "ok"}, seen=theirs).status_code
        == 302
    )
    # A leaves the deed unanswered (B's verdict on it stands) and judges the address.
    assert _post_verdicts(client, application_id, {"direccion": "ok"}, seen=mine).status_code == 302
    latest = _latest_verdicts(application_id)
    assert latest["escritura"][2] == "colega@example.sv" and latest["direccion"][0] is True


def test_a_double_submission_records_the_verdicts_once(client, app_ctx):
    application_id = _filed(client)
    mine = _seen(client.get(f"/bandeja/{application_id}").get_data(as_text=True))
    verdicts = {"direccion": "no", "uso_actual": "ok"}
    reason = {"r_direccion": "Falta el número de casa."}
    assert _post_verdicts(client, application_id, verdicts, seen=mine, **reason).status_code == 302
    count = _verdict_count(application_id)
    acts = len(reload_application(application_id).history)
    assert _post_verdicts(client, application_id, verdicts, seen=mine, **reason).status_code == 302
    assert _verdict_count(application_id) == count  # the same verdicts: nothing new to say
    assert len(reload_application(application_id).history) == acts


def test_a_page_shown_before_the_applicant_resubmitted_cannot_judge_the_new_data(client, app_ctx):
    application_id = _filed(client)
    old = _seen(client.get(f"/bandeja/{application_id}").get_data(as_text=True))
    _corrected(client, application_id)  # a prevención, then Ana sends a new address
    stale = _post_verdicts(client, application_id, {"direccion": "ok"}, seen=old)
    assert stale.status_code == 409
    assert "La solicitud cambió mientras usted tenía la página abierta" in stale.get_data(
        as_text=True
    )
    assert "direccion" not in facts_for(reload_application(application_id), "clerk").verdicts
    forged = _post_verdicts(client, application_id, {"direccion": "ok"}, seen="1|x=<script>")
    assert forged.status_code == 409  # a damaged token matches no page
    fresh = _seen(client.get(f"/bandeja/{application_id}").get_data(as_text=True))
    assert (
        _post_verdicts(client, application_id, {"direccion": "ok"}, seen=fresh).status_code == 302
    )


# ------------------------------------------------ reasoned texts, reasons that fit the item


@pytest.mark.parametrize("action", ["denegar", "prevenir"])
def test_a_reasoned_text_emptied_by_the_clerk_is_refused_at_the_text(client, app_ctx, action):
    application_id = _filed(client)
    page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    reason = {"denegar": "uso_suelo_incompatible", "prevenir": "plano_sin_firma"}[action]
    for emptied in ("", "  \r\n  "):
        refused = _decide(
            client, application_id, action, **{f"t_{action}": emptied, f"x_{action}": reason}
        )
        assert refused.status_code == 200
        text = refused.get_data(as_text=True)
        assert "El texto de la decisión no puede quedar vacío" in text
        assert f'href="#t_{action}"' in text  # the error summary points at the text
        assert _checked(text, f"x_{action}", reason)  # the ticked reason is kept
        assert reload_application(application_id).state == "presentado"
    done = _decide(
        client,
        application_id,
        action,
        **{f"t_{action}": _textarea(page, f"t_{action}"), f"x_{action}": reason},
    )
    assert done.status_code == 302
    assert reload_application(application_id).history[-1].comment.startswith("Expediente")


def test_each_item_offers_only_the_reasons_that_fit_its_kind(client, app_ctx):
    application_id = _filed(client)
    definition = definition_of(reload_application(application_id).procedure_version)
    page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    fields = {f.name for f in definition.fields}
    for key in _items(application_id):
        block = _block(page, key)
        offered = re.findall(rf'name="x_{key}" type="checkbox" value="([a-z_]+)"', block)
        assert offered == [r.code for r in definition.item_reasons(key)], key
        if key in fields:  # an answer: no reason that only a document can have
            assert all(r.items != ("documents",) for r in definition.item_reasons(key))
    address, deed = _block(page, "direccion"), _block(page, "escritura")
    assert "Los datos de la solicitud no coinciden" in address
    for document_only in ("Plano sin firma y sello", "Documento ilegible"):
        assert document_only not in address and document_only in deed
    # A reason forged onto an item it does not fit is dropped: alone it is no reason.
    forged = _post_verdicts(
        client, application_id, {"direccion": "no"}, x_direccion="plano_sin_firma"
    )
    assert "Escriba por qué no es conforme" in forged.get_data(as_text=True)
    fits = _post_verdicts(
        client,
        application_id,
        {"direccion": "no"},
        x_direccion=["plano_sin_firma", "datos_no_coinciden"],
    )
    assert fits.status_code == 302
    kept = current_verdicts(reload_application(application_id))["direccion"]
    assert kept.ok is False and kept.reasons == ["datos_no_coinciden"]


# ------------------------------------------------ the reasons report counts the items' reasons


def _report(client, report: str) -> list[list[str]]:
    response = client.get(f"/bandeja/informes/{report}.csv")
    assert response.status_code == 200, response.data[:500]
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_a_correction_or_denial_records_every_reason_picked_and_the_report_counts_them(
    client, app_ctx
):
    first = _filed(client)
    # Items found not OK with their reasons; one changed its mind (OK now: not a reason).
    _post_verdicts(client, first, {"uso_actual": "no"}, x_uso_actual="datos_no_coinciden")
    _post_verdicts(client, first, {"uso_actual": "ok"})
    _post_verdicts(
        client,
        first,
        {"direccion": "no", "escritura": "no"},
        x_direccion="datos_no_coinciden",
        x_escritura=["escritura_no_inscrita", "documento_vencido"],
    )
    page = client.get(f"/bandeja/{first}").get_data(as_text=True)
    asked = _decide(
        client,
        first,
        "prevenir",
        t_prevenir=_textarea(page, "t_prevenir"),
        x_prevenir=["representacion_no_acreditada", "escritura_no_inscrita"],
    )
    assert asked.status_code == 302
    # The union, in the catalogue's order; each code once.
    assert reload_application(first).history[-1].reasons == [
        "documento_vencido",
        "datos_no_coinciden",
        "representacion_no_acreditada",
        "escritura_no_inscrita",
    ]
    logout(client)
    login(client, "ana@example.sv")
    second = file_new_application(client, token="token-de-prueba-0002")
    logout(client)
    login(client, "clerk@example.sv")
    _post_verdicts(
        client, second, {"plano_topografico": "no"}, x_plano_topografico="plano_sin_firma"
    )
    page = client.get(f"/bandeja/{second}").get_data(as_text=True)
    denied = _decide(
        client,
        second,
        "denegar",
        t_denegar=_textarea(page, "t_denegar"),
        x_denegar="uso_suelo_incompatible",
    )
    assert denied.status_code == 302
    assert reload_application(second).history[-1].reasons == [
        "plano_sin_firma",
        "uso_suelo_incompatible",
    ]
    # The supervisor's report counts them all, by kind of decision.
    make_staff("supervisor", "OPAMSS", email="jefa@example.sv")
    logout(client)
    login(client, "jefa@example.sv")
    rows = {(row[1], row[3]): row[4] for row in _report(client, "motivos")[1:]}
    assert rows == {
        ("Prevención", "documento_vencido"): "1",
        ("Prevención", "datos_no_coinciden"): "1",
        ("Prevención", "representacion_no_acreditada"): "1",
        ("Prevención", "escritura_no_inscrita"): "1",
        ("Denegación", "plano_sin_firma"): "1",
        ("Denegación", "uso_suelo_incompatible"): "1",
    }
