"""A draft as a guided sequence: steps with progress, check your answers, autosave, delete,
expiry with a warning (Calificación de Lugar: property, establishment, works, holder, documents)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from portal.applications.models import Application
from portal.extensions import db, utcnow
from tests.portal.helpers import (
    VALID_FIELDS,
    documents,
    login,
    make_applicant,
    pdf_bytes,
    start,
)

STEP_FIELDS = {
    1: ("distrito", "direccion", "area_terreno_m2", "uso_actual", "uso_propuesto"),
}


def _step(client, application_id: int, number: int, data: dict, query: str = ""):
    return client.post(f"/borradores/{application_id}/paso/{number}{query}", data=data)


def _application(application_id: int) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application_id)


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def draft(client, app_ctx):
    make_applicant()
    login(client, "ana@example.sv")
    return start(client)


def _fields_of(page: str) -> set[str]:
    return set(re.findall(r'name="f_([a-z0-9_]+)', page))


def test_a_new_draft_starts_at_step_one_of_five_with_progress(client, draft):
    page = _text(client.get(f"/borradores/{draft}/paso/1"))
    assert "Paso 1 de 5" in page
    assert "Inmueble" in page
    assert {"distrito", "direccion"} <= _fields_of(page)
    assert "nit_propietario" not in _fields_of(page)  # the holder's step comes later
    last = _text(client.get(f"/borradores/{draft}/paso/5"))
    assert "Paso 5 de 5" in last and 'name="d_escritura"' in last
    assert client.get(f"/borradores/{draft}/paso/6").status_code == 404


def test_continuar_refuses_a_blank_required_question_at_the_field_and_keeps_the_rest(client, draft):
    response = _step(client, draft, 1, {"f_distrito": "0614", "f_area_terreno_m2": "350"})
    assert response.status_code == 200
    page = _text(response)
    assert "Hay un problema" in page
    assert re.search(r'href="#f_direccion"', page)
    assert 'value="350"' in page
    # Nothing typed is lost, and nothing unvalidated is the case's data.
    application = _application(draft)
    assert application.data.get("area_terreno_m2") is None
    assert application.draft_answers["f_area_terreno_m2"] == "350"


def test_continuar_refuses_a_bad_value_in_spanish_and_keeps_it_as_typed(client, draft):
    data = {k: VALID_FIELDS[f"f_{k}"] for k in STEP_FIELDS[1]}
    response = _step(
        client, draft, 1, {f"f_{k}": v for k, v in data.items()} | {"f_area_terreno_m2": "2,5"}
    )
    page = _text(response)
    assert response.status_code == 200
    assert "Use el punto para los decimales" in page
    assert 'value="2,5"' in page
    assert _application(draft).draft_answers["f_area_terreno_m2"] == "2,5"


def _walk(client, application_id: int) -> None:
    """Answer every step with the valid answers, and attach the documents."""
    for number in range(1, 5):
        page = _text(client.get(f"/borradores/{application_id}/paso/{number}"))
        answers = {
            f"f_{name}": VALID_FIELDS[f"f_{name}"]
            for name in _fields_of(page)
            if f"f_{name}" in VALID_FIELDS
        }
        response = _step(client, application_id, number, answers)
        assert response.status_code == 302, _text(response)[:3000]
        assert response.headers["Location"].endswith(
            f"/paso/{number + 1}" if number < 4 else "/paso/5"
        )
    response = _step(
        client,
        application_id,
        5,
        documents(escritura=pdf_bytes(), plano_topografico=pdf_bytes()),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/borradores/{application_id}/revisar")


def test_the_check_page_lists_every_answer_and_document_with_change_links_and_files(client, draft):
    _walk(client, draft)
    page = _text(client.get(f"/borradores/{draft}/revisar"))
    assert "Revise sus respuestas" in page
    assert "Calle Arce 1234, Colonia Escalón" in page
    assert "escritura.pdf" in page
    assert f'href="/borradores/{draft}/paso/1?volver=1#f_direccion"' in page
    assert f'href="/borradores/{draft}/paso/5?volver=1#d_escritura"' in page
    # A change goes back to the check page.
    changed = _step(
        client,
        draft,
        1,
        {f"f_{k}": VALID_FIELDS[f"f_{k}"] for k in STEP_FIELDS[1]}
        | {"f_direccion": "Avenida Masferrer 5"},
        "?volver=1",
    )
    assert changed.headers["Location"].endswith(f"/borradores/{draft}/revisar")
    assert "Avenida Masferrer 5" in _text(client.get(f"/borradores/{draft}/revisar"))
    filed = client.post(f"/borradores/{draft}/revisar", data={})
    assert filed.status_code == 302
    assert filed.headers["Location"].endswith(f"/solicitudes/{draft}")
    application = _application(draft)
    assert application.tracking_number and application.draft_answers is None
    # Filing twice is the status page again, not a second case.
    again = client.post(f"/borradores/{draft}/revisar", data={})
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/solicitudes/{draft}")


def test_filing_an_incomplete_draft_from_the_check_page_links_to_each_missing_step(client, draft):
    response = client.post(f"/borradores/{draft}/revisar", data={})
    assert response.status_code == 422
    page = _text(response)
    assert "Falta algo para presentar la solicitud" in page
    assert f"/borradores/{draft}/paso/1?volver=1#f_direccion" in page
    assert f"/borradores/{draft}/paso/5?volver=1#d_escritura" in page
    assert _application(draft).tracking_number is None


def test_autosave_keeps_typed_text_unvalidated_and_the_form_shows_it(client, draft):
    response = client.post(
        f"/borradores/{draft}/respuestas",
        data=json.dumps(
            {
                "answers": {
                    "f_direccion": "Colonia Escalón «La Ceiba»",
                    "f_area_terreno_m2": "1.250,50",  # not a number we accept: kept as typed
                    "f_state": "aprobado",  # not an input of the form: ignored
                    "f_uso_actual": ["a"] * 500,
                }
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json["saved"] is True
    application = _application(draft)
    assert application.data.get("direccion") is None
    assert application.draft_answers["f_area_terreno_m2"] == "1.250,50"
    assert "f_state" not in application.draft_answers
    assert len(application.draft_answers["f_uso_actual"]) == 200
    page = _text(client.get(f"/borradores/{draft}/paso/1"))
    assert "Colonia Escalón «La Ceiba»" in page and 'value="1.250,50"' in page
    # The full form (no JavaScript, or all on one page) shows it too.
    assert "Colonia Escalón «La Ceiba»" in _text(client.get(f"/solicitudes/{draft}/editar"))


def test_autosave_refuses_what_is_not_json_answers(client, draft):
    bad = client.post(f"/borradores/{draft}/respuestas", data="[]", content_type="application/json")
    assert bad.status_code == 400


def test_someone_elses_draft_answers_404_on_every_draft_route(client, draft, app):
    make_applicant("otra@example.sv")
    other = app.test_client()
    login(other, "otra@example.sv")
    for method, path in [
        ("GET", f"/borradores/{draft}/paso/1"),
        ("GET", f"/borradores/{draft}/revisar"),
        ("POST", f"/borradores/{draft}/respuestas"),
        ("GET", f"/borradores/{draft}/eliminar"),
        ("POST", f"/borradores/{draft}/eliminar"),
    ]:
        assert other.open(path, method=method).status_code == 404, path


def test_my_applications_lists_drafts_to_continue_or_delete(client, draft):
    page = _text(client.get("/solicitudes/"))
    assert "Borradores" in page
    assert f'href="/borradores/{draft}/paso/1"' in page  # nothing answered: the first step
    assert f'href="/borradores/{draft}/eliminar"' in page
    _step(client, draft, 1, {f"f_{k}": VALID_FIELDS[f"f_{k}"] for k in STEP_FIELDS[1]})
    page = _text(client.get("/solicitudes/"))
    assert f'href="/borradores/{draft}/paso/4"' in page  # the holder's required questions


def test_deleting_a_draft_asks_first_then_it_answers_404(client, draft):
    confirm = _text(client.get(f"/borradores/{draft}/eliminar"))
    assert "¿Eliminar este borrador?" in confirm and 'name="csrf_token"' in confirm
    deleted = client.post(f"/borradores/{draft}/eliminar", data={})
    assert deleted.status_code == 302 and deleted.headers["Location"].endswith("/solicitudes/")
    # Sent again (double submission, back then send): the same answer, not a 404.
    client.get("/solicitudes/")
    again = client.post(f"/borradores/{draft}/eliminar", data={})
    assert again.status_code == 302 and again.headers["Location"].endswith("/solicitudes/")
    assert "Borrador eliminado." in _text(client.get("/solicitudes/"))
    for path in (
        f"/borradores/{draft}/paso/1",
        f"/solicitudes/{draft}",
        f"/solicitudes/{draft}/editar",
    ):
        assert client.get(path).status_code == 404, path
    assert "Borradores" not in _text(client.get("/solicitudes/"))
    assert _application(draft).data == {}


def _age(application_id: int, days: int) -> None:
    application = _application(application_id)
    application.draft_saved_at = utcnow() - timedelta(days=days)
    db.session.commit()


def test_a_draft_near_its_expiry_warns_on_the_page_and_by_mail_then_expires(
    client, draft, app, run_jobs
):
    from portal.drafts.services import sweep_drafts

    _age(draft, 25)  # kept 30 days: warned from day 23
    assert "se eliminará el" in _text(client.get(f"/borradores/{draft}/paso/1"))
    assert "Por vencer" in _text(client.get("/solicitudes/"))
    assert sweep_drafts() == {"warned": 1, "deleted": 0}
    run_jobs()
    assert sweep_drafts() == {"warned": 0, "deleted": 0}  # once per quiet period
    mails = [p.read_text() for p in Path(app.config["MAIL_DIR"]).glob("draft-expiry-*.eml")]
    assert len(mails) == 1 and "Calificaci" in mails[0]
    _age(draft, 31)
    assert client.get(f"/borradores/{draft}/paso/1").status_code == 404  # before the sweep
    assert sweep_drafts() == {"warned": 0, "deleted": 1}
    assert _application(draft).discarded_at is not None


def test_a_filed_case_is_never_swept(client, draft):
    from portal.drafts.services import sweep_drafts

    _walk(client, draft)
    client.post(f"/borradores/{draft}/revisar", data={})
    _age(draft, 400)
    assert sweep_drafts() == {"warned": 0, "deleted": 0}
    assert client.get(f"/solicitudes/{draft}").status_code == 200


def test_a_date_is_given_as_day_month_and_year(client, app_ctx):
    from tests.portal.helpers import procedure_id

    make_applicant()
    login(client, "ana@example.sv")
    pid = procedure_id("cierre-establecimiento", "0511")
    started = client.post(f"/solicitudes/nueva/{pid}", data={"token": "token-de-cierre-0001"})
    application_id = int(re.search(r"/borradores/(\d+)/", started.headers["Location"])[1])
    page = _text(client.get(f"/borradores/{application_id}/paso/1"))
    name = re.search(r'name="f_([a-z0-9_]+)-day"', page)
    assert name, "the closing form asks a date on its first step"
    assert "Día" in page and "Mes" in page and "Año" in page
    field = name.group(1)
    response = _step(
        client,
        application_id,
        1,
        {f"f_{field}-day": "31", f"f_{field}-month": "2", f"f_{field}-year": "2026"},
    )
    page = _text(response)
    assert "fecha" in page.lower() and 'value="31"' in page


def test_a_document_is_replaced_before_filing_and_the_old_one_marked_replaced(client, draft):
    _step(client, draft, 5, documents(escritura=pdf_bytes()))
    second = documents(escritura=pdf_bytes(2))
    second["d_escritura"].filename = "escritura nueva (firmada).pdf"
    response = _step(client, draft, 5, second)
    assert response.status_code == 302
    kept = [d for d in _application(draft).documents if d.requirement_code == "escritura"]
    assert len(kept) == 2
    assert kept[0].replaced_at is not None and kept[1].replaced_at is None
    page = _text(client.get(f"/borradores/{draft}/revisar"))
    assert "escritura nueva (firmada).pdf" in page and "escritura.pdf<" not in page


def test_the_upload_endpoint_answers_json_with_the_file_or_the_message_at_the_field(client, draft):
    sent = client.post(f"/borradores/{draft}/adjuntar", data=documents(escritura=pdf_bytes()))
    assert sent.status_code == 200
    assert sent.json == {"saved": True, "errors": {}, "files": {"d_escritura": "escritura.pdf"}}
    bad = documents(escritura=b"GIF89a not a pdf at all")
    refused = client.post(f"/borradores/{draft}/adjuntar", data=bad)
    assert refused.status_code == 422
    assert "PDF" in refused.json["errors"]["d_escritura"]
    current = [d.filename for d in _application(draft).current_documents]
    assert current == ["escritura.pdf"]  # the refused file replaced nothing


def test_an_expired_draft_leaves_my_applications_before_the_sweep(client, draft):
    _age(draft, 31)
    page = _text(client.get("/solicitudes/"))
    assert f"/borradores/{draft}/" not in page and f"/solicitudes/{draft}" not in page
    assert "Todavía no ha presentado solicitudes" in page


def test_saving_the_whole_form_supersedes_what_was_typed_on_the_steps(client, draft):
    from tests.portal.helpers import submit

    client.post(
        f"/borradores/{draft}/respuestas",
        data=json.dumps({"answers": {"f_direccion": "Texto a medias"}}),
        content_type="application/json",
    )
    assert submit(client, draft, button="save").status_code == 302
    application = _application(draft)
    assert application.draft_answers is None
    assert application.data["direccion"] == VALID_FIELDS["f_direccion"]
    assert "Texto a medias" not in _text(client.get(f"/borradores/{draft}/paso/1"))


def test_a_prefilled_case_number_waits_for_its_question_through_the_earlier_steps(client, app_ctx):
    """The registration's calificación number is prefilled from her approved case; saving
    step 1 (before the yes/no that asks for it, on step 2) keeps it; "No" drops it."""
    from tests.portal.helpers import decided_case, procedure_id
    from tests.portal.test_routing import LAND

    ana = make_applicant()
    calificacion = decided_case(ana, "calificacion-lugar", LAND)
    login(client, "ana@example.sv")
    pid = procedure_id("inscripcion-establecimiento", "0614")
    started = client.post(f"/solicitudes/nueva/{pid}", data={"token": "token-inscripcion-0001"})
    application_id = int(re.search(r"/borradores/(\d+)/", started.headers["Location"])[1])
    number = calificacion.tracking_number
    assert _application(application_id).data["resolucion_calificacion_lugar"] == number
    step_one = {
        "f_tipo_persona": "natural",
        "f_nombre_titular": "Ana María Pérez",
        "f_nit": "01234567-8",
        "f_dui": "01234567-8",
        "f_mediante_apoderado": "no",
    }
    page = _text(client.get(f"/borradores/{application_id}/paso/1"))
    assert set(_fields_of(page)) <= {name[2:] for name in step_one} | {"matricula_empresa_cnr"}
    saved = _step(client, application_id, 1, step_one)
    assert saved.status_code == 302, _text(saved)[:2000]
    assert _application(application_id).data["resolucion_calificacion_lugar"] == number
    page = _text(client.get(saved.headers["Location"]))
    assert "f_resolucion_calificacion_lugar" in page and f'value="{number}"' in page
    # Answered "No": nothing asks for it any more, so it goes.
    step_two = {
        "f_nombre_comercial": "Restaurante La Ceiba",
        "f_direccion_establecimiento": "Calle Arce 1234, local 2",
        "f_actividad_claees": "56101",
        "f_descripcion_actividad": "Restaurante",
        "f_fecha_inicio-day": "2",
        "f_fecha_inicio-month": "1",
        "f_fecha_inicio-year": "2027",
        "f_activo_declarado": "15000",
        "f_num_empleados": "6",
        "f_ventas_anuales": "90000",
        "f_area_local_m2": "80",
        "f_inmueble_arrendado": "si",
        "f_contribuyente_inscrito": "no",
        "f_requiere_calificacion_lugar": "no",
    }
    assert set(_fields_of(page)) <= {name[2:].split("-")[0] for name in step_two} | {
        "resolucion_calificacion_lugar"
    }
    saved = _step(client, application_id, 2, step_two)
    assert saved.status_code == 302, _text(saved)[:2000]
    assert "resolucion_calificacion_lugar" not in _application(application_id).data


def test_someone_else_posting_to_a_deleted_draft_gets_404(client, draft, app):
    assert client.post(f"/borradores/{draft}/eliminar", data={}).status_code == 302
    make_applicant("otra@example.sv")
    other = app.test_client()
    login(other, "otra@example.sv")
    assert other.post(f"/borradores/{draft}/eliminar", data={}).status_code == 404
    assert client.get(f"/borradores/{draft}/eliminar").status_code == 404  # no page to show
