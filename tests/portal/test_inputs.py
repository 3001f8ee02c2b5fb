"""What people really type and upload reaches the case as they meant it, or is refused at the field.

Numbers (`2,5` is never 25), hidden answers and files that no longer apply, districts that do
not exist, accepted file types, and PDFs with active content (issue 6, items 1, 3, 5, 18, 28).
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.portal import pdf_samples
from tests.portal.helpers import (
    VALID_FIELDS,
    documents,
    login,
    make_applicant,
    make_staff,
    pdf_bytes,
    pdf_text,
    procedure_id,
    reload_application,
    start,
    submit,
)

SIGN = {
    "f_cuenta_tributaria": "CT-0511-2026-0042",
    "f_nombre_titular": "Inversiones El Pino, S.A. de C.V.",
    "f_nit": "0614-050707-104-8",
    "f_nombre_comercial": "Cafetería El Pino",
    "f_direccion": "Calle El Pino 5, Santa Tecla",
    "f_motivo": "nuevo",
    "f_tipo_rotulo": "adosado",
    "f_ancho_m": "2.5",
    "f_alto_m": "1",
    "f_caras": "1",
    "f_area_publicitaria_m2": "2.5",
    "f_iluminado": "no",
}
VALLA_PERMIT = "OPAMSS-VALLA-2026-0777"


def _file(name: str, data: bytes, mime: str = "application/pdf") -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name, content_type=mime)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "JPEG")
    return out.getvalue()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return out.getvalue()


def _post(client, application_id: int, data: dict, button: str = "submit"):
    body = MultiDict({**data, button: "1"})
    boundary, encoded = encode_multipart(body)
    return client.post(
        f"/solicitudes/{application_id}/editar",
        data=encoded,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _start_sign_permit(client, token: str = "rotulo-de-prueba-0001") -> int:
    response = client.post(
        f"/solicitudes/nueva/{procedure_id('permiso-rotulo', '0511')}", data={"token": token}
    )
    assert response.status_code == 302
    return int(re.search(r"/solicitudes/(\d+)/editar", response.headers["Location"]).group(1))


def _error_at(page: str, input_id: str) -> str:
    """The text of the error message shown at one input (GOV.UK's `<id>-error` element)."""
    found = re.search(rf'id="{input_id}-error"[^>]*>(.*?)</p>', page, re.S)
    assert found, f"no error message at {input_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def _applicant(client):
    make_applicant()
    login(client, "ana@example.sv")


# ------------------------------------------------------------------ 1. numbers


@pytest.mark.parametrize("typed", ["2,5", "1.250,50", "12,50"])
def test_an_area_with_a_decimal_comma_is_refused_at_the_field_and_kept(client, app_ctx, typed):
    _applicant(client)
    application_id = _start_sign_permit(client)
    fotomontaje = {"d_fotomontaje": _file("foto.pdf", pdf_bytes())}
    response = _post(
        client, application_id, {**SIGN, "f_area_publicitaria_m2": typed, **fotomontaje}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    message = (
        "No se sabe si la coma o el punto separa decimales. Use el punto para los decimales y "
        "la coma solo para los miles: escriba 2.5 (dos y medio) o 1,250.50."
    )
    assert message in _error_at(page, "f_area_publicitaria_m2")
    assert f'value="{typed}"' in page
    application = reload_application(application_id)
    assert application.state == "borrador" and application.tracking_number is None
    assert "area_publicitaria_m2" not in application.data


@pytest.mark.parametrize(
    ("typed", "stored", "fee"),
    [
        ("1,250.50", "1250.50", "2501.00"),
        ("1\u00a0250.50", "1250.50", "2501.00"),
        ("2.5", "2.5", "5.00"),
    ],
)
def test_an_area_written_as_in_el_salvador_is_stored_and_charged_exactly(
    client, app_ctx, typed, stored, fee
):
    from portal.payments.services import list_payment_orders

    _applicant(client)
    application_id = _start_sign_permit(client)
    response = _post(
        client,
        application_id,
        {**SIGN, "f_area_publicitaria_m2": typed, "d_fotomontaje": _file("foto.pdf", pdf_bytes())},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    application = reload_application(application_id)
    assert application.data["area_publicitaria_m2"] == stored
    [order] = list_payment_orders(application_id)
    assert order.amount == Decimal(fee)
    assert [line["amount"] for line in order.lines] == [fee]
    assert f"${fee}" in client.get(f"/solicitudes/{application_id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1e30", "Escriba un número con cifras"),
        ("9" * 40, "El número tiene demasiadas cifras"),
        ("NaN", "Escriba un número con cifras"),
        ("20,000,000", "El valor debe ser menor o igual que 10,000,000."),
    ],
)
def test_a_senseless_area_gets_a_message_never_a_server_error(client, app_ctx, typed, message):
    _applicant(client)
    application_id = _start_sign_permit(client)
    response = _post(
        client,
        application_id,
        {**SIGN, "f_area_publicitaria_m2": typed, "d_fotomontaje": _file("foto.pdf", pdf_bytes())},
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert reload_application(application_id).state == "borrador"


@pytest.mark.parametrize(
    ("typed", "stored", "message"),
    [
        ("$12,000.50", "12000.50", None),
        ("12000.505", None, "Escriba el monto en dólares con dos decimales como máximo"),
        ("12.000,50", None, "Use el punto para los decimales"),
    ],
)
def test_money_keeps_every_cent_or_refuses_half_cents(client, app_ctx, typed, stored, message):
    _applicant(client)
    response = client.post(
        f"/solicitudes/nueva/{procedure_id('inscripcion-establecimiento', '0511')}",
        data={"token": "inscripcion-0001-abcdef"},
    )
    application_id = int(re.search(r"/solicitudes/(\d+)/", response.headers["Location"]).group(1))
    page = _post(client, application_id, {"f_activo_declarado": typed}, button="save")
    case = reload_application(application_id)
    if stored:
        assert page.status_code == 302
        assert case.data["activo_declarado"] == stored
    else:
        assert page.status_code == 200 and message in page.get_data(as_text=True)
        assert "activo_declarado" not in case.data


# ------------------------------------------------------------------ 3. hidden answers


def test_an_answer_hidden_by_a_later_answer_is_not_stored_shown_or_printed(
    client, app_ctx, run_jobs
):
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.simdet.models import FeedEvent

    _applicant(client)
    make_staff("clerk", "0511", email="clerk.tecla@example.sv")
    application_id = _start_sign_permit(client)
    valla = {
        **SIGN,
        "f_tipo_rotulo": "valla",
        "f_permiso_opamss_valla": VALLA_PERMIT,
        "d_fotomontaje": _file("foto.pdf", pdf_bytes()),
        "d_calculo_estructural": _file("calculo.pdf", pdf_bytes()),
        "d_permiso_opamss": _file("permiso-valla.pdf", pdf_bytes()),
    }
    assert _post(client, application_id, valla, button="save").status_code == 302
    draft = reload_application(application_id)
    assert draft.data["permiso_opamss_valla"] == VALLA_PERMIT
    assert len(draft.current_documents) == 3
    # The applicant changes their mind: a sign on the façade needs no billboard permit.
    switched = {**SIGN, "f_tipo_rotulo": "adosado", "f_permiso_opamss_valla": VALLA_PERMIT}
    assert _post(client, application_id, switched).status_code == 302
    run_jobs()
    filed = reload_application(application_id)
    assert filed.state == "presentado"
    assert "permiso_opamss_valla" not in filed.data
    assert [d.requirement_code for d in filed.current_documents] == ["fotomontaje"]
    assert VALLA_PERMIT not in client.get(f"/solicitudes/{application_id}").get_data(as_text=True)
    receipt = client.get(f"/solicitudes/{application_id}/constancia.pdf")
    assert receipt.status_code == 200 and VALLA_PERMIT not in pdf_text(receipt.data)
    feed = db.session.scalars(sa.select(FeedEvent)).all()
    assert feed and all(VALLA_PERMIT not in str(event.payload) for event in feed)
    client.post("/cuenta/salir")
    login(client, "clerk.tecla@example.sv")
    case_page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    assert "Cafetería El Pino" in case_page
    assert VALLA_PERMIT not in case_page
    assert "calculo.pdf" not in case_page and "permiso-valla.pdf" not in case_page
    assert "Número de permiso de valla de la OPAMSS" not in case_page


def test_a_hidden_answer_stored_before_this_rule_is_neither_shown_nor_used(client, app_ctx):
    """Cases saved by the old code still hold hidden answers: pages and facts skip them."""
    from portal.applications.facts import typed_data
    from portal.extensions import db
    from portal.procedures.services import definition_of

    _applicant(client)
    application_id = _start_sign_permit(client)
    assert _post(client, application_id, {**SIGN}, button="save").status_code == 302
    case = reload_application(application_id)
    case.data = {**case.data, "permiso_opamss_valla": VALLA_PERMIT}  # as the old code stored it
    db.session.commit()
    definition = definition_of(case.procedure_version)
    assert "permiso_opamss_valla" not in typed_data(definition, case.data)
    page = client.get(f"/solicitudes/{application_id}").get_data(as_text=True)
    assert "Cafetería El Pino" in page  # the answers that apply are shown
    assert VALLA_PERMIT not in page


def test_a_question_hidden_by_a_changed_person_type_loses_its_answer_and_documents(client, app_ctx):
    _applicant(client)
    response = client.post(
        f"/solicitudes/nueva/{procedure_id('inscripcion-establecimiento', '0511')}",
        data={"token": "inscripcion-0002-abcdef"},
    )
    application_id = int(re.search(r"/solicitudes/(\d+)/", response.headers["Location"]).group(1))
    natural = {
        "f_tipo_persona": "natural",
        "f_dui": "03456781-4",
        "f_requiere_calificacion_lugar": "si",
        "f_resolucion_calificacion_lugar": "OPAMSS-CL-2026-0001",
        "d_dui_nit": _file("dui.pdf", pdf_bytes()),
    }
    assert _post(client, application_id, natural, button="save").status_code == 302
    case = reload_application(application_id)
    assert case.data["dui"] == "03456781-4"
    assert [d.requirement_code for d in case.current_documents] == ["dui_nit"]
    legal = {
        "f_tipo_persona": "juridica",
        "f_dui": "03456781-4",
        "f_requiere_calificacion_lugar": "no",
        "f_resolucion_calificacion_lugar": "OPAMSS-CL-2026-0001",
    }
    assert _post(client, application_id, legal, button="save").status_code == 302
    case = reload_application(application_id)
    assert "dui" not in case.data and "resolucion_calificacion_lugar" not in case.data
    assert case.data["tipo_persona"] == "juridica"
    assert case.current_documents == []
    page = client.get(f"/solicitudes/{application_id}/editar").get_data(as_text=True)
    assert "03456781-4" not in page and "dui.pdf" not in page


# ------------------------------------------------------------------ 18. districts


@pytest.mark.parametrize("district", ["9999", "0000", "061"])
def test_a_district_that_does_not_exist_is_refused_and_nothing_is_filed(client, app_ctx, district):
    _applicant(client)
    application_id = start(client)
    response = submit(client, application_id, fields={**VALID_FIELDS, "f_distrito": district})
    assert response.status_code == 200
    assert "Elija uno de los distritos de la lista." in response.get_data(as_text=True)
    case = reload_application(application_id)
    assert case.state == "borrador" and case.tracking_number is None and case.district is None


def test_the_service_checks_the_district_against_the_authorities_too(client, app_ctx):
    from portal.applications.services import save_application

    applicant = make_applicant()
    login(client, "ana@example.sv")
    application_id = start(client)
    data = {key.removeprefix("f_"): value for key, value in VALID_FIELDS.items()}
    for code in ("9999", "M-LLS"):  # unknown; an authority that is not a district
        result = save_application(
            actor=applicant,
            application=reload_application(application_id),
            data={**data, "distrito": code},
            uploads={},
            submit=True,
        )
        assert result.field_errors == {"distrito": ["invalid_district_choice"]}
        case = reload_application(application_id)
        assert case.tracking_number is None and case.district is None
        assert "distrito" not in case.data


@pytest.mark.parametrize(
    ("name", "forged"),
    [("f_tipo_rotulo", "cohete"), ("f_motivo", "nuevo' OR 1=1"), ("f_iluminado", "quizas")],
)
def test_a_choice_not_in_the_definition_is_refused_at_the_field(client, app_ctx, name, forged):
    _applicant(client)
    application_id = _start_sign_permit(client)
    response = _post(
        client,
        application_id,
        {**SIGN, name: forged, "d_fotomontaje": _file("foto.pdf", pdf_bytes())},
    )
    assert response.status_code == 200
    assert _error_at(response.get_data(as_text=True), name).endswith("Elija una de las opciones.")
    case = reload_application(application_id)
    assert case.tracking_number is None and case.data == {}


# ------------------------------------------------------------------ 5. accepted types


def test_a_jpeg_is_refused_by_a_pdf_only_requirement_with_its_own_types(client, app_ctx):
    _applicant(client)
    application_id = start(client)
    page = submit(
        client,
        application_id,
        files={
            "d_escritura": _file("escritura.jpg", _jpeg(), "image/jpeg"),
            "d_plano_topografico": _file("plano.pdf", _png()),  # a PNG named .pdf
        },
    ).get_data(as_text=True)
    refused = "El archivo debe ser PDF; el que adjuntó es de otro tipo por su contenido."
    assert refused in _error_at(page, "d_escritura")
    assert refused in _error_at(page, "d_plano_topografico")
    assert "PDF, JPG o PNG" not in page.split("Declaración jurada")[0]
    assert 'accept="application/pdf,.pdf"' in page
    assert "Formato: PDF. Tamaño máximo: 10 MB." in page
    assert reload_application(application_id).current_documents == []


@pytest.mark.parametrize(
    ("name", "data", "mime"), [("f.jpg", _jpeg(), "image/jpeg"), ("f.png", _png(), "image/png")]
)
def test_an_image_is_kept_where_the_requirement_accepts_images(client, app_ctx, name, data, mime):
    _applicant(client)
    application_id = _start_sign_permit(client)
    response = _post(client, application_id, {**SIGN, "d_fotomontaje": _file(name, data, mime)})
    assert response.status_code == 302
    [document] = reload_application(application_id).current_documents
    assert document.content_type == mime


# ------------------------------------------------------------------ 28. active content


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (pdf_samples.open_action_javascript, "JavaScript, OpenAction"),
        (pdf_samples.launch_link, "Launch"),
        (pdf_samples.embedded_file, "EmbeddedFiles"),
    ],
)
def test_a_pdf_with_active_content_is_refused_by_default(client, app_ctx, make, named):
    _applicant(client)
    application_id = start(client)
    page = submit(
        client,
        application_id,
        files=documents(escritura=make(), plano_topografico=pdf_bytes()),
    ).get_data(as_text=True)
    assert f"El PDF contiene elementos activos ({named}), que no se aceptan." in page
    case = reload_application(application_id)
    assert case.state == "borrador"
    assert [d.requirement_code for d in case.current_documents] == ["plano_topografico"]


def test_a_requirement_that_flags_active_content_keeps_the_pdf_and_warns_the_clerk(client, app_ctx):
    from portal.extensions import db
    from portal.procedures.models import Procedure
    from portal.procedures.services import definition_of, latest_version, publish_definition
    from workflows import load

    procedure = db.session.get(Procedure, procedure_id("permiso-rotulo", "0511"))
    data = definition_of(latest_version(procedure)).to_dict()
    data["version"] += 1
    for requirement in data["documents"]:
        if requirement["code"] == "fotomontaje":
            requirement["active_content"] = "flag"
    publish_definition(load(data))
    db.session.commit()

    _applicant(client)
    make_staff("clerk", "0511", email="clerk.tecla@example.sv")
    application_id = _start_sign_permit(client)
    flagged = pdf_samples.document_javascript()
    response = _post(client, application_id, {**SIGN, "d_fotomontaje": _file("foto.pdf", flagged)})
    assert response.status_code == 302
    [document] = reload_application(application_id).current_documents
    assert document.active_content == "JavaScript"
    client.post("/cuenta/salir")
    login(client, "clerk.tecla@example.sv")
    page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    assert "Contenido activo" in page
    assert "El PDF contiene elementos activos: JavaScript. Ábralo con precaución." in page


def test_a_damaged_pdf_is_refused_with_a_message(client, app_ctx):
    _applicant(client)
    application_id = start(client)
    page = submit(
        client,
        application_id,
        files=documents(escritura=b"%PDF-1.7\n not really", plano_topografico=pdf_bytes()),
    ).get_data(as_text=True)
    assert "El PDF está dañado o protegido y no se puede leer." in page
